// MLP 784-128-10 training step (relu, softmax cross-entropy, SGD, batch 64), steps/s vs TensorFlow.js wasm (and PyTorch one thread if installed).
import { compile, dense, seq, sgd, softmaxCrossEntropy, supervised, initialisers, learning, losses } from "../ts-api/index.ts";
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";
import { runTorch } from "./lib/torch.ts";

const BATCH = 64, IN = 784, HIDDEN = 128, OUT = 10, RATE = 0.1;
// multiply-adds of one step: both layers forward, both weight gradients, and
// the hidden layer's input gradient (the input's own gradient is not needed)
const FLOPS = 2 * BATCH * (2 * IN * HIDDEN + 3 * HIDDEN * OUT);

const e = await startEngine();
const report = new Report("mlp-step");
report.peakGflops = measurePeak(e);

// one resident batch: pixel-like inputs in [0, 1), one-hot labels
const rng = new initialisers.Rng(1);
const x = Float32Array.from({ length: BATCH * IN }, () => rng.uniform());
const labels = Array.from({ length: BATCH }, () => rng.int(OUT));
const y = learning.oneHot(labels, OUT);

// ours, 1: the compiled plan of the closed supervised lens; a step is one
// forward and one reverse run of the plan (the reverse writes the new parameters)
const model = seq(dense(IN, HIDDEN, "relu"), dense(HIDDEN, OUT));
const plan = compile(learning.supervisedLens(model, { loss: softmaxCrossEntropy, optimiser: sgd(), rate: losses.constantRate(RATE) }), { batch: BATCH, changes: "params" });
plan.inputs[0]!.set(x);
plan.inputs[1]!.set(y);
console.log(`plan: ${plan.stats.forwardCalls} forward + ${plan.stats.reverseCalls} reverse kernel calls: ${plan.stats.kernels.join(" ")}`);
const planStep = (): void => {
  plan.forward();
  plan.reverse();
};

// ours, 2: Learner.step, which also copies the batch in and reads the loss out
const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: sgd(), rate: RATE });
const learnerStep = (): void => void learner.step(x, y);

// TensorFlow.js wasm: the same model and step with optimizer.minimize
const tf = await loadTf("wasm");
const w1 = tf.variable(tf.randomUniform([IN, HIDDEN], -0.08, 0.08, "float32", 1)), b1 = tf.variable(tf.zeros([HIDDEN]));
const w2 = tf.variable(tf.randomUniform([HIDDEN, OUT], -0.2, 0.2, "float32", 2)), b2 = tf.variable(tf.zeros([OUT]));
const xs = tf.tensor2d(x, [BATCH, IN]), ys = tf.tensor2d(y, [BATCH, OUT]);
const optimizer = tf.train.sgd(RATE);
const tfStep = (): void => {
  optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs, w1), b1)), w2), b2)) as ReturnType<typeof tf.scalar>);
};
const before = tf.memory().numTensors;
// the three steps timed in turn, round after round, so they see the same load
const t = interleaved({ plan: planStep, learner: learnerStep, tfjs: tfStep }, 5, 1);
if (tf.memory().numTensors !== before) throw new Error(`the TensorFlow.js step leaks tensors (${before} -> ${tf.memory().numTensors})`);

const torch = runTorch<{ version: string; blas: string; steps_per_second: number }>("torch_mlp.py");
console.log(torch ? `PyTorch ${torch.version}, one thread, BLAS ${torch.blas}` : "PyTorch: not installed");
const torchFields = (value: number) => (torch ? { torch_1t: torch.steps_per_second, vs_torch: value / torch.steps_per_second } : { torch_1t: "not installed" });
const peer = 1 / med(t.tfjs);
for (const [label, seconds] of [["compiled plan step", t.plan], ["Learner.step (copies the batch in)", t.learner]] as const) {
  const value = 1 / med(seconds);
  report.add({
    case: `mlp 784-128-10 b64 ${label}`,
    ours: value,
    peer: "tfjs-wasm",
    peer_value: peer,
    unit: "steps/s",
    ratio: med(ratios(t.tfjs, seconds)),
    gflops: (value * FLOPS) / 1e9,
    ...torchFields(value),
  });
}
report.finish();
