// A Wasserstein GAN on a mixture of 8 Gaussians on a circle (radius 2,
// standard deviation 0.02): generator and critic composed into one lens,
// the critic's step ascending and the generator's descending (gan/wgan.ts).
// Reports the modes covered (a mode is covered when at least 1% of 2,000
// samples are within 0.2 of it, ten standard deviations) and the mean
// distance of samples to the nearest mode, and writes an SVG scatter of
// samples at several points of training.
//
//   npm run example -- wgan-2d [--steps n] [--quick] [--json]
import { join } from "node:path";
import { init, seq, dense, compile, type Para, type Wires, initialisers } from "paralens";
import { wganLens } from "./gan/wgan.ts";
import { scatterSvg, writeOut, type ScatterPanel } from "./images/png.ts";
import { option, report } from "./cli/progress.ts";

await init();
const quick = process.argv.includes("--quick");
const steps = option("steps", quick ? 150 : 2000);
const batch = 256;
const NOISE = 8;
const out = join(import.meta.dirname, "..", quick ? "build/images/quick" : "docs/images");
const started = performance.now();

const modes = Float32Array.from({ length: 16 }, (_, i) => 2 * (i % 2 === 0 ? Math.cos(Math.PI / 4 * (i >> 1)) : Math.sin(Math.PI / 4 * (i >> 1))));
const generator = seq(dense(NOISE, 128, "relu"), dense(128, 128, "relu"), dense(128, 2)) as Para<Wires, Wires>;
const critic = seq(dense(2, 128, "relu"), dense(128, 128, "relu"), dense(128, 1)) as Para<Wires, Wires>;
const parts = { generator, critic, noise: NOISE, data: [2], generatorLr: 1e-3, criticLr: 1e-3, clip: 0.1 };
const lens = wganLens(parts);
const plan = compile(lens, { batch, seed: option("seed", 0), changes: "params" });
// the critic's extra steps: the same lens with the generator's wire frozen, bound to the same tensors
const criticLens = wganLens({ ...parts, criticOnly: true });
const criticPlan = compile(criticLens, { batch, params: criticLens.params.map((p) => plan.params[lens.params.findIndex((q) => q.name === p.name)]!), changes: "params" });
const CRITIC_STEPS = 5;
const genParams = generator.params.map((p) => plan.params[lens.params.findIndex((q) => q.name === `generator.${p.name}`)]!);
const sampler = compile(generator, { batch: 2000, params: genParams, changes: "none" });

const rng = new initialisers.Rng(7);
const fill = (a: Float32Array, f: () => number): Float32Array => (a.forEach((_, i) => (a[i] = f())), a);
const real = (a: Float32Array): Float32Array => {
  for (let i = 0; i < a.length / 2; i++) {
    const k = Math.floor(rng.uniform() * 8);
    a[2 * i] = modes[2 * k]! + 0.02 * rng.normal();
    a[2 * i + 1] = modes[2 * k + 1]! + 0.02 * rng.normal();
  }
  return a;
};
const z = new Float32Array(batch * NOISE);
const x = new Float32Array(batch * 2);

/** 2,000 samples, their modes covered and mean distance to the nearest mode. */
function evaluate(): { samples: Float32Array; covered: number; meanDistance: number } {
  const zr = new initialisers.Rng(99);
  sampler.inputs[0]!.set(Float32Array.from({ length: 2000 * NOISE }, () => zr.normal()));
  sampler.forward();
  const samples = sampler.outputs[0]!.toArray();
  const near = new Int32Array(8);
  let total = 0;
  for (let i = 0; i < 2000; i++) {
    let best = Infinity;
    let k = 0;
    for (let m = 0; m < 8; m++) {
      const dd = Math.hypot(samples[2 * i]! - modes[2 * m]!, samples[2 * i + 1]! - modes[2 * m + 1]!);
      if (dd < best) (best = dd), (k = m);
    }
    total += best;
    if (best < 0.2) near[k]!++;
  }
  return { samples, covered: near.filter((c) => c >= 20).length, meanDistance: total / 2000 };
}

const panels: ScatterPanel[] = [];
const snapshots = new Set([0, Math.round(steps / 10), Math.round(steps / 3), steps]);
const estimates: number[] = [];
let estimate = 0;
for (let s = 0; s <= steps; s++) {
  if (snapshots.has(s)) {
    const r = evaluate();
    panels.push({ title: `step ${s}: ${r.covered}/8 modes`, points: r.samples.subarray(0, 2 * 400), marks: modes }); // 400 of the 2,000 keep the file small
    console.log(`step ${s}: ${r.covered} of 8 modes covered, mean distance to the nearest mode ${r.meanDistance.toFixed(3)}, critic's estimate ${estimate.toFixed(4)}`);
  }
  if (s === steps) break;
  for (let k = 1; k < CRITIC_STEPS; k++) {
    criticPlan.inputs[0]!.set(fill(z, () => rng.normal()));
    criticPlan.inputs[1]!.set(real(x));
    criticPlan.forward();
    criticPlan.reverse();
  }
  plan.inputs[0]!.set(fill(z, () => rng.normal()));
  plan.inputs[1]!.set(real(x));
  plan.forward();
  plan.reverse();
  // the estimate of this batch, before the step: the mean of critic(x) - critic(G(z)) (tapped)
  const l = plan.observed.get("estimate");
  if (l) estimate = l.data.reduce((a, b) => a + b, 0) / batch;
  estimates.push(estimate);
}
const final = evaluate();
writeOut(join(out, "wgan-2d.svg"), scatterSvg(panels, { extent: 3 }));
console.log(`wrote ${join(out, "wgan-2d.svg")}`);
report("wgan-2d", {
  modesCovered: final.covered,
  meanDistanceToMode: final.meanDistance,
  firstEstimate: estimates[0] ?? NaN,
  finalEstimate: estimates.reduce((a, b, i) => (i >= estimates.length - 100 ? a + b : a), 0) / Math.min(100, estimates.length),
  steps,
  batch,
  totalSeconds: (performance.now() - started) / 1000,
});
plan.dispose();
criticPlan.dispose();
sampler.dispose();
