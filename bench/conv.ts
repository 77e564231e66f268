// conv2d 28x28x1 -> 32 filters 5x5 "same", batch 64: forward, input and filter gradients in GFLOP/s and % of peak, vs TensorFlow.js (and PyTorch one thread if installed).
//
// Each pass is a compiled plan with its data resident in the arena: the
// forward pass is the conv2d lens itself (no bias: tf.conv2d has none); the
// two gradients are one-op plans of the planner's conv2dInputGrad and
// conv2dFilterGrad (the filter gradient rebuilding its im2col matrix, as a
// standalone op must: a training plan instead keeps the matrix from the
// forward pass, timed in the last row against PyTorch alone, since
// TensorFlow.js's cpu filter gradient takes about ten seconds a call).
// Flops per pass: 2 N OH OW KH KW C COUT.
// TensorFlow.js's wasm backend has Conv2D and Conv2DBackpropInput but no
// Conv2DBackpropFilter kernel (checked below), so the filter-gradient rows run
// on its cpu backend.
import {
  type Compiled, type Para, type RealOps, type Value, type Wires, compile, conv2d, para, initialisers,
} from "../ts-api/index.ts";
import { window2d } from "../ts-api/ops/conv/window.ts";
import { PEAK_FLOPS_PER_ROUND, PEAK_ROUNDS, measurePeak, peakMadd, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";
import { runTorch } from "./lib/torch.ts";

const N = 64, H = 28, W = 28, C = 1, K = 5, COUT = 32, PADDING = "same" as const;
const g = window2d("bench conv", H, W, K, 1, PADDING);
const FLOPS = 2 * N * g.oh * g.ow * K * K * C * COUT;

const e = await startEngine();
const peak = peakMadd(e.simd);
const report = new Report("conv");
console.log(`measured peak: ${measurePeak(e).toFixed(1)} GFLOP/s (${e.simd}); rows are medians of rounds that time peak, ours and the peer in turn`);
console.log(`conv2d: batch ${N}, ${H}x${W}x${C} -> ${g.oh}x${g.ow}x${COUT}, ${K}x${K} filters, padding "${PADDING}": ${(FLOPS / 1e6).toFixed(1)} MFLOP per pass`);

const fill = (n: number, scale: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 0.37 + phase));
const x = fill(N * H * W * C, 1, 0), f = fill(K * K * C * COUT, 0.2, 1), dy = fill(N * g.oh * g.ow * COUT, 0.5, 2);
const fShape = [K, K, C, COUT] as const;

// ---- ours: three plans ------------------------------------------------------------------
const layer = conv2d({ filters: COUT, kernel: K, padding: PADDING, bias: false }).at([H, W, C]);
const forwardPlan = compile(layer, { batch: N, changes: "none" });
forwardPlan.params[0]!.set(f);
forwardPlan.inputs[0]!.set(x);

/**
 * A one-op plan: `op` on resident inputs, as the forward pass of a lens that
 * takes the filter as a parameter (bound to the forward plan's tensor).
 */
function opPlan(name: string, dom: Wires, op: (k: RealOps, filter: Value, xs: readonly Value[]) => Value): Compiled {
  const lens: Para = para<Wires, Wires, null>({
    name,
    dom,
    cod: [[]], // the op's result is the plan's output as it is; no reverse pass is planned
    params: [{ name: "filter", shape: fShape, init: initialisers.zeros, role: "parameter" }],
    forward: (k, [filter], xs) => [[op(k, filter!, xs)], null],
    reverse: () => {
      throw new Error(`${name}: forward only`);
    },
  });
  return compile(lens, { batch: N, changes: "none", params: forwardPlan.params });
}
const inputGradPlan = opPlan("conv2dInputGrad", [[g.oh, g.ow, COUT]], (k, filter, [d]) => k.conv2dInputGrad(d!, filter, g));
inputGradPlan.inputs[0]!.set(dy);
// a forward-only plan keeps no im2col matrix, so this is the kernel that rebuilds it block by block
const filterGradPlan = opPlan("conv2dFilterGrad", [[H, W, C], [g.oh, g.ow, COUT]], (k, _f, [xb, d]) => k.conv2dFilterGrad(xb!, d!, g));
filterGradPlan.inputs[0]!.set(x);
filterGradPlan.inputs[1]!.set(dy);
// the layer in a training plan: forward (writing the whole im2col matrix), then both gradients
const trainPlan = compile(layer, { batch: N, changes: "all", params: forwardPlan.params });
trainPlan.inputs[0]!.set(x);
trainPlan.outputChanges[0]!.set(dy);
const trainStep = (): void => {
  trainPlan.forward();
  trainPlan.reverse();
};
for (const [label, plan] of [["forward", forwardPlan], ["input gradient", inputGradPlan], ["filter gradient", filterGradPlan], ["training", trainPlan]] as const) {
  console.log(`plan ${label}: ${plan.stats.kernels.join(" ")}`);
}

// ---- TensorFlow.js: wasm where it has the kernel, else cpu ------------------------------------
const tf = await loadTf("wasm");
await loadTf("cpu");
await tf.setBackend("wasm");
try {
  const [a, b] = [tf.zeros([1, 4, 4, 1]), tf.zeros([1, 4, 4, 1])];
  tf.engine().runKernel("Conv2DBackpropFilter", { x: a, dy: b }, { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [1, 1, 1, 1] });
  throw new Error("TensorFlow.js wasm now has Conv2DBackpropFilter: time the filter gradient there");
} catch (err) {
  if ((err as Error).message.includes("now has")) throw err;
  console.log(`TensorFlow.js wasm, filter gradient: ${(err as Error).message} (so those rows run tfjs-cpu)`);
}
type TfTensor = ReturnType<typeof tf.tensor>;
const xShape = [N, H, W, C] as [number, number, number, number];
const dyShape = [N, g.oh, g.ow, COUT] as [number, number, number, number];

