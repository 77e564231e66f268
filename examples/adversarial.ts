// Adversarial inputs from the same construction as dreaming: the frozen demo
// CNN, the optimiser on its input wire, softmax cross-entropy against the
// true label, ascended (rate -1). FGSM is one sign step of size epsilon
// (Goodfellow et al. 2015); PGD ten steps of epsilon / 4, each projected
// onto the max-norm ball of radius epsilon around the original and onto
// [0, 1] (Madry et al. 2018). Success rate: of the test digits the model
// classifies correctly, the fraction whose prediction the perturbation flips.
//
//   npm run example -- adversarial [--pgd-steps n] [--quick] [--json]
import { join } from "node:path";
import {
  init, engine, seq, par, softmaxCrossEntropy, compile, type Para, type Wires, type Tensor, learning, losses, optimisers, wires,
} from "paralens";
import { loadMnist, MNIST_PIXELS } from "./data/mnist.ts";
import { trainedClassifier } from "./models/classifier.ts";
import { gridPng, writeOut } from "./images/png.ts";
import { option, report } from "./cli/progress.ts";

await init();
const quick = process.argv.includes("--quick");
const pgdSteps = option("pgd-steps", quick ? 3 : 10);
const testCount = quick ? 200 : 2000;
const batch = quick ? 100 : 500;
const epsilons = [0.05, 0.1, 0.2];
const out = join(import.meta.dirname, "..", quick ? "build/images/quick" : "docs/images");
const started = performance.now();

const { model, params: weights } = await trainedClassifier({ quick });
const { testX, testY } = loadMnist({ train: 8000, test: 2000, seed: 0 });
const e = engine();

/** The closed attack lens: (learnInput(model, PGD) x id) ; cross-entropy ; ascending rate. Its params: origin, input, then the model's. */
function attack(step: number, radius: number): { plan: ReturnType<typeof compile>; origin: Tensor; input: Tensor; own: Tensor[] } {
  const lens = seq(
    par(learning.learnInput(model, optimisers.projectedSignGradient({ step, radius }), { examples: batch }), wires.id([[10]])),
    softmaxCrossEntropy,
    optimisers.ascend(losses.constantRate(1)),
  ) as Para<Wires, Wires>;
  const own = lens.params.slice(0, 2).map((p) => e.tensor(p.shape));
  const plan = compile(lens, { batch, params: [...own, ...weights], changes: "params" });
  return { plan, origin: own[0]!, input: own[1]!, own };
}

const probe = compile(model, { batch, params: weights, changes: "none" });
const predict = (x: Float32Array): Int32Array => {
  probe.inputs[0]!.set(x);
  probe.forward();
  const z = probe.outputs[0]!.data;
  return Int32Array.from({ length: batch }, (_, i) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (z[i * 10 + c]! > z[i * 10 + best]!) best = c;
    return best;
  });
};

const metrics: Record<string, number> = {};
const shown: Float32Array[] = [];
for (const eps of epsilons) {
  for (const [method, step, count] of [["fgsm", eps, 1], ["pgd", eps / 4, pgdSteps]] as const) {
    const a = attack(step, eps);
    let correct = 0;
    let flipped = 0;
    let maxNorm = 0;
    for (let from = 0; from < testCount; from += batch) {
      const x0 = testX.subarray(from * MNIST_PIXELS, (from + batch) * MNIST_PIXELS);
      const labels = new Float32Array(batch * 10);
      for (let i = 0; i < batch; i++) labels[i * 10 + testY[from + i]!] = 1;
      a.origin.set(x0);
      a.input.set(x0);
      a.plan.inputs[0]!.set(labels);
      for (let s = 0; s < count; s++) (a.plan.forward(), a.plan.reverse());
      const adv = a.input.toArray();
      for (let i = 0; i < adv.length; i++) maxNorm = Math.max(maxNorm, Math.abs(adv[i]! - x0[i]!));
      const before = predict(x0);
      const after = predict(adv);
      for (let i = 0; i < batch; i++) {
        if (before[i] !== testY[from + i]) continue;
        correct++;
        if (after[i] !== before[i]) flipped++;
      }
      if (from === 0 && method === "pgd") shown.push(adv.slice(0, 10 * MNIST_PIXELS));
    }
    const rate = flipped / correct;
    console.log(`${method.toUpperCase()} epsilon ${eps}: ${flipped} of ${correct} correct predictions flipped (${(100 * rate).toFixed(1)}%); max |x' - x| = ${maxNorm.toFixed(4)}`);
    metrics[`${method}_${eps}`] = rate;
    metrics[`${method}_${eps}_maxNorm`] = maxNorm;
    a.plan.dispose();
    for (const t of a.own) t.dispose();
  }
}

// originals beside their PGD twins, one row per epsilon
const grid = new Float32Array(40 * MNIST_PIXELS);
grid.set(testX.subarray(0, 10 * MNIST_PIXELS), 0);
shown.forEach((s, k) => grid.set(s, (k + 1) * 10 * MNIST_PIXELS));
writeOut(join(out, "adversarial.png"), gridPng({ images: grid, count: 40, h: 28, w: 28, columns: 10 }));
console.log(`wrote ${join(out, "adversarial.png")} (rows: originals, then PGD at epsilon ${epsilons.join(", ")})`);
report("adversarial", { ...metrics, pgdSteps, testDigits: testCount, totalSeconds: (performance.now() - started) / 1000 });
probe.dispose();
for (const t of weights) t.dispose();
