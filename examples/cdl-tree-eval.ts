// A recursive network (a fold over binary trees, one plan per tree shape)
// evaluating arithmetic expressions such as ((0.31 x -0.5) + 0.12).
//   npm run example -- cdl-tree-eval [--json]
import { init, initialisers } from "paralens";
import { log, report } from "./cdl/cli.ts";
import { evaluate, randomExpression, show, trainTreeEvaluator } from "./cdl/trees.ts";

await init();
const sample = randomExpression(4, new initialisers.Rng(3));
console.log(`foldTree over expressions with 1-4 leaves in [-1, 1] and +, -, x nodes, e.g. ${show(sample)} = ${evaluate(sample).toFixed(4)}`);
const m = await trainTreeEvaluator({ log });
console.log(`  test mean absolute error ${m.meanAbsError!.toFixed(4)}, ${(100 * m.within01!).toFixed(1)}% within 0.1 (predicting 0: ${m.meanAbsErrorPredictingZero!.toFixed(4)})`);
console.log(`  on 5-leaf trees (shapes never seen): ${m.meanAbsError5Leaves!.toFixed(4)}, ${(100 * m.within01FiveLeaves!).toFixed(1)}% within 0.1`);
report("cdl-tree-eval", m);
