// A plan that only predicts packs each weight that is a product's B once
// (gemmPanels) and packs it again only when the weight's version moved. Its
// results are the bits of a plan that packs per call; each way a weight
// changes (a learner's step and fit, setParameters, load, set and data on a
// plan's parameter tensors, a predictor on a learner's parameters) is seen by
// the next prediction; a write through a view kept from before a run is seen
// once changed() says so. On threads, the packed product is cut as any other,
// with the same bits.
import { type Compiled, type Para, type Tensor, type Wires, adam, compile, engine, init, layers, learning, losses, predictor, sgd, softmaxCrossEntropy, supervised, transformer } from "../ts-api/index.ts";
import { createEngine } from "../ts-api/engine/init.ts";
import { demoCnn, mnistMlp } from "../examples/models/mnist.ts";
import { assert, assertEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

const bits = (a: Float32Array): string => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (u) => u.toString(16)).join(",");

/** Inputs in [0, 1) (token ids below `ids`, when given). */
function inputs(size: number, seed: number, ids = 0): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => {
    const u = (Math.sin(i * 0.37 + seed) + 1) / 2;
    return ids > 0 ? Math.floor(u * ids) % ids : u;
  });
}

/** One forward pass of `plan` on x: a copy of its output. */
function run(plan: Compiled, x: Float32Array): Float32Array {
  plan.inputs[0]!.set(x);
  plan.forward();
  return plan.outputs[0]!.toArray();
}

/** What a plan compiled now (packing per call: it plans a reverse pass too) gives on `params`. */
function fresh(model: Para<Wires, Wires>, params: readonly Tensor[], batch: number, x: Float32Array): Float32Array {
  const plan = compile(model, { batch, params, changes: "all" });
  try {
    return run(plan, x);
  } finally {
    plan.dispose();
  }
}

const size = (model: Para<Wires, Wires>, batch: number): number => batch * model.dom[0]!.reduce((a, b) => a * b, 1);

test("a plan that only predicts multiplies packed weights, with the bits of a plan that packs them per call (MLP, CNN, transformer; batch 1 and more)", () => {
  const models: [string, Para<Wires, Wires>, number][] = [
    ["MNIST MLP", mnistMlp(), 0],
    ["demo CNN", demoCnn(), 0],
    ["transformer", transformer({ vocab: 11, context: 9, dim: 16, heads: 2, layers: 2 }), 11],
    // an unembedding is x W^T: the packed panels of a transposed B, at batch 1 too
    ["unembedding", layers.unembedding(13, 6).at([6]) as unknown as Para<Wires, Wires>, 0],
  ];
  for (const [name, model, ids] of models) {
    for (const batch of [1, 3, 6]) {
      const plan = compile(model, { batch, changes: "none", seed: 5 });
      try {
        const x = inputs(size(model, batch), batch, ids);
        if (batch > 1 || name === "unembedding") assert(plan.stats.kernels.includes("gemmPanels"), `${name} batch ${batch}: its products read packed panels (${plan.stats.kernels.join(" ")})`);
        const first = run(plan, x);
        assertEqual(bits(run(plan, x)), bits(first), `${name} batch ${batch}: a second run, the panels kept`);
        assertEqual(bits(first), bits(fresh(model, plan.params, batch, x)), `${name} batch ${batch}: the bits of the plan that packs per call`);
      } finally {
        plan.dispose();
      }
    }
  }
  const training = compile(mnistMlp(), { batch: 4, changes: "params" });
  assert(!training.stats.kernels.includes("gemmPanels"), "a training plan packs per call (its weights change every step)");
  training.dispose();
});

