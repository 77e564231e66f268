// A folding RNN (fold over a list: nil, then cons from the last item to the
// first, one shared cell) learning the sum (Elman cell) and the parity (GRU
// cell) of lists of 1-10 items, every length its own compiled plan.
//   npm run example -- cdl-fold-rnn [--json]
import { init } from "paralens";
import { log, report } from "./cdl/cli.ts";
import { trainFoldRnn } from "./cdl/sequences.ts";

await init();
console.log("fold(point, elman(1, 16)) ; dense(16, 1): the sum of a list of numbers in [0, 1), lengths 1-10");
const sum = await trainFoldRnn({ task: "sum", log });
console.log(`  test mean absolute error ${sum.meanAbsError!.toFixed(4)} (sums range 0-10); on lengths 11-20 (never seen): ${sum.meanAbsErrorLonger!.toFixed(3)}`);
console.log("fold(point, gru(1, 16)) ; dense(16, 1, sigmoid): the parity of a list of bits, lengths 1-10");
const parity = await trainFoldRnn({ task: "parity", log });
console.log(`  test accuracy ${(100 * parity.accuracy!).toFixed(1)}%; on lengths 11-20 (never seen): ${(100 * parity.accuracyLonger!).toFixed(1)}%`);
report("cdl-fold-rnn", {
  sumMeanAbsError: sum.meanAbsError!,
  sumMeanAbsErrorLonger: sum.meanAbsErrorLonger!,
  parityAccuracy: parity.accuracy!,
  parityAccuracyLonger: parity.accuracyLonger!,
  seconds: sum.seconds! + parity.seconds!,
});
