// Ten steps of composed optimisers against torch.optim's trajectories, read
// from a committed fixture (test/fixtures/torch/optim_trajectories.py wrote
// it with PyTorch in float64 from float32 starting values): AdamW with a
// warmup-then-cosine schedule and clip_grad_norm_, SGD and Adam with step and
// exponential schedules, SGD warmup-cosine clipped. Every parameter after every
// step agrees within 1e-5 of the largest magnitude of its tensor. Node-only
// because it reads the fixture from disk.
import { readFileSync } from "node:fs";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import {
  init, adam, adamw, dense, seq, sgd, softmaxCrossEntropy, supervised, type Optimiser, type Schedule, learning, optimisers,
} from "../ts-api/index.ts";

await init();

interface Case { lrs: number[]; gradNorms: number[]; losses: number[]; params: Record<string, number[]>[] }
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch/optim-trajectories.json", import.meta.url), "utf8")) as {
  x: number[]; labels: number[]; start: Record<string, number[]>; cases: Record<string, Case>;
};

// torch's LinearLR(0.1 -> 1 over 3) then CosineAnnealingLR(T_max 7, eta_min 0.1 lr), joined by SequentialLR
const warmupCosine = (peak: number): Schedule => optimisers.joinSchedules([optimisers.linearWarmup(0.1 * peak, peak, 3), optimisers.cosineDecay(peak, 7, 0.1)], [3]);

const cases: [string, Schedule, Optimiser][] = [
  ["adamw-warmup-cosine-clip", warmupCosine(0.05), optimisers.chain(optimisers.clipByGlobalNorm(0.5), adamw({ lr: warmupCosine(0.05), weightDecay: 0.1 }))],
  ["sgd-step", optimisers.stepDecay(0.5, 3, 0.5), sgd({ lr: optimisers.stepDecay(0.5, 3, 0.5) })],
  ["adam-exponential", optimisers.exponentialDecay(0.02, 0.8), adam({ lr: optimisers.exponentialDecay(0.02, 0.8) })],
  ["sgd-warmup-cosine-clip", warmupCosine(0.5), optimisers.chain(optimisers.clipByGlobalNorm(0.3), sgd({ lr: warmupCosine(0.5) }))],
];

for (const [name, schedule, optimiser] of cases) {
  test(`torch.optim trajectory "${name}": 10 steps within 1e-5 relative`, () => {
    const expected = fixture.cases[name]!;
    expected.lrs.forEach((lr, k) => assert(Math.abs(schedule.at(k) - lr) <= 1e-12 * lr, `${name}: the step size of update ${k} is ${schedule.at(k)}, torch's ${lr}`));
    const learner = supervised(seq(dense(5, 8, "tanh"), dense(8, 3)), { loss: softmaxCrossEntropy, optimiser, rate: 1 });
    learner.setParameters(fixture.start);
    const x = Float32Array.from(fixture.x);
    const y = learning.oneHot(fixture.labels, 3);
    let worst = 0;
    for (let step = 0; step < 10; step++) {
      const loss = learner.step([...Array(6)].map((_, i) => x.subarray(5 * i, 5 * i + 5)), [...Array(6)].map((_, i) => y.subarray(3 * i, 3 * i + 3)));
      const want = expected.losses[step]!;
      assert(Math.abs(loss - want) <= 1e-5 * want, `${name}: the loss before update ${step} is ${loss}, torch's ${want}`);
      const ours = learner.parameters();
      for (const [p, want] of Object.entries(expected.params[step]!)) {
        const scale = Math.max(...want.map(Math.abs));
        const err = Math.max(...want.map((w, i) => Math.abs(ours[p]![i]! - w))) / scale;
        worst = Math.max(worst, err);
        assert(err <= 1e-5, `${name}: ${p} after update ${step + 1} is ${err.toExponential(2)} (relative to its largest magnitude) from torch's`);
      }
    }
    console.log(`torch-optim ${name}: worst relative parameter difference over 10 steps ${worst.toExponential(2)}`);
    learner.dispose();
  });
}
