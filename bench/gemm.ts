// GEMM GFLOP/s and % of peak, square and MLP shapes, vs TensorFlow.js wasm matMul (and PyTorch one thread if installed).
import { PEAK_FLOPS_PER_ROUND, PEAK_ROUNDS, measurePeak, peakMadd, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";
import { runTorch } from "./lib/torch.ts";

type Variant = "gemmNN" | "gemmNT" | "gemmTN";
type Case = readonly [Variant, number, number, number, string];

const cases: readonly Case[] = [
  ...[64, 128, 256, 512, 1024].map((s): Case => ["gemmNN", s, s, s, `square ${s}`]),
  // the 784-128-10 MLP at batch 64: forward, weight gradients, hidden-layer input gradient
  ["gemmNN", 64, 128, 784, "mlp X W1"],
  ["gemmNN", 64, 10, 128, "mlp H W2"],
  ["gemmTN", 784, 128, 64, "mlp X^T dH (dW1)"],
  ["gemmTN", 128, 10, 64, "mlp H^T dY (dW2)"],
  ["gemmNT", 64, 128, 10, "mlp dY W2^T (dH)"],
];

const e = await startEngine();
const peak = peakMadd(e.simd);
const tf = await loadTf("wasm");
const report = new Report("gemm");
console.log(`measured peak: ${measurePeak(e).toFixed(1)} GFLOP/s (f32x4 multiply-adds, ${e.simd}); rows are medians of rounds that time peak, ours and tfjs in turn`);
const peaks: number[] = [];
const torch = runTorch<{ version: string; blas: string; gflops: number[] }>("torch_gemm.py", [JSON.stringify(cases.map(([v, m, n, k]) => [v, m, n, k]))]);
console.log(torch ? `PyTorch ${torch.version}, one thread, BLAS ${torch.blas}` : "PyTorch: not installed");

const fill = (x: Float32Array): Float32Array => x.map((_, i) => Math.sin(i * 0.37));
cases.forEach(([variant, m, n, k, label], index) => {
  const flops = 2 * m * n * k;
  const sa: [number, number] = variant === "gemmTN" ? [k, m] : [m, k];
  const sb: [number, number] = variant === "gemmNT" ? [n, k] : [k, n];
  const a = e.tensor(sa), b = e.tensor(sb), c = e.tensor([m, n]);
  fill(a.data);
  fill(b.data);
  const kernel = e.core[variant];
  const ta = tf.tensor2d(a.data, sa), tb = tf.tensor2d(b.data, sb);
  const t = interleaved({
    peak: () => peak(PEAK_ROUNDS, 1),
    ours: () => kernel(c.offset, a.offset, b.offset, m, n, k, 0),
    tfjs: () => tf.matMul(ta, tb, variant === "gemmTN", variant === "gemmNT").dispose(),
  });
  const peakRounds = t.peak.map((s) => (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / s / 1e9);
  peaks.push(...peakRounds);
  const ours = flops / med(t.ours) / 1e9;
  const peer = flops / med(t.tfjs) / 1e9;
  const torchValue = torch?.gflops[index];
  report.add({
    case: `${label} ${variant} ${m}x${n}x${k}`,
    ours,
    peer: "tfjs-wasm",
    peer_value: peer,
    unit: "GFLOP/s",
    ratio: med(ratios(t.tfjs, t.ours)),
    pct_peak: 100 * med(ratios(t.ours.map((s) => flops / s / 1e9), peakRounds)),
    torch_1t: torchValue ?? "not installed",
    ...(torchValue !== undefined ? { vs_torch: ours / torchValue } : {}),
  });
  for (const t of [a, b, c]) t.dispose();
  ta.dispose();
  tb.dispose();
});
report.peakGflops = med(peaks);
report.finish();
