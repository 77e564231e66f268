// The examples in the doc comments of the categorical deep learning API, run
// as written (shapes checked, one forward pass or training step each).
import { adam, compile, dense, init, mse, par, seq, initialisers, wires } from "../ts-api/index.ts";
import { StructuredLearner, checkEquivariance, circularConv1d, deepSets, elman, fold, foldTree, gru, mealy, messagePassing, point, shiftAction, unfold } from "../ts-api/cdl/index.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

const shapes = (f: { dom: readonly (readonly number[])[]; cod: readonly (readonly number[])[] }): string => JSON.stringify([f.dom, f.cod]);
function runs(f: Parameters<typeof compile>[0]): void {
  const plan = compile(f, { batch: 3, seed: 1 });
  for (const t of plan.inputs) t.data.forEach((_, i, a) => (a[i] = Math.sin(i)));
  plan.forward();
  for (const t of plan.outputs) assert(t.data.every(Number.isFinite), `${f.name}: output is not finite`);
  plan.dispose();
}

test("doc examples: fold, cells, concat, diagram, foldTree, unfold, mealy", () => {
  const rnn = fold({ nil: point([8]), cons: elman(1, 8) });
  const model = seq(rnn.at(5), dense(8, 1));
  assertDeepEqual(shapes(model), JSON.stringify([[[5, 1]], [[1]]]));
  runs(model);
  assertDeepEqual(shapes(wires.concat([3], [5])), JSON.stringify([[[3], [5]], [[8]]]));
  const blend = wires.diagram("blend", [[4], [4]], (d, [a, b]) => [d.apply1(wires.add([4]), [a!, d.apply1(wires.multiply([4]), [a!, b!])])]);
  runs(blend);
  const net = foldTree({ leaf: dense(1, 8, "tanh"), node: seq(wires.concat([3], [8], [8]), dense(19, 8, "tanh")), label: [3] });
  const treeModel = seq(net.at("((..).)"), dense(8, 1));
  assertDeepEqual(shapes(treeModel), JSON.stringify([[[3, 1], [2, 3]], [[1]]]));
  runs(treeModel);
  const wave = unfold(seq(dense(8, 8, "tanh"), wires.wire([[8]], [0, 0]), par(dense(8, 1), wires.id([8]))));
  const first20 = wave.take(20);
  assertDeepEqual(shapes(first20), JSON.stringify([[[8]], [[20, 1]]]));
  runs(first20);
  const parity = mealy(wires.diagram("step", [[1], [8]], (d, [x, h]) => {
    const h2 = d.apply1(gru(1, 8), [x!, h!], "gru");
    return [d.apply1(dense(8, 1, "sigmoid"), [h2], "out"), h2];
  }));
  const machine = parity.outputs(10, point([8]));
  assertDeepEqual(shapes(machine), JSON.stringify([[[10, 1]], [[10, 1]]]));
  runs(machine);
});

test("doc examples: checkEquivariance, deepSets, messagePassing, StructuredLearner", () => {
  const { maxError } = checkEquivariance(circularConv1d(16, 1, 4, 3), { input: shiftAction(16, [16, 1]), output: shiftAction(16, [16, 4]) });
  assert(maxError < 1e-5, `circular convolution: ${maxError}`);
  const setSum = deepSets(10, dense(1, 16, "relu"), seq(dense(16, 16, "relu"), dense(16, 1)));
  runs(setSum);
  const gnn = seq(messagePassing(6, 2, 8, "tanh"), messagePassing(6, 8, 8, "tanh"));
  assertDeepEqual(shapes(gnn), JSON.stringify([[[6, 2], [6, 6]], [[6, 8], [6, 6]]]));
  runs(gnn);
  const rnn = fold({ nil: point([16]), cons: gru(1, 16) });
  const learner = new StructuredLearner((T) => seq(rnn.at(Number(T)), dense(16, 1)), { key: 5, loss: mse, optimiser: adam() });
  const rng = new initialisers.Rng(1);
  const lists5 = Float32Array.from({ length: 4 * 5 }, () => rng.uniform());
  const sums5 = Float32Array.from({ length: 4 }, (_, e) => lists5.subarray(e * 5, e * 5 + 5).reduce((a, b) => a + b, 0));
  assert(Number.isFinite(learner.step(5, [lists5], sums5)), "step");
  learner.dispose();
});
