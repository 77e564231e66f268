// Deep Sets rho(sum phi(x_i)) learning the sum and the maximum of sets of 2-10
// numbers in [0, 1): invariant under permutations by construction, one
// parameter set for every set size.
//   npm run example -- cdl-deepsets [--json]
import { init } from "paralens";
import { log, report } from "./cdl/cli.ts";
import { trainDeepSets } from "./cdl/sets.ts";

await init();
console.log("deepSets(phi = dense(1, 32, relu) ; dense(32, 32, relu), rho = dense(32, 32, relu) ; dense(32, 1)): set sum");
const sum = await trainDeepSets({ task: "sum", log });
console.log(`  test mean absolute error ${sum.meanAbsError!.toFixed(4)}; on sets of 11-15 (never seen): ${sum.meanAbsErrorLarger!.toFixed(4)}`);
console.log("the same model: set maximum");
const max = await trainDeepSets({ task: "max", log });
console.log(`  test mean absolute error ${max.meanAbsError!.toFixed(4)}; on sets of 11-15 (never seen): ${max.meanAbsErrorLarger!.toFixed(4)}`);
report("cdl-deepsets", {
  sumMeanAbsError: sum.meanAbsError!,
  sumMeanAbsErrorLarger: sum.meanAbsErrorLarger!,
  maxMeanAbsError: max.meanAbsError!,
  maxMeanAbsErrorLarger: max.meanAbsErrorLarger!,
  seconds: sum.seconds! + max.seconds!,
});
