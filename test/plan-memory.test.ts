// Compiled plans share memory between their own tensors whose lives do not
// overlap (backend/liveness.ts): the results must be the same bits as with
// no sharing, each pass must be repeatable on its own, and the memory must
// actually shrink.
import {
  init, engine, compile, seq, dense, conv2d, maxPool2d, flatten, softmaxCrossEntropy, adam, type Para, type Wires, initialisers, layers, learning, losses,
} from "../ts-api/index.ts";
import { layout } from "../ts-api/backend/liveness.ts";
import { Tensor } from "../ts-api/engine/tensor.ts";
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual } from "./assert.ts";
import { uniform } from "./util.ts";

await init();

const cnn = (): Para<Wires, Wires> =>
  seq(
    conv2d({ filters: 4, kernel: 3, padding: "same" }), layers.relu, maxPool2d(2),
    conv2d({ filters: 6, kernel: 3 }), layers.relu, maxPool2d(2), flatten, dense(2 * 2 * 6, 3),
  ).at([12, 12, 2]);

/** Runs forward and reverse of f compiled with or without sharing; returns every result's bits. */
function run(f: Para<Wires, Wires>, reuseMemory: boolean, passes: (plan: ReturnType<typeof compile>) => void): Float32Array[] {
  const rng = new initialisers.Rng(11);
  const params = f.params.map((p) => engine().tensor(p.shape, uniform(rng, p.shape.reduce((a, b) => a * b, 1))));
  const plan = compile(f, { batch: 3, params, changes: "all", reuseMemory });
  plan.inputs.forEach((t) => t.set(uniform(rng, t.size)));
  plan.outputChanges.forEach((t) => t.set(uniform(rng, t.size)));
  passes(plan);
  const out = [...plan.outputs, ...plan.paramChanges, ...plan.inputChanges].map((t) => t!.toArray());
  plan.dispose();
  params.forEach((t) => t.dispose());
  return out;
}

const bits = (arrays: Float32Array[]): number[][] => arrays.map((a) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)]);

test("sharing memory gives the same bits as not sharing, on both passes", () => {
  const once = (p: ReturnType<typeof compile>): void => {
    p.forward();
    p.reverse();
  };
  assertDeepEqual(bits(run(cnn(), true, once)), bits(run(cnn(), false, once)));
});

test("each pass can be run again on its own: reverse twice, forward twice", () => {
  const plain = run(cnn(), true, (p) => {
    p.forward();
    p.reverse();
  });
  const twice = run(cnn(), true, (p) => {
    p.forward();
    p.forward();
    p.reverse();
    p.reverse();
  });
  assertDeepEqual(bits(twice), bits(plain));
});

test("a training step updates the parameters to the same bits with and without sharing", () => {
  const step = (reuseMemory: boolean): number[][] => {
    const lens = learning.supervisedLens(cnn(), { loss: softmaxCrossEntropy, optimiser: adam(), rate: losses.constantRate(1) });
    const plan = compile(lens, { batch: 4, seed: 3, changes: "params", reuseMemory });
    const rng = new initialisers.Rng(5);
    plan.inputs[0]!.set(uniform(rng, plan.inputs[0]!.size));
    plan.inputs[1]!.set(Float32Array.from({ length: 12 }, (_, i) => (i % 3 === i % 4 % 3 ? 1 : 0)));
    for (let i = 0; i < 3; i++) {
      plan.forward();
      plan.reverse();
    }
    const out = bits(plan.params.map((t) => t.toArray()));
    plan.dispose();
    return out;
  };
  assertDeepEqual(step(true), step(false));
});

test("plans hold much less memory when tensors share it", () => {
  const deep = seq(dense(64, 64, "relu"), dense(64, 64, "relu"), dense(64, 64, "relu"), dense(64, 64, "relu"), dense(64, 64, "relu"), dense(64, 10));
  const inference = compile(deep, { batch: 32, changes: "none" });
  const { bytes, unsharedBytes } = inference.stats;
  // 11 activations of 32 x 64 floats (8 KiB each) without sharing; two at a time with it, plus inputs and outputs
  assert(unsharedBytes >= 10 * 8192, `unshared ${unsharedBytes}`);
  // and a packed copy of each weight (five 64 x 64, one 64 x 10 in whole 8-column panels: 64 x 16)
  const packed = 4 * (5 * 64 * 64 + 64 * 16);
  assert(bytes <= 4 * 8192, `an inference plan keeps only what is live: ${bytes} bytes of ${unsharedBytes}`);
  assertEqual(inference.stats.keptBytes, packed, "and a packed copy of each weight, kept apart");
  inference.dispose();
  const training = compile(learning.supervisedLens(cnn(), { loss: softmaxCrossEntropy, optimiser: adam(), rate: losses.constantRate(1) }), { batch: 16, changes: "params" });
  assert(training.stats.bytes < 0.75 * training.stats.unsharedBytes, `training plan: ${training.stats.bytes} of ${training.stats.unsharedBytes}`);
  training.dispose();
});

test("layout: lives that do not overlap share; residuals and results never do", () => {
  const t = (n: number): Tensor => Tensor.unplaced(engine(), [n]);
  const [a, b, c, r, d, e, out] = [t(4), t(4), t(4), t(4), t(4), t(4), t(4)];
  const call = (reads: Tensor[], writes: Tensor[]) => ({ reads, writes });
  const forward = [call([], [a, r]), call([a], [b]), call([b], [c]), call([c], [out])];
  const reverse = [call([r], [d]), call([d], [e]), call([e], [])];
  const plan = layout([a, b, c, r, d, e, out], forward, reverse, new Set([out]));
  const at = (x: Tensor): number => plan.offsets.get(x)!;
  assertEqual(at(a), at(c), "a dies before c is born: same memory");
  assert(at(a) !== at(b) && at(b) !== at(c), "neighbours in time do not share");
  for (const x of [a, b, c, d, e, out]) assert(at(r) !== at(x), "the residual r keeps its memory to the end, though last read before e is born");
  for (const x of [a, b, c, d, e, r]) assert(at(out) !== at(x), "the result keeps its memory");
  assertEqual(at(d), at(a), "d (reverse only) may reuse a forward-only tensor's memory");
  assertEqual(plan.unsharedBytes, 7 * 16);
  assertEqual(plan.bytes, 4 * 16);
});
