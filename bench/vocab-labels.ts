// A training step with a 50,257-token vocabulary at context 256 from class-index labels: label bytes and plan bytes vs one-hot labels, and the step time.
import { adam, compile, transformer, initialisers, learning, losses } from "../ts-api/index.ts";
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { median } from "./lib/timing.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
// GPT-2's vocabulary; a small body, so the vocabulary's layers are most of the step
const V = 50_257, T = 256, B = arg("batch", 1), D = arg("dim", 64), ROUNDS = arg("rounds", 3);
const options = { vocab: V, context: T, dim: D, heads: 2, layers: 1 };

const e = await startEngine();
const report = new Report("vocab-labels");
report.peakGflops = measurePeak(e);
const parts = { loss: losses.tokenCrossEntropy, optimiser: adam({ lr: 1e-3 }), rate: losses.constantRate(1) };

// the plan with one-hot labels is only laid out, to count its bytes: its labels alone are B x T x V floats
const hot = compile(learning.supervisedLens(transformer(options), parts), { batch: B, changes: "params" });
const hotLabelBytes = hot.inputs[1]!.size * 4;
const hotPlanBytes = hot.stats.bytes;
hot.dispose();

const plan = compile(learning.supervisedLens(transformer(options), { ...parts, labels: [[T]] }), { batch: B, changes: "params" });
const labelBytes = plan.inputs[1]!.size * 4;
const rng = new initialisers.Rng(1);
plan.inputs[0]!.set(Float32Array.from({ length: B * T }, () => rng.int(V)));
plan.inputs[1]!.set(Float32Array.from({ length: B * T }, () => rng.int(V)));
const seconds: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const t0 = performance.now();
  plan.forward();
  plan.reverse();
  const t = (performance.now() - t0) / 1000;
  if (r > 0) seconds.push(t); // the first step pays for first touches of the arena
  console.log(`step ${r}: ${t.toFixed(3)} s`);
}
const loss = plan.observed.get("loss")!.data;
console.log(`loss of the last step: ${(loss.reduce((a, b) => a + b, 0) / loss.length).toFixed(4)} nats per token (log V = ${Math.log(V).toFixed(4)})`);
console.log(`labels: ${labelBytes} bytes as indices, ${hotLabelBytes} bytes one-hot (${(hotLabelBytes / labelBytes).toFixed(0)}x); plan: ${(plan.stats.bytes / 2 ** 20).toFixed(1)} MiB vs ${(hotPlanBytes / 2 ** 20).toFixed(1)} MiB one-hot`);
report.add({
  case: `vocab ${V} T${T} b${B} d${D} step (index labels)`, ours: (B * T) / median([...seconds].sort((a, b) => a - b)), peer: "none", peer_value: null, unit: "tokens/s", ratio: null,
  label_bytes: labelBytes, onehot_label_bytes: hotLabelBytes, plan_mib: plan.stats.bytes / 2 ** 20, onehot_plan_mib: hotPlanBytes / 2 ** 20,
});
plan.dispose();
report.finish();
