// batchNorm: in a training plan the batch's statistics, with the exact
// reverse through them (wasm = float64 reference = finite differences for the
// weight, the bias and the input); in a forward-only plan the running
// statistics. The running statistics are parameters of role "statistic":
// their change is momentum (batch statistic - running), not a derivative, so
// the derivative checks leave them out and they are checked on their own,
// after one learner step with sgd and with adam, against the moving average
// computed by hand in float64.
import { test } from "./harness.ts";
import { assert, assertClose, assertDeepEqual, assertThrows } from "./assert.ts";
import { finiteDifferences, magnitude, normal, randomCase, runReference, runWasm } from "./util.ts";
import { init, seq, dense, layers, mse, sgd, adam, supervised, compile, initialisers, optimisers, ParalensError, type Para, type Wires } from "../ts-api/index.ts";

await init();

const MOMENTUM = 0.1;
const EPS = 1e-5;

/** Batch mean and variance per channel of x [n, ...rest, c] (channels last), by hand in float64; biased and unbiased variance. */
function batchStats(x: ArrayLike<number>, n: number, c: number, rest: number): { mean: number[]; biased: number[]; unbiased: number[] } {
  const m = n * rest;
  const mean = Array.from({ length: c }, () => 0);
  const sq = Array.from({ length: c }, () => 0);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let r = 0; r < rest; r++) mean[k]! += x[(b * rest + r) * c + k]! / m;
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let r = 0; r < rest; r++) sq[k]! += (x[(b * rest + r) * c + k]! - mean[k]!) ** 2;
  return { mean, biased: sq.map((s) => s / m), unbiased: sq.map((s) => s / (m - 1)) };
}

/** The four parameters: weight, bias, running mean, running variance (positive). */
function withPositiveVariance(c: ReturnType<typeof randomCase>): void {
  c.params[3] = c.params[3]!.map((v) => 0.5 + Math.abs(v));
}

for (const [what, shape, batch] of [["values [3]", [3], 4], ["images [2, 3, 2]", [2, 3, 2], 3], ["images [2, 2, 3] at batch 1", [2, 2, 3], 1]] as const) {
  test(`batchNorm on ${what}, training: wasm = float64 reference = finite differences for weight, bias and input; the statistics' change is momentum (batch - running)`, () => {
    const channels = shape[shape.length - 1]!;
    const lens = layers.batchNorm(channels).at([...shape]) as Para<Wires, Wires>;
    assertDeepEqual(lens.params.map((p) => [p.name, p.role]), [["weight", "parameter"], ["bias", "parameter"], ["running_mean", "statistic"], ["running_var", "statistic"]]);
    const c = randomCase(lens, batch, 5);
    withPositiveVariance(c);
    const w = runWasm(c);
    const r = runReference(c);
    const near = (a: ArrayLike<number> | null, e: ArrayLike<number> | null, tol: number, label: string): void => {
      assert(a !== null && e !== null, `${label}: a change is missing`);
      assertClose(a, e, { rtol: tol, atol: tol * (magnitude(e) + 1e-3) }, label);
    };
    near(w.outputs[0]!, r.outputs[0]!, 1e-4, "output (wasm vs reference)");
    near(w.inputChanges[0]!, r.inputChanges[0]!, 1e-4, "input change (wasm vs reference)");
    // weight and bias: derivatives; the statistics (2, 3) are not, and are left out of the derivative checks
    for (const i of [0, 1]) near(w.paramChanges[i]!, r.paramChanges[i]!, 1e-4, `parameter change ${i} (wasm vs reference)`);
    const fd = finiteDifferences(c);
    for (const i of [0, 1]) near(r.paramChanges[i]!, fd.paramChanges[i]!, 1e-6, `parameter change ${i} (reference vs finite differences)`);
    near(r.inputChanges[0]!, fd.inputChanges[0]!, 1e-6, "input change (reference vs finite differences)");
    // the statistics' changes, by hand
    const rest = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const s = batchStats(c.inputs[0]!, batch, channels, rest);
    const dMean = s.mean.map((m, k) => MOMENTUM * (m - c.params[2]![k]!));
    const dVar = s.unbiased.map((v, k) => MOMENTUM * (v - c.params[3]![k]!));
    near(r.paramChanges[2]!, dMean, 1e-12, "running mean change (reference)");
    near(r.paramChanges[3]!, dVar, 1e-12, "running variance change (reference)");
    near(w.paramChanges[2]!, dMean, 1e-4, "running mean change (wasm)");
    near(w.paramChanges[3]!, dVar, 1e-4, "running variance change (wasm)");
    // the output normalises with the batch statistics
    const y = r.outputs[0]!;
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < channels; k++) {
        for (let q = 0; q < rest; q++) {
          const i = (b * rest + q) * channels + k;
          const want = ((c.inputs[0]![i]! - s.mean[k]!) / Math.sqrt(s.biased[k]! + EPS)) * c.params[0]![k]! + c.params[1]![k]!;
          assert(Math.abs(y[i]! - want) < 1e-12 * (1 + Math.abs(want)), `output ${i}: ${y[i]} vs ${want}`);
        }
      }
    }
  });
}