interface Pass {
  label: string;
  backend: "wasm" | "cpu";
  flops: number;
  ours: () => void;
  /** Our results after ours() ran, in the order peer() returns its own. */
  results: () => Float32Array[];
  /** Builds the peer's call on resident tensors (made on its backend). */
  peer: (t: { x: TfTensor; f: TfTensor; dy: TfTensor }) => () => TfTensor[];
}

const passes: Pass[] = [
  {
    label: "forward",
    backend: "wasm",
    flops: FLOPS,
    ours: () => forwardPlan.forward(),
    results: () => [forwardPlan.outputs[0]!.data],
    peer: (t) => () => [tf.conv2d(t.x as never, t.f as never, 1, PADDING)],
  },
  {
    label: "input gradient",
    backend: "wasm",
    flops: FLOPS,
    ours: () => inputGradPlan.forward(),
    results: () => [inputGradPlan.outputs[0]!.data],
    peer: (t) => () => [tf.conv2dTranspose(t.dy as never, t.f as never, xShape, 1, PADDING)],
  },
  {
    label: "filter gradient",
    backend: "cpu",
    flops: FLOPS,
    ours: () => filterGradPlan.forward(),
    results: () => [filterGradPlan.outputs[0]!.data],
    peer: (t) => () => [
      tf.engine().runKernel("Conv2DBackpropFilter", { x: t.x, dy: t.dy }, { strides: 1, pad: PADDING, dataFormat: "NHWC", filterShape: [...fShape] }) as TfTensor,
    ],
  },
];

/** Largest difference between two results, relative to the largest magnitude of the peer's. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`results differ in size: ${a.length} and ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

const torch = runTorch<{ version: string; gflops: Record<string, number> }>("torch_conv.py", [JSON.stringify({ n: N, h: H, w: W, c: C, k: K, cout: COUT, padding: PADDING })]);
console.log(torch ? `PyTorch ${torch.version}, one thread` : "PyTorch: not installed");
const peaks: number[] = [];
for (const pass of passes) {
  await tf.setBackend(pass.backend);
  const t = { x: tf.tensor4d(x, xShape), f: tf.tensor4d(f, [...fShape]), dy: tf.tensor4d(dy, dyShape) };
  const peerCall = pass.peer(t);
  // the same numbers on both sides before timing them (which also warms the peer up)
  pass.ours();
  const started = performance.now();
  const theirs = peerCall();
  // tfjs-cpu's filter gradient takes seconds per call: time it by single calls
  const slow = performance.now() - started > 500 ? { peer: 1 } : {};
  pass.results().forEach((r, i) => {
    const d = relativeDifference(r, theirs[i]!.dataSync() as Float32Array);
    if (!(d < 1e-4)) throw new Error(`${pass.label}: ours and TensorFlow.js differ (relative ${d})`);
  });
  theirs.forEach((r) => r.dispose());
  const before = tf.memory().numTensors;
  const times = interleaved({
    peak: () => peak(PEAK_ROUNDS, 1),
    ours: pass.ours,
    peer: () => peerCall().forEach((r) => r.dispose()),
  }, 3, 0.6, slow);
  if (tf.memory().numTensors !== before) throw new Error(`${pass.label}: the TensorFlow.js call leaks tensors`);
  const peakRounds = times.peak.map((s) => (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / s / 1e9);
  peaks.push(...peakRounds);
  const ours = pass.flops / med(times.ours) / 1e9;
  const torchValue = torch?.gflops[pass.label];
  report.add({
    case: `conv 5x5x1->32 ${PADDING} b64 ${pass.label}`,
    ours,
    peer: `tfjs-${pass.backend}`,
    peer_value: pass.flops / med(times.peer) / 1e9,
    unit: "GFLOP/s",
    ratio: med(ratios(times.peer, times.ours)),
    pct_peak: 100 * med(ratios(times.ours.map((s) => pass.flops / s / 1e9), peakRounds)),
    torch_1t: torchValue ?? "not installed",
    ...(torchValue !== undefined ? { vs_torch: ours / torchValue } : {}),
  });
  for (const v of Object.values(t)) v.dispose();
}
// the layer in a training plan against PyTorch only (its median, from its own run above)
{
  const t = interleaved({ peak: () => peak(PEAK_ROUNDS, 1), ours: trainStep });
  const flops = 3 * FLOPS;
  const peakRounds = t.peak.map((s) => (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / s / 1e9);
  peaks.push(...peakRounds);
  const ours = flops / med(t.ours) / 1e9;
  const torchValue = torch?.gflops["forward + both gradients"];
  report.add({
    case: `conv 5x5x1->32 ${PADDING} b64 training plan: forward + both gradients`,
    ours,
    peer: torchValue === undefined ? "none" : "torch-1t",
    peer_value: torchValue ?? null,
    unit: "GFLOP/s",
    ratio: torchValue === undefined ? null : ours / torchValue,
    pct_peak: 100 * med(ratios(t.ours.map((s) => flops / s / 1e9), peakRounds)),
  });
}
for (const plan of [inputGradPlan, filterGradPlan, trainPlan, forwardPlan]) plan.dispose();
report.peakGflops = med(peaks);
report.finish();
