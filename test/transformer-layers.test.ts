// The layers of a transformer, each on the wasm plan vs the float64 reference
// (1e-4 relative) and the reference's reverse vs central finite differences,
// at odd sizes; the causal mask (a later token never moves an earlier output,
// bit for bit); dropout's mask (seeded, only in training plans); the tied
// embedding's change (the sum of its two uses').
import { test } from "./harness.ts";
import { assert, assertClose, assertThrows } from "./assert.ts";
import { type LensCase, type RandomCase, finiteDifferences, lensCases, randomCase, runReference, runWasm, sameValues } from "./util.ts";
import {
  init, attention, embedding, residual, transformer, layerNorm, seq, compile, engine, type Para, type Wires, layers, losses,
} from "../ts-api/index.ts";
import { resolve } from "../ts-api/algebra/para.ts";

await init();

type Tweak = (c: RandomCase) => void;
/** Input wire k holds token ids below `vocab` (with one out of range, which reads a zero row). */
const ids = (k: number, vocab: number, outOfRange = false): Tweak => (c) =>
  c.inputs[k]!.forEach((v, i, a) => (a[i] = outOfRange && i === 1 ? vocab + 3 : Math.floor(Math.abs(v) * 997) % vocab));
/** Label wire k one-hot over its last axis of `classes`. */
const oneHot = (k: number, classes: number): Tweak => (c) => {
  const a = c.inputs[k]!;
  for (let r = 0; r < a.length / classes; r++) {
    const hot = Math.floor(Math.abs(a[r * classes]!) * 991) % classes;
    for (let j = 0; j < classes; j++) a[r * classes + j] = j === hot ? 1 : 0;
  }
};

const cases: LensCase[] = [
  ["embedding", embedding(7, 5), [[6]], ids(0, 7, true), [0]],
  ["positionalEmbedding", layers.positionalEmbedding(3, 5), [[3, 5]]],
  ["unembedding", layers.unembedding(7, 5), [[3, 5]]],
  ["tokenLinear", layers.tokenLinear(5, 3), [[4, 5]]],
  ["tokenLinear without bias", layers.tokenLinear(3, 6, { bias: false }), [[2, 3]]],
  ["attention, one head", attention({ heads: 1 }), [[5, 3]]],
  ["attention, 3 heads", attention({ heads: 3 }), [[5, 6]]],
  ["attention, causal, 2 heads", attention({ heads: 2, causal: true }), [[7, 6]]],
  ["residual(layerNorm ; attention)", residual(seq(layerNorm(), attention({ heads: 2, causal: true }))), [[5, 4]]],
  ["transformerBlock", layers.transformerBlock(6, 3, { expansion: 2 }), [[5, 6]]],
  ["tokenCrossEntropy", losses.tokenCrossEntropy, [[5, 7], [5, 7]], oneHot(1, 7)],
  ["transformer (tied)", transformer({ vocab: 7, context: 5, dim: 4, heads: 2, layers: 2, expansion: 1.5 }), [[5]], ids(0, 7), [0]],
];

lensCases(cases);

test("causal attention: changing a later token leaves every earlier output bit-identical", () => {
  const model = transformer({ vocab: 11, context: 9, dim: 8, heads: 2, layers: 2 });
  const plan = compile(model, { batch: 1, changes: "none", seed: 3 });
  try {
    const tokens = [3, 1, 4, 1, 5, 9, 2, 6, 5];
    const run = (t: number[]): Float32Array => (plan.inputs[0]!.set(t), plan.forward(), plan.outputs[0]!.toArray());
    const before = run(tokens);
    for (const at of [8, 5, 2]) {
      const after = run(tokens.map((v, i) => (i === at ? (v + 4) % 11 : v)));
      assert(sameValues(before.subarray(0, at * 11), after.subarray(0, at * 11)), `positions before ${at} changed`);
      assert(!sameValues(before.subarray(at * 11, (at + 1) * 11), after.subarray(at * 11, (at + 1) * 11)), `position ${at} did not change`);
    }
  } finally {
    plan.dispose();
  }
});

