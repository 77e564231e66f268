// A Wasserstein GAN on the MNIST digits of one class (7 unless --digit),
// built by the same lens as the 2-D one (gan/wgan.ts): generator ; critic in one
// closed lens, the critic's step ascending the estimate
// critic(x) - critic(generator(z)) and the generator's descending it, four
// extra critic steps per generator step. The critic's weights are clamped to
// [-c, c] where they are stored, after every step, as in the original WGAN
// (clipAt "stored"; --clip-seen clips only the weights the critic reads).
//
//   generator: 32 -> 128 relu -> 256 relu -> 784 sigmoid
//   critic:    784 -> 256 relu -> 128 relu -> 1
//
// An epoch is one pass of the generator steps' real batches over the class's
// training digits (the extra critic steps draw their own batches). Prints the
// critic's Wasserstein estimate per epoch (the mean over the epoch's generator
// steps, and on the class's test digits at its end) and writes a PNG grid of
// samples.
//
//   npm run example -- wgan-mnist [--digit d] [--epochs n] [--clip c] [--glr x] [--clr x] [--clip-seen] [--quick] [--json]
import { join } from "node:path";
import { init, seq, dense, compile, type Para, type Wires, initialisers } from "paralens";
import { wganLens } from "./gan/wgan.ts";
import { loadMnist, MNIST_PIXELS } from "./data/mnist.ts";
import { gridPng, writeOut } from "./images/png.ts";
import { option, report } from "./cli/progress.ts";

await init();
const quick = process.argv.includes("--quick");
const digit = option("digit", 7);
const epochs = option("epochs", quick ? 2 : 80);
const batch = 64;
const NOISE = 32;
const CRITIC_STEPS = 5;
const out = join(import.meta.dirname, "..", quick ? "build/images/quick" : "docs/images");
const started = performance.now();

const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed: 0 });
const ofClass = (x: Float32Array, y: Uint8Array): Float32Array => {
  const rows = [...y.keys()].filter((i) => y[i] === digit);
  const a = new Float32Array(rows.length * MNIST_PIXELS);
  rows.forEach((i, j) => a.set(x.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), j * MNIST_PIXELS));
  return a;
};
const real = ofClass(trainX, trainY);
const heldOut = ofClass(testX, testY);
const count = real.length / MNIST_PIXELS;
const stepsPerEpoch = Math.ceil(count / batch);
console.log(`wgan-mnist: ${count} training and ${heldOut.length / MNIST_PIXELS} test digits of class ${digit}; ${stepsPerEpoch} generator steps per epoch`);

const generator = seq(dense(NOISE, 128, "relu", { init: initialisers.heUniform }), dense(128, 256, "relu", { init: initialisers.heUniform }), dense(256, 784, "sigmoid")) as Para<Wires, Wires>;
const critic = seq(dense(784, 256, "relu"), dense(256, 128, "relu"), dense(128, 1)) as Para<Wires, Wires>;
const parts = {
  generator, critic, noise: NOISE, data: [784],
  generatorLr: option("glr", 2e-4), criticLr: option("clr", 2e-4), clip: option("clip", 0.02),
  clipAt: process.argv.includes("--clip-seen") ? "seen" : "stored",
} as const;
const lens = wganLens(parts);
const plan = compile(lens, { batch, seed: option("seed", 0), changes: "params" });
// the critic's extra steps: the same lens with the generator's wire frozen, bound to the same tensors
const criticLens = wganLens({ ...parts, criticOnly: true });
const bound = (l: Para<Wires, Wires>) => l.params.map((p) => plan.params[lens.params.findIndex((q) => q.name === p.name)]!);
const criticPlan = compile(criticLens, { batch, params: bound(criticLens), changes: "params" });
// the estimate alone (no step), for the held-out digits
const scorer = compile(wganLens({ ...parts, criticOnly: true }), { batch, params: bound(criticLens), changes: "none" });
const genParams = generator.params.map((p) => plan.params[lens.params.findIndex((q) => q.name === `generator.${p.name}`)]!);
const SAMPLES = 100;
const sampler = compile(generator, { batch: SAMPLES, params: genParams, changes: "none" });

