// Transformer training step (4 pre-norm blocks, d 128, 4 heads, context 128, batch 16, tied embedding, SGD), tokens/s vs TensorFlow.js wasm and jax-js wasm.
import { compile, sgd, transformer, initialisers, learning, losses } from "../ts-api/index.ts";
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { median } from "./lib/timing.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const B = 16, T = 128, D = arg("dim", 128), H = 4, L = arg("layers", 4), V = 89, LR = 0.1;
const ROUNDS = arg("rounds", 3), CALLS = arg("calls", 2);
const HD = D / H;
const tokens = B * T;
// multiply-adds of one step, forward x 3: the projections and MLP (12 d^2 per token per layer), the attention products (2 T d per token per layer, half masked but computed), the tied output layer
const FLOPS = 3 * 2 * tokens * (L * (12 * D * D + 2 * T * D) + V * D);

const e = await startEngine();
const report = new Report("transformer-step");
report.peakGflops = measurePeak(e);
const rng = new initialisers.Rng(1);
const ids = Float32Array.from({ length: tokens }, () => rng.int(V));
const next = Int32Array.from({ length: tokens }, () => rng.int(V));
const onehot = new Float32Array(tokens * V);
next.forEach((t, i) => (onehot[i * V + t] = 1));
const inputHot = new Float32Array(tokens * V);
ids.forEach((t, i) => (inputHot[i * V + t] = 1));
const options = { vocab: V, context: T, dim: D, heads: H, layers: L };

// ours: the compiled plan of the closed supervised lens (its reverse writes the new parameters)
const plan = compile(learning.supervisedLens(transformer(options), { loss: losses.tokenCrossEntropy, optimiser: sgd(), rate: losses.constantRate(LR) }), { batch: B, changes: "params" });
plan.inputs[0]!.set(ids);
plan.inputs[1]!.set(onehot);
console.log(`plan: ${plan.stats.forwardCalls} forward + ${plan.stats.reverseCalls} reverse kernel calls`);
const ours = (): void => {
  plan.forward();
  plan.reverse();
};

// TensorFlow.js wasm: the same model written with its ops; the embedding as a one-hot product (its gather's gradient needs a kernel the wasm backend lacks)
const tf = await loadTf("wasm");
const small = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, 0.02, "float32", seed));
const tfParams = {
  table: small([V, D], 1), pos: small([T, D], 2),
  blocks: Array.from({ length: L }, (_, l) => ({
    g1: tf.variable(tf.ones([D])), b1: tf.variable(tf.zeros([D])), q: small([D, D], 10 * l + 3), k: small([D, D], 10 * l + 4), v: small([D, D], 10 * l + 5), o: small([D, D], 10 * l + 6),
    g2: tf.variable(tf.ones([D])), b2: tf.variable(tf.zeros([D])), w1: small([D, 4 * D], 10 * l + 7), c1: tf.variable(tf.zeros([4 * D])), w2: small([4 * D, D], 10 * l + 8), c2: tf.variable(tf.zeros([D])),
  })),
  gf: tf.variable(tf.ones([D])), bf: tf.variable(tf.zeros([D])),
};
const tfX = tf.tensor2d(inputHot, [tokens, V]), tfY = tf.tensor2d(onehot, [tokens, V]);
const tfMask = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
const tfNorm = (x: import("@tensorflow/tfjs").Tensor2D, g: import("@tensorflow/tfjs").Variable, b: import("@tensorflow/tfjs").Variable) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as import("@tensorflow/tfjs").Tensor2D;
};
const heads = (x: import("@tensorflow/tfjs").Tensor2D) => tf.transpose(tf.reshape(x, [B, T, H, HD]), [0, 2, 1, 3]).reshape([B * H, T, HD]) as import("@tensorflow/tfjs").Tensor3D;
const tfLoss = () => {
  let x = tf.add(tf.reshape(tf.add(tf.reshape(tf.matMul(tfX, tfParams.table), [B, T, D]), tfParams.pos), [tokens, D]), 0) as import("@tensorflow/tfjs").Tensor2D;
  for (const p of tfParams.blocks) {
    const h = tfNorm(x, p.g1, p.b1);
    const s = tf.add(tf.mul(tf.matMul(heads(tf.matMul(h, p.q)), heads(tf.matMul(h, p.k)), false, true), 1 / Math.sqrt(HD)), tfMask);
    const o = tf.matMul(tf.softmax(s), heads(tf.matMul(h, p.v)));
    x = tf.add(x, tf.matMul(tf.reshape(tf.transpose(tf.reshape(o, [B, H, T, HD]), [0, 2, 1, 3]), [tokens, D]), p.o));
    const u = tf.add(tf.matMul(tfNorm(x, p.g2, p.b2), p.w1), p.c1);
    const gelu = tf.mul(tf.mul(u, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(u, tf.mul(tf.pow(u, 3), 0.044715)), Math.sqrt(2 / Math.PI)))));
    x = tf.add(x, tf.add(tf.matMul(gelu, p.w2), p.c2));
  }
  const logits = tf.matMul(tfNorm(x, tfParams.gf, tfParams.bf), tfParams.table, false, true);
  return tf.losses.softmaxCrossEntropy(tfY, logits) as import("@tensorflow/tfjs").Scalar;
};
const tfOptimizer = tf.train.sgd(LR);
const tfStep = (): void => void tfOptimizer.minimize(tfLoss);

