// GEMM GFLOP/s and % of peak, square and MLP shapes, vs TensorFlow.js wasm matMul (and PyTorch one thread if installed).
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { time } from "./lib/timing.ts";
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
const tf = await loadTf("wasm");
const report = new Report("gemm");
const peak = measurePeak(e);
report.peakGflops = peak;
console.log(`measured peak: ${peak.toFixed(1)} GFLOP/s (f32x4 multiply-adds, ${e.simd})`);
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
  const ours = flops / time(label, () => kernel(c.offset, a.offset, b.offset, m, n, k, 0)).seconds / 1e9;
  const ta = tf.tensor2d(a.data, sa), tb = tf.tensor2d(b.data, sb);
  const peer = flops / time(`tfjs ${label}`, () => tf.matMul(ta, tb, variant === "gemmTN", variant === "gemmNT").dispose()).seconds / 1e9;
  const torchValue = torch?.gflops[index];
  report.add({
    case: `${label} ${variant} ${m}x${n}x${k}`,
    ours,
    peer: "tfjs-wasm",
    peer_value: peer,
    unit: "GFLOP/s",
    ratio: ours / peer,
    pct_peak: (100 * ours) / peak,
    torch_1t: torchValue ?? "not installed",
    ...(torchValue !== undefined ? { vs_torch: ours / torchValue } : {}),
  });
  for (const t of [a, b, c]) t.dispose();
  ta.dispose();
  tb.dispose();
});
report.finish();