test("the tied embedding's change is the sum of its two uses' changes", () => {
  const opts = { vocab: 6, context: 4, dim: 4, heads: 2, layers: 1 } as const;
  const tied = transformer(opts);
  const untied = transformer({ ...opts, tied: false });
  const out = untied.params.findIndex((p) => p.name === "4.weight");
  assert(tied.params.length === untied.params.length - 1 && out === untied.params.length - 1, "tying leaves one parameter fewer");
  const c = randomCase(tied, 2, 5);
  ids(0, 6)(c);
  const both = { ...c, lens: untied, params: [...c.params, c.params[0]!] };
  for (const run of [runReference, runWasm]) {
    const [t, u] = [run(c), run(both)];
    assertClose(t.outputs[0]!, u.outputs[0]!, { rtol: 1e-6, atol: 1e-7 }, "tied and untied models agree");
    const sum = u.paramChanges[0]!.map((v, i) => v + u.paramChanges[out]![i]!);
    assertClose(t.paramChanges[0]!, sum, { rtol: 1e-5, atol: 1e-7 }, `${run.name}: the tied change is the sum of the table's and the output weight's`);
  }
  const fd = finiteDifferences(c);
  assertClose(runReference(c).paramChanges[0]!, fd.paramChanges[0]!, { rtol: 1e-6, atol: 1e-8 }, "tied table change vs finite differences");
});

test("dropout: a seeded mask in training plans, the identity in forward-only plans", () => {
  const e = engine();
  const f = resolve(layers.dropout(0.25, 9), [[4000]]) as Para<Wires, Wires>;
  const x = Float32Array.from({ length: 4000 }, (_, i) => 1 + (i % 13));
  const infer = compile(f, { batch: 1, changes: "none" });
  const train = compile(f, { batch: 1, changes: "all" });
  try {
    infer.inputs[0]!.set(x);
    infer.forward();
    assert(sameValues(infer.outputs[0]!.toArray(), x), "a forward-only plan changed the values");
    assert(infer.stats.forwardCalls === 0, `a forward-only plan ran ${infer.stats.forwardCalls} calls`);
    train.inputs[0]!.set(x);
    train.forward();
    const first = train.outputs[0]!.toArray();
    const dropped = first.filter((v) => v === 0).length / first.length;
    assert(Math.abs(dropped - 0.25) < 0.03, `dropped ${dropped} of the values, expected about 0.25`);
    first.forEach((v, i) => assert(v === 0 || Math.abs(v - x[i]! / 0.75) < 1e-5 * x[i]!, `value ${i} is ${v}`));
    const c = randomCase(f, 1, 4);
    const ref = runReference(c);
    const wasm = runWasm(c);
    assertClose(wasm.outputs[0]!, ref.outputs[0]!, { rtol: 1e-6, atol: 1e-7 }, "first-step mask: wasm vs reference");
    assertClose(wasm.inputChanges[0]!, ref.inputChanges[0]!, { rtol: 1e-6, atol: 1e-7 }, "reverse: wasm vs reference");
    train.forward();
    assert(!sameValues(train.outputs[0]!.toArray(), first), "the second step drew the same mask");
    void e;
  } finally {
    infer.dispose();
    train.dispose();
  }
});

test("transformerBlock refuses a width or an expansion that is not one, naming it", () => {
  assertThrows(() => layers.transformerBlock(Object.create(null) as number, 2), /transformerBlock: d must be a whole number >= 1, got an object/);
  assertThrows(() => layers.transformerBlock(0, 2), /transformerBlock: d must be a whole number >= 1, got 0/);
  assertThrows(() => layers.transformerBlock(4, 2, { expansion: Number.NaN }), /transformerBlock: expansion must be a finite number > 0, got NaN/);
  assertThrows(() => layers.transformerBlock(4, 2, { expansion: "2" as unknown as number }), /transformerBlock: expansion must be a finite number > 0, got "2" \(a string\)/);
});
