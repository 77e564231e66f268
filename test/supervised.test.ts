// Supervised learning as one closed lens: one call of its reverse pass is one
// training step, equal to the step computed by hand. And the Learner API
// around it: fit, predict, evaluate, callbacks, abort, errors.
import { test } from "./harness.ts";
import { assert, assertClose, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import { uniform } from "./util.ts";
import {
  init, dense, seq, mse, softmaxCrossEntropy, sgd, adam, supervised, compile, type RefTensor, type Value, ParalensError, backends, initialisers, learning, losses, layers,
} from "../ts-api/index.ts";

await init();

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** One SGD step of sigmoid(x W + b) under 1/2 |y - t|^2, averaged over the batch, by hand in float64. */
function handStep(W: Float64Array, b: Float64Array, x: Float64Array, t: Float64Array, n: number, i: number, o: number, eta: number) {
  const W2 = W.slice();
  const b2 = b.slice();
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < o; k++) {
      let z = b[k]!;
      for (let j = 0; j < i; j++) z += x[r * i + j]! * W[j * o + k]!;
      const y = sig(z);
      const dz = (-eta / n) * (y - t[r * o + k]!) * y * (1 - y); // the change the rate lens sends back, through mse and sigmoid
      for (let j = 0; j < i; j++) W2[j * o + k]! += x[r * i + j]! * dz;
      b2[k]! += dz;
    }
  }
  return { W: W2, b: b2 };
}

test("one reverse call of the closed supervised lens is one hand-computed SGD step", () => {
  const [n, i, o, eta] = [4, 3, 2, 0.5];
  const rng = new initialisers.Rng(3);
  const [W, b, x, t] = [uniform(rng, i * o), uniform(rng, o), uniform(rng, n * i), uniform(rng, n * o, 0.5, 0.5)];
  const lens = learning.supervisedLens(dense(i, o, "sigmoid"), { loss: mse, optimiser: sgd(), rate: losses.constantRate(eta) });
  const want = handStep(W, b, x, t, n, i, o, eta);

  // float64 reference: forward, then the single reverse call; it returns the new parameters
  const V = (r: RefTensor) => r as unknown as Value;
  const [, residual] = lens.forward(backends.reference, [V(backends.refTensor([i, o], W)), V(backends.refTensor([o], b))], [V(backends.refTensor([n, i], x)), V(backends.refTensor([n, o], t))]);
  const [next] = lens.reverse(backends.reference, residual, []);
  const [W64, b64] = next.map((v) => (v as unknown as RefTensor).data);
  assertClose(W64!, want.W, { rtol: 1e-12 }, "reference weight");
  assertClose(b64!, want.b, { rtol: 1e-12 }, "reference bias");

  // wasm: the same lens compiled; reverse updates the parameter tensors in place
  const plan = compile(lens, { batch: n, changes: "params" });
  plan.params[0]!.set(W);
  plan.params[1]!.set(b);
  plan.inputs[0]!.set(x);
  plan.inputs[1]!.set(t);
  plan.forward();
  plan.reverse();
  assertClose(plan.params[0]!.data, want.W, { rtol: 1e-5, atol: 1e-7 }, "wasm weight");
  assertClose(plan.params[1]!.data, want.b, { rtol: 1e-5, atol: 1e-7 }, "wasm bias");
  assert(plan.paramChanges[0] === plan.params[0], "the update is in place: the new parameter is the parameter tensor");
  plan.dispose();
});

test("dense takes an activation by its own names only: an inherited name is refused, naming it", () => {
  assertThrows(() => dense(2, 3, "toString" as "relu"), /unknown activation "toString"; use sigmoid, tanh, relu, leakyRelu or softmax/);
  assertThrows(() => dense(2, 3, "constructor" as "relu"), /unknown activation "constructor"/);
  assertThrows(() => layers.leakyRelu(Object.create(null) as number), /leakyRelu: alpha must be a finite number, got an object/);
  assertThrows(() => layers.leakyRelu(Number.NaN), /leakyRelu: alpha must be a finite number, got NaN/);
});

test("a training plan keeps only the calls training needs", () => {
  const lens = learning.supervisedLens(seq(dense(4, 8, "relu"), dense(8, 3)), { loss: softmaxCrossEntropy, optimiser: sgd(), rate: losses.constantRate(0.1) });
  const full = compile(lens, { batch: 8, changes: "all" });
  const train = compile(lens, { batch: 8, changes: "params" });
  // the input change of the first layer (one gemm) and the label's change are pruned
  assert(train.stats.reverseCalls < full.stats.reverseCalls, `pruned ${train.stats.reverseCalls} vs ${full.stats.reverseCalls}`);
  assertEqual(train.stats.kernels.filter((k) => k === "rowScale").length, 0, "label change (rowScale) pruned");
  full.dispose();
  train.dispose();
});

