// Cold start: fresh Node processes, import to the first prediction of a 784-128-10 MLP, beside TensorFlow.js (wasm) and jax-js (wasm); whole-process wall time beside `node -e 0`.
//
// Each sample is a new process (nothing cached but the OS's file cache); runs
// of the three libraries are interleaved, and the medians are reported. The
// in-process time runs from just before the import to the prediction read
// back into JavaScript; the wall time is the whole process, spawn to exit.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Report } from "./lib/report.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 15);
const url = (path: string): string => pathToFileURL(join(root, path)).href;
// --threads=N passes init({ threads: N }); by default init() chooses, as a user's program lets it
const threadsArg = process.argv.find((a) => a.startsWith("--threads="))?.slice("--threads=".length);
const threadsAsked = threadsArg === undefined || threadsArg === "all" ? {} : { threads: Number(threadsArg) };

// the same network in each (paralens with its initialisers, the peers with constant weights), one example of 784 inputs, 10 outputs read back
const programs: Record<string, string> = {
  paralens: `
    const t0 = performance.now();
    const P = await import(${JSON.stringify(url("dist/bundle/index.js"))});
    const t1 = performance.now();
    await P.init(${JSON.stringify(threadsAsked)});
    const t2 = performance.now();
    const plan = P.compile(P.seq(P.dense(784, 128, "relu"), P.dense(128, 10)), { batch: 1, changes: "none", seed: 1 });
    plan.inputs[0].data.fill(0.5);
    plan.forward();
    const y = Array.from(plan.outputs[0].data);
    const t3 = performance.now();
    console.log(JSON.stringify({ total: t3 - t0, import: t1 - t0, init: t2 - t1, predict: t3 - t2, n: y.length }));`,
  "tfjs-wasm": `
    const t0 = performance.now();
    const tf = await import(${JSON.stringify(url("node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js"))});
    await import(${JSON.stringify(url("node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js"))});
    const t1 = performance.now();
    await tf.setBackend("wasm"); await tf.ready();
    const t2 = performance.now();
    const w1 = tf.fill([784, 128], 0.01), b1 = tf.zeros([128]), w2 = tf.fill([128, 10], 0.01), b2 = tf.zeros([10]);
    const x = tf.fill([1, 784], 0.5);
    const y = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2).dataSync();
    const t3 = performance.now();
    console.log(JSON.stringify({ total: t3 - t0, import: t1 - t0, init: t2 - t1, predict: t3 - t2, n: y.length }));`,
  "jax-js-wasm": `
    const t0 = performance.now();
    const jax = await import("@jax-js/jax");
    const t1 = performance.now();
    await jax.init("wasm"); jax.defaultDevice("wasm");
    const t2 = performance.now();
    const np = jax.numpy;
    const w1 = np.full([784, 128], 0.01), b1 = np.zeros([128]), w2 = np.full([128, 10], 0.01), b2 = np.zeros([10]);
    const x = np.full([1, 784], 0.5);
    const y = np.add(np.dot(jax.nn.relu(np.add(np.dot(x, w1), b1)), w2), b2).js();
    const t3 = performance.now();
    console.log(JSON.stringify({ total: t3 - t0, import: t1 - t0, init: t2 - t1, predict: t3 - t2, n: y.flat().length }));`,
};

interface Sample { total: number; import: number; init: number; predict: number; n: number; wall: number }
const samples = new Map<string, Sample[]>(Object.keys(programs).map((k) => [k, []]));
const empty: number[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

function spawn(args: string[]): { out: string; wall: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const wall = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(" ").slice(0, 80)}... failed: ${r.stderr.slice(0, 500)}`);
  return { out: r.stdout, wall };
}

for (let i = 0; i < rounds; i++) {
  empty.push(spawn(["-e", "0"]).wall);
  for (const [name, code] of Object.entries(programs)) {
    const { out, wall } = spawn(["--input-type=module", "--no-warnings", "-e", code]);
    const line = out.trim().split("\n").pop()!;
    samples.get(name)!.push({ ...(JSON.parse(line) as Omit<Sample, "wall">), wall });
  }
}

const report = new Report("coldstart");
const ours = samples.get("paralens")!;
const stat = (name: string, key: keyof Sample): number => median(samples.get(name)!.map((s) => s[key]));
console.log(`medians of ${rounds} fresh processes; node -e 0 takes ${median(empty).toFixed(1)} ms`);
for (const name of Object.keys(programs)) {
  console.log(`${name.padEnd(12)} import ${stat(name, "import").toFixed(1)} ms, init ${stat(name, "init").toFixed(1)} ms, build and predict ${stat(name, "predict").toFixed(1)} ms, total ${stat(name, "total").toFixed(1)} ms; process ${stat(name, "wall").toFixed(1)} ms`);
}
for (const peer of ["tfjs-wasm", "jax-js-wasm"]) {
  const theirs = stat(peer, "total");
  report.add({ case: "import to first prediction", ours: median(ours.map((s) => s.total)), peer, peer_value: theirs, unit: "ms", ratio: theirs / median(ours.map((s) => s.total)) });
}
report.add({
  case: "whole process (spawn to exit)", ours: median(ours.map((s) => s.wall)), peer: "node -e 0", peer_value: median(empty), unit: "ms",
  ratio: median(empty) / median(ours.map((s) => s.wall)),
  import: median(ours.map((s) => s.import)), init: median(ours.map((s) => s.init)), predict: median(ours.map((s) => s.predict)),
});
report.finish();
