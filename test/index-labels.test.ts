// Class indices as labels for softmaxCrossEntropy (one per example) and
// tokenCrossEntropy (one per token): the fused index kernels against the
// float64 reference on both passes, the reference's reverse against central
// finite differences, the same bits as one-hot labels on the wasm plan, and
// bad indices refused with the label and its value named.
import { test } from "./harness.ts";
import { assert, assertClose, assertThrows } from "./assert.ts";
import { type RandomCase, magnitude, randomCase, runReference, runWasm, sameValues } from "./util.ts";
import {
  init, adam, mse, transformer, dense, softmaxCrossEntropy, supervised, type Para, type Value, type Wires, backends, initialisers, learning, losses,
} from "../ts-api/index.ts";
import { resolve } from "../ts-api/algebra/para.ts";

await init();

/** A case of a loss at logits `shape` with index labels of `labelShape`, and the same case with one-hot labels. */
function cases(loss: typeof softmaxCrossEntropy, shape: number[], labelShape: number[], classes: number, batch: number, seed: number): [RandomCase, RandomCase] {
  const byIndex = randomCase(resolve(loss, [shape, labelShape]) as Para<Wires, Wires>, batch, seed, 3);
  const rng = new initialisers.Rng(seed + 100);
  byIndex.inputs[1] = Float64Array.from(byIndex.inputs[1]!, () => rng.int(classes));
  const hot = randomCase(resolve(loss, [shape, shape]) as Para<Wires, Wires>, batch, seed, 3);
  hot.inputs[0] = byIndex.inputs[0]!;
  hot.inputs[1] = Float64Array.from(learning.oneHot(byIndex.inputs[1], classes));
  hot.changes[0] = byIndex.changes[0]!;
  return [byIndex, hot];
}

const shapes: [string, typeof softmaxCrossEntropy, number[], number[], number][] = [
  ["softmaxCrossEntropy, 7 classes", softmaxCrossEntropy, [7], [], 7],
  ["softmaxCrossEntropy, 4 classes (no tail)", softmaxCrossEntropy, [4], [], 4],
  ["tokenCrossEntropy, 5 tokens of 11 classes", losses.tokenCrossEntropy, [5, 11], [5], 11],
  ["tokenCrossEntropy, 2 x 3 tokens of 6 classes", losses.tokenCrossEntropy, [2, 3, 6], [2, 3], 6],
];

for (const [label, loss, shape, labelShape, classes] of shapes) {
  test(`${label}: index labels give wasm = float64 reference = finite differences, and the one-hot labels' bits`, () => {
    for (const [batch, seed] of [[1, 1], [3, 2]] as const) {
      const [c, hot] = cases(loss, shape, labelShape, classes, batch, seed);
      const [w, r] = [runWasm(c), runReference(c)];
      assertClose(w.outputs[0]!, r.outputs[0]!, { rtol: 1e-5, atol: 1e-6 }, `${label}: loss, wasm vs reference`);
      assertClose(w.inputChanges[0]!, r.inputChanges[0]!, { rtol: 1e-4, atol: 1e-6 * magnitude(r.inputChanges[0]!) }, `${label}: logits' change, wasm vs reference`);
      assert(w.inputChanges[1] === null && r.inputChanges[1] === null, "an index has no change");
      // central differences in the logits only (an index moved by h is no index)
      assertClose(r.inputChanges[0]!, logitDifferences(c), { rtol: 1e-6, atol: 1e-8 }, `${label}: reference vs finite differences`);
      // one-hot labels: the same loss and logits' change, bit for bit
      const h = runWasm(hot);
      assert(sameValues(w.outputs[0]!, h.outputs[0]!), `${label}: the loss is the one-hot loss's bits`);
      assert(sameValues(w.inputChanges[0]!, h.inputChanges[0]!), `${label}: the logits' change is the one-hot change's bits`);
    }
  });
}

/** Central differences of <change, loss> in every logit, on the float64 reference (h = 1e-6). */
function logitDifferences(c: RandomCase): Float64Array {
  const z = Float64Array.from(c.inputs[0]!);
  const pairing = (): number => {
    const [[l]] = c.lens.forward(backends.reference, [], [backends.refTensor([c.batch, ...c.lens.dom[0]!], z), backends.refTensor([c.batch, ...c.lens.dom[1]!], c.inputs[1]!)] as unknown as Value[]);
    return (l as unknown as { data: Float64Array }).data.reduce((s, v, i) => s + v * c.changes[0]![i]!, 0);
  };
  return z.map((keep, j) => {
    z[j] = keep + 1e-6;
    const up = pairing();
    z[j] = keep - 1e-6;
    const down = pairing();
    z[j] = keep;
    return (up - down) / 2e-6;
  });
}

