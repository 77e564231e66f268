// A Mealy machine (a coalgebra I x S -> O x S: a GRU step and a readout)
// learning the running parity of a bit stream, trained on 10 steps.
//   npm run example -- cdl-mealy-parity [--json]
import { init } from "paralens";
import { log, report } from "./cdl/cli.ts";
import { trainMealyParity } from "./cdl/sequences.ts";

await init();
console.log("mealy(gru(1, 8) ; dense(8, 1, sigmoid)) from a learned state: running parity, trained on streams of 10 bits");
const m = await trainMealyParity({ log });
console.log(`  per-step test accuracy ${(100 * m.stepAccuracy!).toFixed(2)}% on 10 steps, ${(100 * m.stepAccuracyLonger!).toFixed(2)}% on 40 steps`);
report("cdl-mealy-parity", m);