const rng = new initialisers.Rng(7);
const z = new Float32Array(batch * NOISE);
const noise = (): Float32Array => (z.forEach((_, i) => (z[i] = rng.normal())), z);
const x = new Float32Array(batch * MNIST_PIXELS);
const order = Uint32Array.from({ length: count }, (_, i) => i);
/** Rows from..from+batch of the current order (wrapping), or a random batch. */
const realBatch = (from?: number): Float32Array => {
  for (let r = 0; r < batch; r++) {
    const i = from === undefined ? Math.floor(rng.uniform() * count) : order[(from + r) % count]!;
    x.set(real.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), r * MNIST_PIXELS);
  }
  return x;
};
const meanEstimate = (p: typeof plan): number => p.observed.get("estimate")!.data.reduce((a, b) => a + b, 0) / batch;

/** The critic's estimate on the class's test digits against as many fresh samples (whole batches). */
function heldOutEstimate(): number {
  const zr = new initialisers.Rng(99);
  let total = 0;
  const batches = Math.floor(heldOut.length / MNIST_PIXELS / batch);
  for (let b = 0; b < batches; b++) {
    scorer.inputs[0]!.set(Float32Array.from({ length: batch * NOISE }, () => zr.normal()));
    scorer.inputs[1]!.set(heldOut.subarray(b * batch * MNIST_PIXELS, (b + 1) * batch * MNIST_PIXELS));
    scorer.forward();
    total += meanEstimate(scorer);
  }
  return total / batches;
}

const perEpoch: number[] = [];
const heldOutPerEpoch: number[] = [];
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = performance.now();
  rng.shuffle(order);
  let sum = 0;
  for (let s = 0; s < stepsPerEpoch; s++) {
    for (let k = 1; k < CRITIC_STEPS; k++) {
      criticPlan.inputs[0]!.set(noise());
      criticPlan.inputs[1]!.set(realBatch());
      criticPlan.forward();
      criticPlan.reverse();
    }
    plan.inputs[0]!.set(noise());
    plan.inputs[1]!.set(realBatch(s * batch));
    plan.forward();
    plan.reverse();
    sum += meanEstimate(plan); // this batch's estimate, before the step
  }
  perEpoch.push(sum / stepsPerEpoch);
  heldOutPerEpoch.push(heldOutEstimate());
  console.log(`epoch ${epoch}/${epochs}  critic's estimate ${perEpoch[epoch - 1]!.toFixed(4)} (test digits ${heldOutPerEpoch[epoch - 1]!.toFixed(4)})  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const zr = new initialisers.Rng(5);
sampler.inputs[0]!.set(Float32Array.from({ length: SAMPLES * NOISE }, () => zr.normal()));
sampler.forward();
writeOut(join(out, "wgan-mnist.png"), gridPng({ images: sampler.outputs[0]!.data, count: SAMPLES, h: 28, w: 28, columns: 10 }));
console.log(`wrote ${join(out, "wgan-mnist.png")} (${SAMPLES} samples)`);
const fmt = (a: number[]): string => a.map((v) => v.toFixed(4)).join(" ");
console.log(`critic's estimate per epoch: ${fmt(perEpoch)}`);
report("wgan-mnist", {
  digit,
  epochs,
  generatorSteps: epochs * stepsPerEpoch,
  clip: parts.clip,
  clipAt: parts.clipAt,
  generatorLr: parts.generatorLr,
  criticLr: parts.criticLr,
  firstEstimate: perEpoch[0] ?? NaN,
  finalEstimate: perEpoch[perEpoch.length - 1] ?? NaN,
  finalTestEstimate: heldOutPerEpoch[heldOutPerEpoch.length - 1] ?? NaN,
  estimatePerEpoch: fmt(perEpoch),
  testEstimatePerEpoch: fmt(heldOutPerEpoch),
  totalSeconds: (performance.now() - started) / 1000,
});
plan.dispose();
criticPlan.dispose();
scorer.dispose();
sampler.dispose();