test("index labels: the reference refuses an index out of range, not whole, or NaN, naming the label and its value; a learner refuses them first", () => {
  const lens = resolve(softmaxCrossEntropy, [[3], []]);
  const run = (c: number) => lens.forward(backends.reference, [], [backends.refTensor([2, 3], [0, 1, 2, 3, 4, 5]), backends.refTensor([2], [0, c])] as unknown as Value[]);
  assertThrows(() => run(3), /indexCrossEntropy: label 1 is 3; class indices are whole numbers in \[0, 3\)/);
  assertThrows(() => run(-1), /indexCrossEntropy: label 1 is -1; class indices/);
  assertThrows(() => run(1.5), /indexCrossEntropy: label 1 is 1.5; class indices/);
  assertThrows(() => run(NaN), /indexCrossEntropy: label 1 is NaN; class indices/);
  const learner = supervised(dense(2, 3), { loss: softmaxCrossEntropy, labels: "indices" });
  assertThrows(() => learner.step([[1, 2], [3, 4]], [0, 3]), /step y: row 1, index 0 is 3; class indices are whole numbers in \[0, 3\)/);
  assertThrows(() => learner.step([[1, 2], [3, 4]], [0, 0.5]), /step y: row 1, index 0 is 0.5; class indices are whole numbers/);
  assertThrows(() => learner.step([[1, 2], [3, 4]], [NaN, 0]), /step y: value 0 is NaN \(row 0\); values must be finite numbers/);
  assertThrows(() => learner.evaluate([[1, 2]], [[0, 0, 1]]), /evaluate y: row 0 has 3 values, expected 1/);
  learner.dispose();
  assertThrows(() => supervised(dense(2, 1), { loss: mse, labels: "indices" }), /supervised: labels "indices" needs the loss softmaxCrossEntropy or tokenCrossEntropy, got mse/);
  assertThrows(() => supervised(dense(2, 3), { loss: softmaxCrossEntropy, labels: "classes" as never }), /supervised: labels must be "values" or "indices", got "classes"/);
});

test("a learner with token index labels takes them flat or nested, one per token, and no fewer", () => {
  const t = supervised(transformer({ vocab: 5, context: 3, dim: 4, heads: 1, layers: 1 }), { loss: losses.tokenCrossEntropy, labels: "indices", seed: 1 });
  const u = supervised(transformer({ vocab: 5, context: 3, dim: 4, heads: 1, layers: 1 }), { loss: losses.tokenCrossEntropy, labels: "indices", seed: 1 });
  assert(t.step([0, 1, 2, 4, 4, 3], [1, 2, 3, 4, 3, 0]) === u.step([[0, 1, 2], [4, 4, 3]], [[1, 2, 3], [4, 3, 0]]), "flat and nested are the same batch");
  // one number per example is not one per token (with one-hot labels it would be taken for class indices)
  assertThrows(() => t.step([[0, 1, 2], [4, 4, 3]], [1, 2]), /step y: 2 values do not split into examples of shape \[3\]/);
  const e = t.evaluate([[0, 1, 2]], [[1, 2, 3]]);
  assert(e.accuracy >= 0 && e.accuracy <= 1 && [0, 1 / 3, 2 / 3, 1].some((a) => Math.abs(a - e.accuracy) < 1e-12), `accuracy is a share of 3 tokens, got ${e.accuracy}`);
  t.dispose();
  u.dispose();
});

test("a learner with index labels takes the same steps as with one-hot labels, to the bit", () => {
  const x = [[1, 2, 3, 4], [0, 1, 0, -1], [2, 2, -1, 0]];
  const a = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 1 });
  const b = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 1, labels: "indices" });
  for (let k = 0; k < 5; k++) assert(a.step(x, [[0, 0, 1], [1, 0, 0], [0, 1, 0]]) === b.step(x, [2, 0, 1]), `step ${k}: the same loss`);
  assert(sameValues(a.parameters()["weight"]!, b.parameters()["weight"]!), "the same weights");
  const [ea, eb] = [a.evaluate(x, [2, 0, 1]), b.evaluate(x, [2, 0, 1])];
  assert(ea.loss === eb.loss && ea.accuracy === eb.accuracy, "the same evaluation");
  a.dispose();
  b.dispose();
});