// jax-js, its wasm backend: jit of valueAndGrad, the SGD update, blocking on the new parameters each step
const jax = await import("@jax-js/jax");
await jax.init("wasm");
jax.defaultDevice("wasm");
const np = jax.numpy;
type A = InstanceType<typeof jax.numpy.Array>;
const key = (k: number) => jax.random.key(k);
const normal = (shape: number[], k: number): A => jax.random.normal(key(k), shape).mul(0.02);
let jParams = {
  table: normal([V, D], 1), pos: normal([T, D], 2),
  blocks: Array.from({ length: L }, (_, l) => ({
    g1: np.ones([D]), b1: np.zeros([D]), q: normal([D, D], 10 * l + 3), k: normal([D, D], 10 * l + 4), v: normal([D, D], 10 * l + 5), o: normal([D, D], 10 * l + 6),
    g2: np.ones([D]), b2: np.zeros([D]), w1: normal([D, 4 * D], 10 * l + 7), c1: np.zeros([4 * D]), w2: normal([4 * D, D], 10 * l + 8), c2: np.zeros([D]),
  })),
  gf: np.ones([D]), bf: np.zeros([D]),
};
const jx = np.array(inputHot).reshape([tokens, V]);
const jy = np.array(onehot).reshape([tokens, V]);
const jMask = np.array(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0))).reshape([T, T]);
// every array is used once; .ref keeps one for a second use (jax-js's ownership rule)
const jNorm = (x: A, g: A, b: A): A => jax.nn.standardize(x, -1, { epsilon: 1e-5 }).mul(g).add(b);
const jHeads = (x: A): A => np.transpose(x.reshape([B, T, H, HD]), [0, 2, 1, 3]);
const jLoss = (p: typeof jParams, x: A, y: A, mask: A): A => {
  let h = np.matmul(x, p.table.ref).reshape([B, T, D]).add(p.pos).reshape([tokens, D]);
  for (const b of p.blocks) {
    const n = jNorm(h.ref, b.g1, b.b1);
    const q = jHeads(np.matmul(n.ref, b.q)), k = jHeads(np.matmul(n.ref, b.k)), v = jHeads(np.matmul(n, b.v));
    const s = np.matmul(q, np.transpose(k, [0, 1, 3, 2])).mul(1 / Math.sqrt(HD)).add(mask.ref);
    const o = np.transpose(np.matmul(jax.nn.softmax(s, -1), v), [0, 2, 1, 3]).reshape([tokens, D]);
    h = h.add(np.matmul(o, b.o));
    const u = np.matmul(jNorm(h.ref, b.g2, b.b2), b.w1).add(b.c1);
    h = h.add(np.matmul(jax.nn.gelu(u), b.w2).add(b.c2));
  }
  mask.dispose();
  const logits = np.matmul(jNorm(h, p.gf, p.bf), np.transpose(p.table, [1, 0]));
  return jax.nn.logSoftmax(logits, -1).mul(y).sum().mul(-1 / tokens);
};
const jGrad = jax.jit(jax.valueAndGrad(jLoss));
const jStep = async (): Promise<void> => {
  const [loss, grads] = jGrad(jax.tree.ref(jParams), jx.ref, jy.ref, jMask.ref) as unknown as [A, typeof jParams];
  jParams = jax.tree.map((p: A, g: A) => p.sub(g.mul(LR)), jParams, grads) as typeof jParams;
  await jax.blockUntilReady(jParams);
  loss.dispose();
};

// the three compute the same kind of loss: each starts near ln(V) = 4.49 nats per token
plan.forward();
const first = { ours: plan.observed.get("loss")!.toArray().reduce((a, b) => a + b, 0) / B, tfjs: tfLoss().dataSync()[0]!, jax: (await jLoss(jax.tree.ref(jParams), jx.ref, jy.ref, jMask.ref).jsAsync()) as unknown as number };
console.log(`first losses: ours ${first.ours.toFixed(4)}, TensorFlow.js ${first.tfjs.toFixed(4)}, jax-js ${Number(first.jax).toFixed(4)} nats per token`);

// warm-up (jit tracing, plan memory), then rounds of CALLS single steps each, in turn
ours();
tfStep();
await jStep();
const times: Record<"ours" | "tfjs" | "jax", number[]> = { ours: [], tfjs: [], jax: [] };
const timeOf = async (f: () => void | Promise<void>): Promise<number> => {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await f();
  return (performance.now() - t0) / 1000 / CALLS;
};
for (let r = 0; r < ROUNDS; r++) {
  times.ours.push(await timeOf(ours));
  times.tfjs.push(await timeOf(tfStep));
  times.jax.push(await timeOf(jStep));
  console.log(`round ${r + 1}: ours ${times.ours[r]!.toFixed(3)} s, TensorFlow.js ${times.tfjs[r]!.toFixed(3)} s, jax-js ${times.jax[r]!.toFixed(3)} s per step`);
}
const med = (xs: number[]): number => median([...xs].sort((a, b) => a - b));
const oursRate = tokens / med(times.ours);
for (const [peer, t] of [["tfjs-wasm", times.tfjs], ["jax-js-wasm", times.jax]] as const) {
  report.add({ case: `transformer ${L}x${D} b${B} T${T} step`, ours: oursRate, peer, peer_value: tokens / med(t), unit: "tokens/s", ratio: med(t) / med(times.ours), gflops: (oursRate * FLOPS) / tokens / 1e9 });
}
report.finish();