function blobs(n: number, seed: number): { x: Float32Array; y: number[] } {
  // three separable clusters in 2-D
  const rng = new initialisers.Rng(seed);
  const x = new Float32Array(n * 2);
  const y: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    x[2 * r] = [0, 3, -3][c]! + 0.5 * rng.normal();
    x[2 * r + 1] = [3, -2, -2][c]! + 0.5 * rng.normal();
    y.push(c);
  }
  return { x, y };
}

test("fit trains, reports per epoch, and predict/evaluate agree with it", async () => {
  const { x, y } = blobs(90, 1);
  const learner = supervised(seq(dense(2, 8, "tanh"), dense(8, 3)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.05 }), rate: 1, seed: 2 });
  const epochs: number[] = [];
  let batches = 0;
  const history = await learner.fit(x, y, { epochs: 30, batchSize: 16, seed: 3, onEpochEnd: (r) => epochs.push(r.epoch), onBatchEnd: () => batches++ });
  assertEqual(history.loss.length, 30);
  assertEqual(epochs.join(","), Array.from({ length: 30 }, (_, i) => i + 1).join(","));
  assertEqual(batches, 30 * Math.ceil(90 / 16), "batches (including the smaller last one)");
  assert(history.loss[29]! < history.loss[0]! / 4, `loss fell from ${history.loss[0]} to ${history.loss[29]}`);
  const evaluation = learner.evaluate(x, y);
  assert(evaluation.accuracy > 0.95, `accuracy ${evaluation.accuracy}`);
  const out = learner.predict(x);
  assertEqual(out.length, 90 * 3);
  let hits = 0;
  for (let r = 0; r < 90; r++) {
    const row = Array.from(out.subarray(3 * r, 3 * r + 3));
    if (row.indexOf(Math.max(...row)) === y[r]) hits++;
  }
  assertClose([hits / 90], [evaluation.accuracy], { rtol: 1e-12 }, "predict's argmax agrees with evaluate");
  learner.dispose();
});

test("the same seeds give the same parameters; another seed does not", async () => {
  const { x, y } = blobs(30, 4);
  const run = async (seed: number) => {
    const l = supervised(dense(2, 3), { loss: softmaxCrossEntropy, rate: 0.1, seed });
    await l.fit(x, y, { epochs: 3, batchSize: 7, seed });
    const p = l.parameters();
    l.dispose();
    return Array.from(p.weight!);
  };
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  assertEqual(JSON.stringify(a), JSON.stringify(b), "same seed");
  assert(JSON.stringify(a) !== JSON.stringify(c), "different seed");
});

test("an AbortSignal stops fit between steps and keeps the last completed step", async () => {
  const { x, y } = blobs(60, 5);
  const learner = supervised(dense(2, 3), { loss: softmaxCrossEntropy, rate: 0.1 });
  const controller = new AbortController();
  let seen = 0;
  await assertRejects(
    () => learner.fit(x, y, { epochs: 100, batchSize: 10, signal: controller.signal, onBatchEnd: () => ++seen === 7 && controller.abort() }),
    /AbortError|abort/i,
  );
  assertEqual(seen, 7, "no step after the abort");
  assert(learner.parameters().weight!.every(Number.isFinite), "parameters intact");
  learner.dispose();
});

test("bad data and misuse get errors that say what is wrong", async () => {
  const learner = supervised(dense(4, 3, "sigmoid"), { loss: mse });
  assertThrows(() => learner.predict([1, 2, 3]), /3 values do not split into examples of shape \[4\]/);
  assertThrows(() => learner.predict([[1, 2, 3, 4], [1, 2]]), /row 1 has 2 values, expected 4/);
  assertThrows(() => learner.evaluate([[1, 2, 3, 4]], [7]), /label 0 is 7, not a class in 0..2/);
  assertThrows(() => learner.predict([0, 0, NaN, 0]), /value 2 is NaN/);
  await assertRejects(() => learner.fit([[1, 2, 3, 4]], [0], { batchSize: 0 }), /batchSize must be a whole number >= 1/);
  assertThrows(() => learner.setParameters({ weight: new Float32Array(5) }), /"weight" is \[4, 3\] \(12 values\), got 5/);
  assertThrows(() => learner.setParameters({ weights: new Float32Array(12) }), /has no parameter "weights"/);
  learner.dispose();
  assertThrows(() => learner.predict([1, 2, 3, 4]), /used after dispose/);
  assertThrows(() => supervised(dense(2, 2), { loss: mse }).step([[1, 2]], [[1, 2, 3]]), /row 0 has 3 values, expected 2/);
  const err = assertThrows(() => compile(dense(2, 2), { batch: 0 }), /batch must be a whole number >= 1/);
  assert(err instanceof ParalensError, "errors are ParalensErrors");
});
