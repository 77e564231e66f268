// Loading a ~100 MB F32 safetensors file into a model's parameters, GB/s, vs @jax-js/loaders' safetensors reader.
//
// Ours is Learner.load: the header checked in full, then one byte copy per
// tensor straight into the arena. The peer, @jax-js/loaders' `safetensors.parse`,
// checks less and copies nothing: it returns typed-array views over the file.
// A model still has to get the values into its own memory, so the compared
// peer case is parse followed by copying each view into the same arena
// tensors; parse alone is reported too. Throughput is file bytes / seconds.
//
//   npm run bench -- safetensors [--mb 100] [--rounds 5]
import { safetensors } from "@jax-js/loaders";
import { type Para, type Wires, dense, sgd, mse, supervised } from "../ts-api/index.ts";
import { seqOf } from "../ts-api/algebra/compose.ts";
import { startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = arg("mb", 100);
const ROUNDS = arg("rounds", 5);

await startEngine();
const report = new Report("safetensors");

// square dense layers of 2048: 4 MiB of weights each, as many as make the size asked for
const WIDTH = 2048;
const layers = Math.max(1, Math.round((MB * 1e6) / (4 * WIDTH * (WIDTH + 1))));
const model = seqOf(Array.from({ length: layers }, () => dense(WIDTH, WIDTH))) as Para<Wires, Wires>;
const source = supervised(model, { loss: mse, optimiser: sgd(), seed: 1 });
const file = await source.save();
const target = supervised(model, { loss: mse, optimiser: sgd(), seed: 2 });
console.log(`file: ${layers} dense(${WIDTH} -> ${WIDTH}) layers, ${(file.length / 1e6).toFixed(1)} MB, ${target.specs.length} tensors`);

// once the file format is loaded (by the save above), load() does its work before it returns
const ours = (): void => void target.load(file);
const peerParse = (): void => void safetensors.parse(file);
const peerLoad = (): void => {
  const parsed = safetensors.parse(file);
  target.specs.forEach((s, i) => {
    const t = parsed.tensors[s.name];
    if (t === undefined || !(t.data instanceof Float32Array)) throw new Error(`safetensors bench: "${s.name}" is not an F32 tensor in the peer's reading`);
    target.state[i]!.data.set(t.data);
  });
};

// both end with the same bits in the arena
const bits = (l: typeof target): string => l.state.map((t) => t.data.reduce((h, v, j) => (j % 4099 === 0 ? (h * 31 + v * 1e6) % 1e9 : h), 0)).join(",");
ours();
const afterOurs = bits(target);
peerLoad();
if (bits(target) !== afterOurs || afterOurs !== bits(source)) throw new Error("safetensors bench: the two loaders disagree");
console.log("  both loaders leave the same values in the arena");

const seconds = interleaved({ ours, peerLoad, peerParse }, ROUNDS, 1.0);
const gbps = (s: number): number => file.length / s / 1e9;
report.add({
  case: `load ${(file.length / 1e6).toFixed(0)} MB F32 into a model`,
  ours: gbps(med(seconds.ours)),
  peer: "@jax-js/loaders parse + copy",
  peer_value: gbps(med(seconds.peerLoad)),
  unit: "GB/s",
  ratio: med(ratios(seconds.peerLoad, seconds.ours)),
  target_gbps: 1,
});
report.add({
  case: "the peer's parse alone (views, no copy)",
  ours: gbps(med(seconds.ours)),
  peer: "@jax-js/loaders parse",
  peer_value: gbps(med(seconds.peerParse)),
  unit: "GB/s",
  ratio: med(ratios(seconds.peerParse, seconds.ours)),
});
// F16 is converted on the way in (a table lookup per value); the peer needs Float16Array, which Node 20 lacks
const half = await source.save({ dtype: "F16" });
const halfSeconds = interleaved({ ours: () => void target.load(half) }, ROUNDS, 1.0);
report.add({
  case: `load ${(half.length / 1e6).toFixed(0)} MB F16 (converted to f32)`,
  ours: half.length / med(halfSeconds.ours) / 1e9,
  peer: "none (Float16Array needed)",
  peer_value: null,
  unit: "GB/s",
  ratio: null,
});
report.finish();
source.dispose();
target.dispose();
