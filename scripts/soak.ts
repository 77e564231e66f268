// The soak run: the MNIST CNN (examples/models/mnist.ts) trained for 100,000
// steps through Learner.step, printing wasm memory, live arena bytes, JS heap
// and RSS every 10,000 steps, then asserting that after warm-up (the first
// report) none of them grew by more than a small slack. Then 10,000 models
// are created, trained and dropped (test/reclaim.node.test.ts).
//
//   npm run soak                        100,000 steps, 10,000 models
//   npm run soak -- --steps 20000 --every 2000 --models 0
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { adam, engine, init, softmaxCrossEntropy, supervised } from "../ts-api/index.ts";
import { loadMnist } from "../examples/data/mnist.ts";
import { demoCnn } from "../examples/models/mnist.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const steps = arg("steps", 100_000);
const every = arg("every", 10_000);
const models = arg("models", 10_000);
const batch = 32;

// the heap is measured after a full collection, so garbage not yet collected is not counted as growth
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
await init();
const { trainX, trainY } = loadMnist({ train: 8000, test: 0, seed: 0 });
const width = trainX.length / trainY.length;
const learner = supervised(demoCnn(), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, seed: 0 });
const batches = Math.floor(trainY.length / batch);

interface Sample { step: number; wasm: number; arena: number; heap: number; rss: number; loss: number }
const samples: Sample[] = [];
const mib = (n: number): string => (n / 1024 ** 2).toFixed(1).padStart(7);
const t0 = performance.now();
let loss = 0;
for (let s = 1; s <= steps; s++) {
  const b = (s - 1) % batches;
  loss = learner.step(trainX.subarray(b * batch * width, (b + 1) * batch * width), trainY.subarray(b * batch, (b + 1) * batch));
  if (s % every === 0) {
    gc();
    const m = process.memoryUsage();
    const st = engine().stats();
    samples.push({ step: s, wasm: st.reservedBytes, arena: st.bytes, heap: m.heapUsed, rss: m.rss, loss });
    console.log(`step ${String(s).padStart(7)}  wasm ${mib(st.reservedBytes)} MiB  arena ${mib(st.bytes)} MiB  JS heap ${mib(m.heapUsed)} MiB  RSS ${mib(m.rss)} MiB  loss ${loss.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}
learner.dispose();

// After warm-up (the first report), memory may wobble with the collector but not grow.
const failures: string[] = [];
if (samples.length >= 2) {
  const [first, ...rest] = samples;
  const last = rest[rest.length - 1]!;
  const check = (what: string, key: "wasm" | "arena" | "heap" | "rss", slack: number): void => {
    const peak = Math.max(...rest.map((s) => s[key]));
    if (peak - first![key] > slack) failures.push(`${what} grew ${mib(peak - first![key]).trim()} MiB after warm-up (slack ${mib(slack).trim()} MiB)`);
  };
  check("wasm memory", "wasm", 0);
  check("live arena bytes", "arena", 0);
  check("JS heap", "heap", 16 * 1024 ** 2);
  check("RSS", "rss", 32 * 1024 ** 2);
  console.log(`${failures.length === 0 ? "flat" : "NOT flat"} from step ${first!.step} to ${last.step}`);
}
if (models > 0) {
  const test = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "reclaim.node.test.ts");
  console.log(`creating, training and dropping ${models} models...`);
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--test", test], { env: { ...process.env, PARALENS_MODELS: String(models) }, encoding: "utf8" });
    console.log(out.split("\n").filter((l) => /reclaim:|^# (pass|fail)/.test(l)).join("\n"));
  } catch (e) {
    failures.push(`the reclaim test failed:\n${(e as { stdout?: string }).stdout ?? e}`);
  }
}
for (const f of failures) console.error(`soak: ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
