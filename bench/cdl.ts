// Recurrent and set models, training steps: folds of Elman and GRU cells and a Deep Sets model, against TensorFlow.js in the same run.
//
//   node --import tsx bench/cdl.ts         (or: npm run bench -- cdl)
//
// Each case times one training step (forward, reverse, Adam update) on the
// same sizes in both libraries, with the `benchmark` package; the numbers
// are steps per second from the median sample time, and the ratio is ours
// over the peer's. TensorFlow.js runs its wasm backend (XNNPACK) and its cpu
// backend, one row each.
import Benchmark from "benchmark";
import { threadsOption } from "./lib/core.ts";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { type Para, adam, dense, engine, init, mse, seq, supervised, initialisers } from "../ts-api/index.ts";
import { deepSets, elman, fold, gru, point } from "../ts-api/cdl/index.ts";

const T = 10, H = 32, B = 32, N_SET = 10;

interface Row { case: string; ours: number; peer: string; peer_value: number | null; unit: string; ratio: number | null }
const rows: Row[] = [];

/** Steps per second from the median of the benchmark's samples (seconds per call). */
function stepsPerSecond(name: string, fn: () => void): number {
  for (let i = 0; i < 5; i++) fn(); // warm up (plans compiled, kernels jitted)
  const bench = new Benchmark(name, fn, { minSamples: 20, maxTime: 3 });
  bench.run();
  const sorted = [...bench.stats.sample].sort((a, b) => a - b);
  return 1 / sorted[Math.floor(sorted.length / 2)]!;
}

function report(row: Row): void {
  rows.push(row);
  const f = (x: number | null): string => (x === null ? "-" : x.toFixed(x >= 100 ? 0 : 2));
  console.log(`${row.case.padEnd(44)} ours ${f(row.ours).padStart(8)} ${row.unit}   ${row.peer.padEnd(14)} ${f(row.peer_value).padStart(8)}   ratio ${f(row.ratio)}`);
}

const rng = new initialisers.Rng(1);
const lists = Float32Array.from({ length: B * T }, () => rng.uniform());
const sums = Float32Array.from({ length: B }, (_, e) => lists.subarray(e * T, (e + 1) * T).reduce((a, b) => a + b, 0));
const sets = Float32Array.from({ length: B * N_SET }, () => rng.uniform());
const maxima = Float32Array.from({ length: B }, (_, e) => Math.max(...sets.subarray(e * N_SET, (e + 1) * N_SET)));

// ---- ours ----------------------------------------------------------------------
await init({ threads: threadsOption() });
function oursStep(model: Para, x: Float32Array, y: Float32Array): () => void {
  const learner = supervised(model as Para<readonly [readonly number[]], readonly [readonly [1]]>, { loss: mse, optimiser: adam({ lr: 0.001 }), rate: 1, seed: 1 });
  return () => void learner.step(x, y);
}
const ours = {
  elman: oursStep(seq(fold({ nil: point([H]), cons: elman(1, H) }).at(T), dense(H, 1)) as Para, lists, sums),
  gru: oursStep(seq(fold({ nil: point([H]), cons: gru(1, H) }).at(T), dense(H, 1)) as Para, lists, sums),
  sets: oursStep(deepSets(N_SET, seq(dense(1, H, "relu"), dense(H, H, "relu")) as Para, seq(dense(H, H, "relu"), dense(H, 1)) as Para), sets, maxima),
};

// ---- TensorFlow.js ---------------------------------------------------------------
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
async function useBackend(name: "wasm" | "cpu"): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js: backend ${name} did not start`);
  await tf.ready();
}

/** A TensorFlow.js training step as a closure on a backend, or the reason it cannot run there. */
async function peerStep(backend: "wasm" | "cpu", make: () => () => void): Promise<(() => void) | string> {
  await useBackend(backend);
  try {
    const step = make();
    step();
    return step;
  } catch (err) {
    return (err as Error).message.split("\n")[0]!;
  }
}

function recurrentStep(kind: "simpleRNN" | "gru"): () => () => void {
  return () => {
    const rnn = kind === "gru" ? tf.layers.gru({ units: H, inputShape: [T, 1], resetAfter: false } as never) : tf.layers.simpleRNN({ units: H, inputShape: [T, 1] });
    const model = tf.sequential({ layers: [rnn, tf.layers.dense({ units: 1 })] });
    const optimizer = tf.train.adam(0.001);
    const x = tf.tensor3d(lists, [B, T, 1]);
    const y = tf.tensor2d(sums, [B, 1]);
    return () => tf.tidy(() => void optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar));
  };
}

function setsStep(): () => void {
  const glorot = (i: number, o: number): tf.Variable => tf.variable(tf.randomUniform([i, o], -Math.sqrt(6 / (i + o)), Math.sqrt(6 / (i + o))));
  const [w1, w2, w3, w4] = [glorot(1, H), glorot(H, H), glorot(H, H), glorot(H, 1)];
  const [b1, b2, b3, b4] = [H, H, H, 1].map((n) => tf.variable(tf.zeros([n])));
  const optimizer = tf.train.adam(0.001);
  const x = tf.tensor2d(sets, [B * N_SET, 1]);
  const y = tf.tensor2d(maxima, [B, 1]);
  return () =>
    tf.tidy(() =>
      void optimizer.minimize(() => {
        const phi = tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1!), b1!)), w2!), b2!));
        const pooled = tf.sum(tf.reshape(phi, [B, N_SET, H]), 1);
        const out = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(pooled, w3!), b3!)), w4!), b4!);
        return tf.losses.meanSquaredError(y, out) as tf.Scalar;
      }),
    );
}

const cases: [string, () => void, () => () => void][] = [
  [`Elman fold train step (T ${T}, H ${H}, batch ${B})`, ours.elman, recurrentStep("simpleRNN")],
  [`GRU fold train step (T ${T}, H ${H}, batch ${B})`, ours.gru, recurrentStep("gru")],
  [`Deep Sets train step (n ${N_SET}, H ${H}, batch ${B})`, ours.sets, setsStep],
];
console.log(`paralens (wasm core, ${engine().simd} SIMD) vs TensorFlow.js ${tf.version.tfjs}, Node ${process.versions.node}`);
for (const [name, mine, peerMaker] of cases) {
  const value = stepsPerSecond(name, mine);
  // the wasm backend is the peer of record; the cpu backend is timed too (for small ops it can be the faster of the two)
  for (const backend of ["wasm", "cpu"] as const) {
    const step = await peerStep(backend, peerMaker);
    if (typeof step === "string") {
      console.log(`${name}: TensorFlow.js ${backend} cannot run it (${step})`);
      continue;
    }
    const theirs = stepsPerSecond(`${name} tfjs-${backend}`, step);
    report({ case: name, ours: value, peer: `tfjs-${backend}`, peer_value: theirs, unit: "steps/s", ratio: value / theirs });
  }
}
console.log(JSON.stringify({ suite: "cdl", peak_gflops: null, rows: rows.map((r) => ({ ...r, ours: Number(r.ours.toPrecision(4)), peer_value: r.peer_value && Number(r.peer_value.toPrecision(4)), ratio: r.ratio && Number(r.ratio.toPrecision(3)) })) }));
