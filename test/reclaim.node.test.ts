// Memory: learners dropped without dispose() are reclaimed when collected
// (FinalizationRegistry), and creating, training and dropping many models
// leaves the arena where it began. PARALENS_MODELS sets how many (default
// 200; `npm run soak` runs 10,000).
import { test } from "./harness.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Rng, dense, engine, init, seq, sgd, adam, softmaxCrossEntropy, supervised, initialisers, layers } from "../ts-api/index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
await init();

const live = () => {
  const s = engine().stats();
  return { tensors: s.tensors, bytes: s.bytes };
};

/** Collects until the finalisers have run (they run as tasks after a collection). */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function trainOne(rng: Rng, i: number): { stats(): unknown } | void {
  const inputs = 1 + Math.floor(rng.int(8));
  const hidden = 1 + Math.floor(rng.int(16));
  const classes = 2 + Math.floor(rng.int(4));
  const batch = 1 + Math.floor(rng.int(12));
  const learner = supervised(seq(dense(inputs, hidden), layers.relu, dense(hidden, classes)), { loss: softmaxCrossEntropy, optimiser: i % 2 ? adam() : sgd(), seed: i });
  const x = Float32Array.from({ length: batch * inputs }, () => rng.uniform() * 2 - 1);
  const y = Array.from({ length: batch }, (_, k) => k % classes);
  learner.step(x, y);
  learner.predict(x);
  learner.evaluate(x, y);
  if (i % 3 === 0) learner.dispose(); // the rest are dropped
}

test("learners dropped without dispose() are reclaimed when collected", async () => {
  await collect();
  const before = live();
  const rng = new initialisers.Rng(1);
  for (let i = 0; i < 100; i++) trainOne(rng, i);
  assert(live().bytes > before.bytes, "the dropped learners hold memory until collected");
  await collect();
  assertDeepEqual(live(), before, "live tensors and bytes after collection");
});

test("creating, training and dropping many models leaves the arena where it began", async () => {
  const models = Number(process.env["PARALENS_MODELS"] ?? 200);
  await collect();
  const before = live();
  const reserved = engine().stats().reservedBytes;
  const rng = new initialisers.Rng(2);
  const t0 = performance.now();
  for (let i = 0; i < models; i++) {
    trainOne(rng, i);
    if (i % 500 === 499) await collect();
  }
  await collect();
  assertDeepEqual(live(), before, `live tensors and bytes after ${models} models`);
  const grown = engine().stats().reservedBytes - reserved;
  console.log(`reclaim: ${models} models in ${((performance.now() - t0) / 1000).toFixed(1)} s; wasm memory grew ${grown} bytes`);
  assert(grown <= 16 * 1024 * 1024, `wasm memory grew ${grown} bytes`);
});
