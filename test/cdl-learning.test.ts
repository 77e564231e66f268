// CI-sized versions of the examples' learning claims (thresholds measured
// with seeds 1-3, about twice the worst error seen), and the structured
// learner: one parameter set shared by the plans of every structure, each
// step the same as the plain learner's on that structure's model.
import { adam, dense, init, mse, seq, supervised, initialisers } from "../ts-api/index.ts";
import { StructuredLearner, elman, fold, point } from "../ts-api/cdl/index.ts";
import { trainDeepSets } from "../examples/cdl/sets.ts";
import { listBuckets, trainFoldRnn, trainMealyParity } from "../examples/cdl/sequences.ts";
import { trainSine } from "../examples/cdl/sine.ts";
import { trainTreeEvaluator } from "../examples/cdl/trees.ts";
import { assert, assertThrows } from "./assert.ts";
import { sameValues } from "./util.ts";
import { test } from "./harness.ts";

await init();

test("StructuredLearner: a step on one length is the plain learner's step on that length's model, and every length shares the parameters", () => {
  const rnn = fold({ nil: point([6]), cons: elman(1, 6) });
  const build = (T: string) => seq(rnn.at(Number(T)), dense(6, 1));
  const structured = new StructuredLearner(build, { loss: mse, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 3, key: 4 });
  const plain = supervised(build("4") as never, { loss: mse, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 3 });
  const [b4, b7] = listBuckets("sum", [4, 7], 16, new initialisers.Rng(1));
  for (let i = 0; i < 3; i++) {
    const a = structured.step(4, b4!.x, b4!.y);
    const b = plain.step(b4!.x[0]!, b4!.y);
    assert(a === b, `step ${i}: losses ${a} and ${b} differ`);
  }
  const [p, q] = [structured.parameters(), plain.parameters()];
  for (const name of Object.keys(q)) assert(sameValues(p[name]!, q[name]!), `parameter ${name} differs`);
  // a step on lists of 7 moves the same parameters that lists of 4 use
  const before = structured.predict(4, b4!.x);
  structured.step(7, b7!.x, b7!.y);
  assert(!sameValues(structured.predict(4, b4!.x), before), "training on length 7 did not change the length-4 model");
  assertThrows(() => structured.step(5, b4!.x, b4!.y), /input 0 of .* holds 64 values, expected 16 examples of \[5, 1\]/);
  structured.dispose();
  plain.dispose();
});

test("a fold RNN learns the sum (mean absolute error < 0.1) and the parity (accuracy >= 0.99) of lists of 1-6 items", async () => {
  const sum = await trainFoldRnn({ task: "sum", lengths: [1, 2, 3, 4, 5, 6], perLength: 200, epochs: 20, seed: 1 });
  assert(sum.meanAbsError! < 0.1, `sum: mean absolute error ${sum.meanAbsError}`);
  const parity = await trainFoldRnn({ task: "parity", lengths: [1, 2, 3, 4, 5, 6], perLength: 200, epochs: 10, seed: 1 });
  assert(parity.accuracy! >= 0.99, `parity: accuracy ${parity.accuracy}`);
});

test("a tree network evaluates arithmetic expressions (mean absolute error < 0.15; predicting 0 gives about 0.5)", async () => {
  const m = await trainTreeEvaluator({ train: 2000, epochs: 20, seed: 1 });
  assert(m.meanAbsError! < 0.15, `mean absolute error ${m.meanAbsError}`);
});

test("Deep Sets learns the set sum (< 0.03) and the set maximum (< 0.06) of sets of 2-6 numbers", async () => {
  const sum = await trainDeepSets({ task: "sum", sizes: [2, 3, 4, 5, 6], perSize: 200, epochs: 15, seed: 1 });
  assert(sum.meanAbsError! < 0.03, `sum: mean absolute error ${sum.meanAbsError}`);
  const max = await trainDeepSets({ task: "max", sizes: [2, 3, 4, 5, 6], perSize: 200, epochs: 15, seed: 1 });
  assert(max.meanAbsError! < 0.06, `max: mean absolute error ${max.meanAbsError}`);
});

test("an unfold learns to generate sine waves (mean squared error per step < 0.003; silence gives 0.5)", () => {
  const m = trainSine({ examples: 256, epochs: 40, seed: 1 });
  assert(m.mseTrainedSteps! < 0.003, `mean squared error ${m.mseTrainedSteps}`);
});

test("a Mealy machine learns running parity (per-step accuracy >= 0.99)", async () => {
  const m = await trainMealyParity({ examples: 400, epochs: 10, seed: 1 });
  assert(m.stepAccuracy! >= 0.99, `per-step accuracy ${m.stepAccuracy}`);
});
