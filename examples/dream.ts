// Deep dreaming (Cruttwell et al., section 4.3): the demo MNIST classifier,
// trained once and frozen, with the optimiser moved from its parameter wire
// to its input wire. For each class c the input is learned to maximise the
// dot product of the log-probabilities with the one-hot c (that is, log p_c),
// less a total-variation and an L2 penalty, starting from noise and from a
// digit of another class. The images are written as PNG.
//
//   npm run example -- dream [--steps n] [--lr x] [--tv x] [--l2 x] [--quick] [--json]
import { join } from "node:path";
import {
  init, engine, seq, adam, compile, type Para, type Wires, initialisers, layers, learning, losses, optimisers, wires,
} from "paralens";
import { loadMnist, MNIST_PIXELS } from "./data/mnist.ts";
import { trainedClassifier } from "./models/classifier.ts";
import { gridPng, writeOut } from "./images/png.ts";
import { option, report } from "./cli/progress.ts";

await init();
const quick = process.argv.includes("--quick");
const steps = option("steps", quick ? 40 : 300);
const lr = option("lr", 0.02);
const tvWeight = option("tv", 0.01);
const l2Weight = option("l2", 0.001);
const out = join(import.meta.dirname, "..", quick ? "build/images/quick" : "docs/images");
const started = performance.now();

const { model, params: weights } = await trainedClassifier({ quick });
const IMAGE = [28, 28, 1] as const;
const n = 20; // classes 0-9 from noise, then 0-9 from a digit of the next class

// The dreamed model: an image in, its log-probabilities and its penalty out.
const dreamed = wires.diagram("dreamed", [IMAGE], (d, [x]) => [
  d.apply1(seq(model, layers.softmax, layers.log), [x!]),
  d.apply1(wires.add([]), [d.apply1(losses.totalVariation(IMAGE, tvWeight), [x!]), d.apply1(losses.l2Penalty(IMAGE, l2Weight), [x!])]),
]);
// The closed dreaming lens: the optimiser on the input wire, the model frozen;
// the target class in; the loss <log p, onehot(c)> - penalty, ascended (rate -1).
const dreaming = seq(
  wires.diagram("dream", [[10]], (d, [target]) => {
    const [logp, penalty] = d.apply(learning.learnInput(dreamed, adam({ lr }), { examples: n }), []);
    return [d.apply1(wires.subtract([]), [d.apply1(losses.dotProduct, [logp!, target!]), penalty!])];
  }),
  optimisers.ascend(losses.constantRate(1)),
) as Para<Wires, Wires>;

const e = engine();
const own = dreaming.params.slice(0, dreaming.params.length - weights.length).map((p) => e.tensor(p.shape));
const input = own[own.length - 1]!;
const plan = compile(dreaming, { batch: n, params: [...own, ...weights], changes: "params" });
console.log(`dreaming plan: ${plan.stats.forwardCalls} + ${plan.stats.reverseCalls} kernel calls per step; ` +
  `no weight-gradient kernel (gemmTN: ${plan.stats.kernels.filter((k) => k === "gemmTN").length})`);

// starting points: noise around grey, and one test digit of class c + 1 for class c
const { testX, testY } = loadMnist({ train: 8000, test: 2000, seed: 0 });
const rng = new initialisers.Rng(1);
const start = new Float32Array(n * MNIST_PIXELS);
for (let i = 0; i < 10 * MNIST_PIXELS; i++) start[i] = 0.5 + 0.1 * rng.normal();
for (let c = 0; c < 10; c++) {
  const k = testY.findIndex((y) => y === (c + 1) % 10);
  start.set(testX.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), (10 + c) * MNIST_PIXELS);
}
input.set(start);
const target = new Float32Array(n * 10);
for (let i = 0; i < n; i++) target[i * 10 + (i % 10)] = 1;
plan.inputs[0]!.set(target);

const probe = compile(seq(model, layers.softmax), { batch: n, params: weights, changes: "none" });
const targetProbabilities = (): Float32Array => {
  probe.inputs[0]!.set(input.data);
  probe.forward();
  const p = probe.outputs[0]!.data;
  return Float32Array.from({ length: n }, (_, i) => p[i * 10 + (i % 10)]!);
};
const fmt = (p: Float32Array): string => Array.from(p, (v) => v.toFixed(3)).join(" ");
const before = targetProbabilities();
console.log(`step 0: p(target) from noise ${fmt(before.subarray(0, 10))}`);
console.log(`        from digits ${fmt(before.subarray(10))}`);
const reached = new Int32Array(n).fill(-1);
const dreamStarted = performance.now();
for (let s = 1; s <= steps; s++) {
  plan.forward();
  plan.reverse();
  if (s % 10 === 0 || s === steps) {
    const p = targetProbabilities();
    p.forEach((v, i) => reached[i] === -1 && v >= 0.99 && (reached[i] = s));
    if (s % 100 === 0 || s === steps) console.log(`step ${s}: min p(target) from noise ${Math.min(...p.subarray(0, 10)).toFixed(4)}, from digits ${Math.min(...p.subarray(10)).toFixed(4)}`);
  }
}
const dreamSeconds = (performance.now() - dreamStarted) / 1000;
const after = targetProbabilities();
console.log(`step ${steps}: p(target) from noise ${fmt(after.subarray(0, 10))}`);
console.log(`        from digits ${fmt(after.subarray(10))}`);

// pictures: one per class (its dream from noise, the digit it started from, its dream from that digit), and an overview
const dreams = input.toArray();
const pick = (...rows: number[]): Float32Array => {
  const a = new Float32Array(rows.length * MNIST_PIXELS);
  rows.forEach((r, j) => a.set(r < 0 ? start.subarray((-r - 1) * MNIST_PIXELS, -r * MNIST_PIXELS) : dreams.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), j * MNIST_PIXELS));
  return a;
};
for (let c = 0; c < 10; c++) {
  writeOut(join(import.meta.dirname, "..", "build/images/dream", `class-${c}.png`), gridPng({ images: pick(c, -(11 + c) , 10 + c), count: 3, h: 28, w: 28, columns: 3, normalise: true, zoom: 3 }));
}
const overview = pick(...Array.from({ length: 10 }, (_, c) => c), ...Array.from({ length: 10 }, (_, c) => -(11 + c)), ...Array.from({ length: 10 }, (_, c) => 10 + c));
writeOut(join(out, "dream.png"), gridPng({ images: overview, count: 30, h: 28, w: 28, columns: 10, normalise: true }));
console.log(`wrote ${join(out, "dream.png")} (rows: dreams from noise of 0-9, the digits started from, their dreams) and build/images/dream/class-*.png`);

const minNoise = Math.min(...after.subarray(0, 10));
const minDigit = Math.min(...after.subarray(10));
report("dream", {
  minProbabilityFromNoise: minNoise,
  minProbabilityFromDigit: minDigit,
  classesAbove099: after.reduce((k, p) => k + (p >= 0.99 ? 1 : 0), 0) / 2,
  slowestStepTo099: reached.includes(-1) ? -1 : Math.max(...reached),
  steps,
  lr,
  tvWeight,
  l2Weight,
  dreamSeconds,
  totalSeconds: (performance.now() - started) / 1000,
});
plan.dispose();
probe.dispose();
for (const t of [...own, ...weights]) t.dispose();