test("a weight changed through a plan's parameter tensors (set, data, changed() after a kept view) is packed again", () => {
  const model = mnistMlp(), batch = 4;
  const plan = compile(model, { batch, changes: "none", seed: 1 });
  try {
    const x = inputs(size(model, batch), 2);
    const w = plan.params[0]!;
    const before = run(plan, x);
    const values = w.toArray().map((v) => v * 0.5);
    w.set(values);
    const afterSet = run(plan, x);
    assert(bits(afterSet) !== bits(before), "set changed the outputs");
    assertEqual(bits(afterSet), bits(fresh(model, plan.params, batch, x)), "set: the bits of a fresh plan");
    w.data[7] = 3;
    assertEqual(bits(run(plan, x)), bits(fresh(model, plan.params, batch, x)), "a write through data: the bits of a fresh plan");
    // the documented rule: a view kept from before a run is not watched...
    const kept = w.data;
    const packed = run(plan, x);
    kept.fill(0.01);
    assertEqual(bits(run(plan, x)), bits(packed), "a write through a view kept from before the run is not seen");
    // ...until changed() (or data taken again) says so
    w.changed();
    assertEqual(bits(run(plan, x)), bits(fresh(model, plan.params, batch, x)), "after changed(): the bits of a fresh plan");
    // a view of the weight (reshape, slice) counts for the tensor it was made from
    w.reshape([w.size]).data[0] = -1;
    assertEqual(bits(run(plan, x)), bits(fresh(model, plan.params, batch, x)), "a write through a view's data: the bits of a fresh plan");
  } finally {
    plan.dispose();
  }
});

test("a learner's step, fit, setParameters and load are seen by its predict, by a predictor on its parameters and by plans sharing them", async () => {
  const model = mnistMlp(), batch = 8;
  const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam(), seed: 3 });
  const other = supervised(mnistMlp(), { loss: softmaxCrossEntropy, optimiser: adam(), seed: 9 });
  const p = predictor(learner, { maxBatch: 8, maxDelayMs: 0 });
  const plan = compile(model, { batch, params: learner.params, changes: "none" });
  try {
    const x = inputs(size(model, batch), 4);
    const rows = Array.from({ length: batch }, (_, i) => x.subarray(i * 784, (i + 1) * 784));
    const y = Float32Array.from({ length: batch * 10 }, (_, i) => (i % 10 === (Math.floor(i / 10) * 3) % 10 ? 1 : 0));
    const check = async (what: string): Promise<void> => {
      const want = fresh(model, learner.params, batch, x);
      assertEqual(bits(run(plan, x)), bits(want), `${what}: a plan on the learner's parameters`);
      assertEqual(bits(learner.predict(x)), bits(want), `${what}: the learner's predict`);
      const answers = await Promise.all(rows.map((r) => p.predict(r)));
      answers.forEach((a, i) => assertEqual(bits(a), bits(want.subarray(i * 10, (i + 1) * 10)), `${what}: the predictor's row ${i}`));
    };
    await check("before any change");
    const start = bits(run(plan, x));
    learner.step(x, y);
    assert(bits(run(plan, x)) !== start, "the step changed the predictions");
    await check("after step");
    await learner.fit(x, y, { epochs: 2, batchSize: 4 });
    await check("after fit");
    learner.setParameters(other.parameters());
    await check("after setParameters");
    const bytes = await other.save();
    other.step(x, y);
    await other.load(bytes);
    learner.step(x, y);
    await learner.load(bytes);
    await check("after load");
  } finally {
    plan.dispose();
    await p.close();
    learner.dispose();
    other.dispose();
  }
});

test("a training plan's update of shared parameters (in place, no data taken) is seen by a plan that packed them", () => {
  const model = mnistMlp(), batch = 4;
  const lens = learning.supervisedLens(model, { loss: softmaxCrossEntropy, optimiser: sgd(), rate: losses.constantRate(0.5) });
  const train = compile(lens, { batch, changes: "params", seed: 2 });
  const byName = new Map(lens.params.map((p, i) => [p.name, train.params[i]!]));
  const params = model.params.map((p) => byName.get(p.name)!);
  const plan = compile(model, { batch, params, changes: "none" });
  try {
    const x = inputs(size(model, batch), 6);
    const before = run(plan, x);
    train.inputs[0]!.set(x);
    train.inputs[1]!.set(Float32Array.from({ length: batch * 10 }, (_, i) => (i % 10 === 3 ? 1 : 0)));
    train.forward();
    train.reverse();
    const after = run(plan, x);
    assert(bits(after) !== bits(before), "the update changed the predictions");
    assertEqual(bits(after), bits(fresh(model, params, batch, x)), "after the update: the bits of a fresh plan");
  } finally {
    plan.dispose();
    train.dispose();
  }
});

