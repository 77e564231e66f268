// MNIST CNN training steps (the demo CNN and the Python reference's CNN), examples/s vs TensorFlow.js cpu (and PyTorch one thread if installed).
//
// Ours: the compiled plan of the closed supervised lens (optimiser ; model ;
// loss ; rate), one forward() and one reverse() per step with the batch
// resident in the arena. TensorFlow.js: the same network, loss and optimiser
// with optimizer.minimize on resident tensors, on its cpu backend: its wasm
// backend cannot train a convnet (no Conv2DBackpropFilter kernel; checked
// below). Both start from the same parameters, and the suite checks that they
// compute the same loss before timing. The reference CNN is also timed at
// batch 1 (how the reference trains) against the Python reference's
// published ~8 ms per example.
import {
  type Compiled, type Loss, type Optimiser, type Para, type Wires, adam, compile, mse, softmaxCrossEntropy, supervised, initialisers, learning, losses, optimisers,
} from "../ts-api/index.ts";
import { demoCnn, referenceCnn } from "../examples/models/mnist.ts";
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { type Tf, loadTf } from "./lib/tfjs.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";
import { runTorch } from "./lib/torch.ts";

const BATCH = 64, PIXELS = 28 * 28, CLASSES = 10;
/** The Python reference's published speed: about 8 ms per example (not measured here). */
const REFERENCE_PUBLISHED = 1000 / 8;

type Kind = "demo" | "reference";
interface Net {
  kind: Kind;
  label: string;
  model: () => Para<Wires, Wires>;
  loss: Loss;
  optimiser: () => Optimiser;
  rate: number;
}
const nets: readonly Net[] = [
  { kind: "demo", label: "demo CNN (8/16 filters, dense 64; softmax CE, Adam 0.002)", model: demoCnn, loss: softmaxCrossEntropy, optimiser: () => adam({ lr: 0.002 }), rate: 1 },
  { kind: "reference", label: "reference CNN (3/5 filters; sigmoid MSE, momentum -0.1, rate 0.01)", model: referenceCnn, loss: mse, optimiser: () => optimisers.momentum({ gamma: -0.1 }), rate: 0.01 },
];

const e = await startEngine();
const report = new Report("cnn-step");
report.peakGflops = measurePeak(e);

// one resident batch: pixel-like inputs in [0, 1), one-hot labels
const rng = new initialisers.Rng(1);
const x = Float32Array.from({ length: BATCH * PIXELS }, () => rng.uniform());
const y = learning.oneHot(Array.from({ length: BATCH }, () => rng.int(CLASSES)), CLASSES);

/** The compiled training plan of a network at a batch size, with the batch written in. */
function plan(net: Net, batch: number): Compiled {
  const lens = learning.supervisedLens(net.model(), { loss: net.loss, optimiser: net.optimiser(), rate: losses.constantRate(net.rate) });
  const p = compile(lens, { batch, changes: "params", seed: 3 });
  p.inputs[0]!.set(x.subarray(0, batch * PIXELS));
  p.inputs[1]!.set(y.subarray(0, batch * CLASSES));
  return p;
}
const step = (p: Compiled) => (): void => {
  p.forward();
  p.reverse();
};
/** The batch-mean loss of the plan's current parameters (runs its forward pass). */
function meanLoss(p: Compiled): number {
  p.forward();
  const l = p.observed.get("loss")!.data;
  return l.reduce((a, b) => a + b, 0) / l.length;
}
/** The model's parameters (not the optimiser's state) as the plan holds them, in the model's order. */
function modelParams(net: Net, p: Compiled): Float32Array[] {
  const lens = learning.supervisedLens(net.model(), { loss: net.loss, optimiser: net.optimiser(), rate: losses.constantRate(net.rate) });
  return lens.params.flatMap((s, i) => (s.role === "parameter" ? [Float32Array.from(p.params[i]!.data)] : []));
}