test("batchNorm in a forward-only plan normalises with the running statistics", () => {
  const lens = layers.batchNorm(2).at([3, 1, 2]) as Para<Wires, Wires>;
  const c = randomCase(lens, 2, 9);
  withPositiveVariance(c);
  const w = runWasm({ ...c, changes: undefined });
  const [weight, bias, mean, variance] = c.params;
  const want = c.inputs[0]!.map((v, i) => {
    const k = i % 2;
    return ((v - mean![k]!) / Math.sqrt(variance![k]! + EPS)) * weight![k]! + bias![k]!;
  });
  assertClose(w.outputs[0]!, want, { rtol: 1e-5, atol: 1e-6 }, "forward-only output");
});

/** One learner step on seq(batchNorm(3), dense(3, 2)); the running statistics before and after, and the learner's wires. */
function oneStep(optimiser: ReturnType<typeof sgd>): { before: Record<string, Float32Array>; after: Record<string, Float32Array>; x: Float64Array; names: string[] } {
  const model = seq(layers.batchNorm(3, { momentum: MOMENTUM }), dense(3, 2)).at([3]);
  const learner = supervised(model, { loss: mse, optimiser, rate: 0.5, seed: 3 });
  try {
    const rng = new initialisers.Rng(11);
    const x = normal(rng, 5 * 3, 2).map((v, i) => v + (i % 3));
    const y = normal(rng, 5 * 2);
    // start from statistics that are not the initial ones, so both terms of the average count
    learner.setParameters({ ...learner.parameters(), "0.running_mean": [0.3, -0.2, 0.1], "0.running_var": [1.5, 0.7, 2] });
    const before = learner.parameters();
    const copy = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, Float32Array.from(v)]));
    learner.step(x, y);
    const after = Object.fromEntries(Object.entries(learner.parameters()).map(([k, v]) => [k, Float32Array.from(v)]));
    return { before: copy, after, x, names: learner.lens.params.map((p) => p.name) };
  } finally {
    learner.dispose();
  }
}

for (const [name, optimiser] of [["sgd", sgd()], ["adam", adam({ lr: 0.05 })], ["chain(clipByGlobalNorm, adamw)", optimisers.chain(optimisers.clipByGlobalNorm(0.1), optimisers.adamw({ lr: 0.05, weightDecay: 0.5 }))]] as const) {
  test(`one learner step with ${name}: the running statistics are PyTorch's moving average, by hand in float64, whatever the optimiser`, () => {
    const { before, after, x, names } = oneStep(optimiser);
    const s = batchStats(x, 5, 3, 1);
    const mean = s.mean.map((m, k) => (1 - MOMENTUM) * before["0.running_mean"]![k]! + MOMENTUM * m);
    const variance = s.unbiased.map((v, k) => (1 - MOMENTUM) * before["0.running_var"]![k]! + MOMENTUM * v);
    assertClose(after["0.running_mean"]!, mean, { rtol: 1e-5, atol: 1e-6 }, `${name}: running mean`);
    assertClose(after["0.running_var"]!, variance, { rtol: 1e-5, atol: 1e-6 }, `${name}: running variance`);
    // the optimiser moved the learned parameters, and has no state for the statistics
    assert(after["0.weight"]!.some((v, k) => v !== before["0.weight"]![k]), `${name}: the weight moved`);
    assert(!names.some((n) => n.startsWith("0.running_") && n !== "0.running_mean" && n !== "0.running_var"), `${name}: no optimiser state for the statistics: ${names.join(", ")}`);
  });
}

test("a learner with batchNorm saves and loads its running statistics, and predicts with them", async () => {
  const model = seq(layers.batchNorm(2), dense(2, 1)).at([2]);
  const a = supervised(model, { loss: mse, optimiser: adam(), seed: 1 });
  const b = supervised(model, { loss: mse, optimiser: adam(), seed: 2 });
  try {
    a.step([1, 2, 3, 5, 0, 1], [1, 0, 1]);
    const bytes = await a.save();
    await b.load(bytes);
    assertDeepEqual(Array.from(b.parameters()["0.running_var"]!), Array.from(a.parameters()["0.running_var"]!), "loaded running variance");
    assertDeepEqual(Array.from(b.predict([1, 2])), Array.from(a.predict([1, 2])), "the same predictions");
  } finally {
    a.dispose();
    b.dispose();
  }
});

test("batchNorm refuses bad arguments, naming them, and a training batch of one value per channel", () => {
  assertThrows(() => layers.batchNorm(0), /batchNorm: channels must be a whole number >= 1, got 0/);
  assertThrows(() => layers.batchNorm(3, { momentum: 2 }), /batchNorm: momentum must be a number in \[0, 1\], got 2/);
  assertThrows(() => layers.batchNorm(3, { eps: -1 }), /batchNorm: eps must be a finite number >= 0, got -1/);
  assertThrows(() => layers.batchNorm(3).at([3, 2, 2]), /batchNorm\(3\): acts on one wire whose last axis is its 3 channels \(\[3\], or images \[H, W, 3\]\), got \[3, 2, 2\]/);
  assertThrows(() => compile(layers.batchNorm(2).at([2]) as Para<Wires, Wires>, { batch: 1, changes: "params" }), /batchNorm\(2\): a training batch needs more than one value per channel, got 1/);
  // a forward-only plan of one example is fine: it uses the running statistics
  compile(layers.batchNorm(2).at([2]) as Para<Wires, Wires>, { batch: 1, changes: "none" }).dispose();
});