test("on threads, a packed product is cut as any other (grid, rows, columns, K blocks) with the bits of one thread", async () => {
  const e = await createEngine({ threads: 2 });
  try {
    if (e.threads.max < 2) return;
    await e.threadsReady();
    // [m, n, k]: a grid of column blocks, rows, columns (cuts at multiples of 8), a small C with long K
    for (const [m, n, k] of [[512, 512, 300], [300, 60, 300], [20, 700, 200], [12, 16, 3000], [37, 301, 555]] as const) {
      for (const transB of [false, true]) {
        const a = e.tensor([m * k], inputs(m * k, m)), b = e.tensor([k * n], inputs(k * n, n));
        const panels = e.tensor([k * Math.ceil(n / 8) * 8]);
        const c = e.tensor([m * n], inputs(m * n, 1)), want = e.tensor([m * n], inputs(m * n, 1));
        const plain = transB ? "gemmNT" : "gemmNN";
        try {
          e.setThreads(1);
          e.core[plain](want.offset, a.offset, b.offset, m, n, k, 0);
          e.setThreads(2);
          // packing (on the calling thread, then cut across threads), then packed
          for (const from of [b.offset, 0]) {
            c.data.fill(9);
            e.core.gemmPanels(c.offset, a.offset, panels.offset, m, n, k, from, transB ? 1 : 0);
            assertEqual(bits(c.toArray()), bits(want.toArray()), `gemmPanels${transB ? " (B transposed)" : ""} ${m}x${n}x${k}${from ? ", packing" : ", packed"} on two threads: ${plain}'s bits on one`);
          }
        } finally {
          for (const t of [a, b, panels, c, want]) t.dispose();
        }
      }
    }
  } finally {
    e.stopThreads();
  }
});

test("plans over the same weights share one packed copy, freed with the last of them; each sees the others' repacking", () => {
  const model = mnistMlp();
  const params = compile(model, { batch: 1, changes: "none", seed: 1 });
  const weights = params.params;
  const before = engine().stats().bytes;
  const panels = 4 * (784 * 128 + 128 * 16);
  const first = compile(model, { batch: 4, changes: "none", params: weights });
  const afterFirst = engine().stats().bytes;
  const second = compile(model, { batch: 4, changes: "none", params: weights });
  const afterSecond = engine().stats().bytes;
  assertEqual(first.stats.keptBytes, panels, "the first plan keeps the packed weights");
  assertEqual(afterSecond - afterFirst, afterFirst - before - panels, "the second takes the same memory but for the packed weights");
  const wide = compile(model, { batch: 16, changes: "none", params: weights });
  const x4 = inputs(4 * 784, 3), x16 = inputs(16 * 784, 4);
  const same = (got: Float32Array, want: Float32Array, what: string): void => assert(bits(got) === bits(want), `${what}: the bits of a plan that packs per call`);
  same(run(first, x4), fresh(model, weights, 4, x4), "first");
  same(run(wide, x16), fresh(model, weights, 16, x16), "a plan at another batch");
  // a weight changed: whichever plan runs first packs again, for all
  weights[0]!.data[5] = 3;
  same(run(second, x4), fresh(model, weights, 4, x4), "second, after the change");
  same(run(wide, x16), fresh(model, weights, 16, x16), "the other batch, after the change");
  first.dispose();
  second.dispose();
  same(run(wide, x16), fresh(model, weights, 16, x16), "the last plan keeps the packed copy");
  wide.dispose();
  assertEqual(engine().stats().bytes, before, "the packed copy is freed with the last plan");
  params.dispose();
});

test("packed weights are freed with the plan that alone holds them", () => {
  const before = engine().stats();
  const plan = compile(mnistMlp(), { batch: 4, changes: "none", seed: 1 });
  run(plan, inputs(4 * 784, 1));
  plan.dispose();
  const after = engine().stats();
  assertEqual(JSON.stringify(after), JSON.stringify(before), "the arena as it was");
});