// ---- TensorFlow.js: the same networks ---------------------------------------------------
/** A TensorFlow.js training step of the network on the current backend, from the given parameters. */
function tfNet(tf: Tf, net: Net, params: readonly Float32Array[]): { loss: () => number; step: () => void } {
  const shapes = net.model().params.map((s) => [...s.shape]);
  const v = params.map((values, i) => tf.variable(tf.tensor(values, shapes[i]!)));
  const xs = tf.tensor4d(x, [BATCH, 28, 28, 1]), ys = tf.tensor2d(y, [BATCH, CLASSES]);
  type T4 = ReturnType<typeof tf.tensor4d>;
  // conv (+ bias) ; relu ; max-pool 2
  const conv = (h: T4, f: number, pad: "same" | "valid", b?: number): T4 => {
    const c = tf.conv2d(h, v[f] as T4, 1, pad);
    return tf.maxPool(tf.relu(b === undefined ? c : (tf.add(c, v[b]!) as T4)), 2, 2, "valid");
  };
  const loss =
    net.kind === "demo"
      ? () => {
          const h = conv(conv(xs, 0, "same", 1), 2, "same", 3).reshape([BATCH, 7 * 7 * 16]);
          const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, v[4]!), v[5]!)), v[6]!), v[7]!);
          return tf.losses.softmaxCrossEntropy(ys, logits);
        }
      : () => {
          const h = conv(conv(xs, 0, "valid"), 1, "valid").reshape([BATCH, 5 * 5 * 5]);
          const out = tf.sigmoid(tf.add(tf.matMul(h, v[2]!), v[3]!));
          // the reference's MSE: 1/2 sum of squares per example, averaged over the batch
          return tf.mean(tf.mul(0.5, tf.sum(tf.square(tf.sub(out, ys)), 1)));
        };
  const optimizer = net.kind === "demo" ? tf.train.adam(0.002) : tf.train.momentum(net.rate, -0.1);
  return {
    loss: () => tf.tidy(() => (loss() as ReturnType<typeof tf.scalar>).dataSync()[0]!),
    step: () => void optimizer.minimize(loss as () => ReturnType<typeof tf.scalar>),
  };
}

const tf = await loadTf("wasm");
try {
  tfNet(tf, nets[0]!, modelParams(nets[0]!, plan(nets[0]!, BATCH))).step();
  throw new Error("a TensorFlow.js wasm convnet step ran: time the wasm backend here instead");
} catch (err) {
  if ((err as Error).message.includes("step ran")) throw err;
  console.log(`TensorFlow.js wasm cannot train a convnet: ${(err as Error).message}`);
}
await loadTf("cpu");

const torch = runTorch<{ version: string; examples_per_second: Record<string, number> }>("torch_cnn.py", [String(BATCH)]);
console.log(torch ? `PyTorch ${torch.version}, one thread (the reference CNN with momentum +0.1: torch refuses a negative one; same work)` : "PyTorch: not installed");
const torchFields = (key: string, value: number) => {
  const t = torch?.examples_per_second[key];
  return t === undefined ? { torch_1t: "not installed" } : { torch_1t: t, vs_torch: value / t };
};

for (const net of nets) {
  const p = plan(net, BATCH);
  console.log(`${net.kind}: plan of ${p.stats.forwardCalls} forward + ${p.stats.reverseCalls} reverse kernel calls`);
  const peer = tfNet(tf, net, modelParams(net, p));
  // the same network from the same parameters: the same loss before timing
  const [ours0, theirs0] = [meanLoss(p), peer.loss()];
  if (!(Math.abs(ours0 - theirs0) <= 1e-4 * Math.max(1, Math.abs(theirs0)))) throw new Error(`${net.kind}: losses differ: ours ${ours0}, TensorFlow.js ${theirs0}`);
  console.log(`${net.kind}: initial loss ours ${ours0.toFixed(6)}, TensorFlow.js ${theirs0.toFixed(6)}`);
  const started = performance.now();
  peer.step(); // warm-up; a step of seconds is then timed by single calls
  const slow = performance.now() - started > 500 ? { tfjs: 1 } : {};
  const before = tf.memory().numTensors;
  const cases: Record<string, () => void> = { plan: step(p), tfjs: peer.step };
  // the demo network also through Learner.step, which checks and copies the batch in
  const learner = net.kind === "demo" ? supervised(net.model(), { loss: net.loss, optimiser: net.optimiser(), rate: net.rate }) : null;
  if (learner) cases.learner = () => void learner.step(x, y);
  const t = interleaved(cases, 3, 1, slow);
  if (tf.memory().numTensors !== before) throw new Error(`${net.kind}: the TensorFlow.js step leaks tensors`);
  const rows: [string, number[]][] = [["compiled plan step", t.plan!]];
  if (learner) rows.push(["Learner.step (copies the batch in)", t.learner!]);
  for (const [label, seconds] of rows) {
    const value = BATCH / med(seconds);
    report.add({
      case: `${net.label} b${BATCH} ${label}`,
      ours: value,
      peer: "tfjs-cpu",
      peer_value: BATCH / med(t.tfjs!),
      unit: "examples/s",
      ratio: med(ratios(t.tfjs!, seconds)),
      ...torchFields(`${net.kind} b${BATCH}`, value),
    });
  }
  learner?.dispose();
  p.dispose();
}

// the reference CNN one example per step, as the reference trains it
const one = plan(nets[1]!, 1);
const value = 1 / med(interleaved({ plan: step(one) }, 3, 1).plan);
report.add({
  case: `${nets[1]!.label} b1 compiled plan step`,
  ours: value,
  peer: "numpy reference (published)",
  peer_value: REFERENCE_PUBLISHED,
  unit: "examples/s",
  ratio: value / REFERENCE_PUBLISHED,
  note: "peer value: the published ~8 ms per example, not measured here",
  ...torchFields("reference b1", value),
});
one.dispose();
report.finish();
