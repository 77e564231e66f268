// Elementwise kernels on 2^20 floats: exp, erf and broadcasting add, in Melem/s, vs TensorFlow.js wasm.
//
// Each case maps a 1024 x 1024 tensor; the add cases broadcast a row vector
// [1024] over the rows (a bias) and a column [1024, 1] over the columns. The
// peer's calls allocate their output tensor (that is how TensorFlow.js runs
// an op) and dispose it; ours write into a tensor allocated once. Ratios are
// medians of the round-by-round ratios of ours over the peer's speed.
import { startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { loadTf } from "./lib/tfjs.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";

// op code of `binary` (assembly/broadcast.ts)
const ADD = 0;

const e = await startEngine();
const tf = await loadTf("wasm");
const core = e.core;
const report = new Report("elementwise");
const R = 1024, C = 1024, N = R * C;

const x = e.tensor([R, C]), y = e.tensor([R, C]);
const row = e.tensor([C]), col = e.tensor([R]);
x.data.set(x.data.map((_, i) => 4 * Math.sin(i * 0.37)));
row.data.set(row.data.map((_, i) => Math.cos(i * 0.11)));
col.data.set(col.data.map((_, i) => Math.cos(i * 0.13)));
const tx = tf.tensor2d(x.data, [R, C]), trow = tf.tensor1d(row.data), tcol = tf.tensor2d(col.data, [R, 1]);

type TfTensor = ReturnType<typeof tf.exp>;
const cases: { name: string; ours: () => void; peer: () => TfTensor }[] = [
  { name: "exp", ours: () => core.exp(y.offset, x.offset, N), peer: () => tf.exp(tx) },
  { name: "erf", ours: () => core.erf(y.offset, x.offset, N), peer: () => tf.erf(tx) },
  {
    name: "add [1024,1024] + [1024] (row)",
    ours: () => core.binary(ADD, y.offset, x.offset, row.offset, 1, R, C, 0, C, 1, 0, 0, 1),
    peer: () => tf.add(tx, trow),
  },
  {
    name: "add [1024,1024] + [1024,1] (column)",
    ours: () => core.binary(ADD, y.offset, x.offset, col.offset, 1, R, C, 0, C, 1, 0, 1, 0),
    peer: () => tf.add(tx, tcol),
  },
];

for (const { name, ours, peer } of cases) {
  // the answers agree before anything is timed
  ours();
  const t = peer();
  const want = t.dataSync();
  t.dispose();
  let worst = 0;
  for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(y.data[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  if (!(worst < 1e-5)) throw new Error(`${name}: ours and tfjs differ by ${worst}`);

  const times = interleaved({ ours, tfjs: () => peer().dispose() });
  const melem = (s: number): number => N / s / 1e6;
  report.add({
    case: name,
    ours: melem(med(times.ours)),
    peer: "tfjs-wasm",
    peer_value: melem(med(times.tfjs)),
    unit: "Melem/s",
    ratio: med(ratios(times.tfjs, times.ours)),
    max_diff: worst,
  });
}
for (const t of [x, y, row, col]) t.dispose();
for (const t of [tx, trow, tcol]) t.dispose();
report.finish();
