// Cold start in each server runtime: import, init and the first prediction of a 784-128-10 MLP in fresh Node, Deno, Bun and workerd processes, paralens as users install it; TensorFlow.js (wasm) and jax-js (wasm) beside it in Node; a cross-origin-isolated page on two threads beside one.
//
// paralens is packed and installed into a fresh project (test/install/), so
// each runtime loads the build its export condition picks: Node, Deno (npm:)
// and Bun the bundle with the core in base64, workerd the Worker wrangler
// bundles with core.wasm imported as a module. Each sample is a new process
// (nothing cached but the OS's file cache); runs are interleaved, and the
// medians are reported.
//
// Inside workerd the clocks stand still while code runs (they advance only on
// I/O), so there each phase is timed from outside, as the wall time of a
// request to a new workerd: two requests that do nothing ("/noop": the first
// request of a process costs workerd and Miniflare ~10 ms more than later
// ones), then "/init", which runs init(), then "/predict", which builds and
// runs the model; the second "/noop" is subtracted from each. Compiling
// core.wasm is workerd's own work before the first request (it is a module
// of the Worker), shown beside it as the start-up of that Worker against one
// without paralens.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Report } from "./lib/report.ts";
import { med } from "./lib/timing.ts";
import { COMPATIBILITY_DATE, pack, project } from "../test/install/project.ts";
import { bundleWorker, startWorker } from "../test/install/edge.ts";
import { inChromium } from "../test/chromium.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 15);
const url = (path: string): string => pathToFileURL(join(root, path)).href;
// --threads=N passes init({ threads: N }); by default init() chooses, as a user's program lets it
const threadsArg = process.argv.find((a) => a.startsWith("--threads="))?.slice("--threads=".length);
const threadsAsked = threadsArg === undefined || threadsArg === "all" ? {} : { threads: Number(threadsArg) };

const work = mkdtempSync(join(tmpdir(), "paralens-coldstart-"));
const dir = project(pack(work));
process.on("exit", () => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** The same network in each (paralens with its initialisers, the peers with constant weights), one example of 784 inputs, 10 outputs read back. */
const paralens = (specifier: string): string => `
  const t0 = performance.now();
  const P = await import(${JSON.stringify(specifier)});
  const t1 = performance.now();
  await P.init(${JSON.stringify(threadsAsked)});
  const t2 = performance.now();
  const plan = P.compile(P.seq(P.dense(784, 128, "relu"), P.dense(128, 10)), { batch: 1, changes: "none", seed: 1 });
  plan.inputs[0].data.fill(0.5);
  plan.forward();
  const y = Array.from(plan.outputs[0].data);
  const t3 = performance.now();
  console.log(JSON.stringify({ total: t3 - t0, import: t1 - t0, init: t2 - t1, predict: t3 - t2, n: y.length }));`;
writeFileSync(join(dir, "cold.mjs"), paralens("paralens"));
writeFileSync(join(dir, "cold-deno.mjs"), paralens("npm:paralens"));
writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
const peers: Record<string, string> = {
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
    const jax = await import(${JSON.stringify(url("node_modules/@jax-js/jax/dist/index.js"))});
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

// a Worker answering the three phases, and one without paralens for the start-up baseline
const worker = join(dir, "cold-worker");
mkdirSync(worker);
writeFileSync(join(worker, "index.mjs"), `import * as P from "paralens";
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/init") await P.init();
    if (path === "/predict") {
      const plan = P.compile(P.seq(P.dense(784, 128, "relu"), P.dense(128, 10)), { batch: 1, changes: "none", seed: 1 });
      plan.inputs[0].data.fill(0.5);
      plan.forward();
      return new Response(String(plan.outputs[0].data.length));
    }
    return new Response("ok");
  },
};
`);
writeFileSync(join(worker, "wrangler.toml"), `name = "coldstart"\nmain = "index.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
writeFileSync(join(worker, "empty.mjs"), `export default { async fetch() { return new Response("ok"); } };\n`);
writeFileSync(join(worker, "empty.toml"), `name = "empty"\nmain = "empty.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
const withParalens = bundleWorker(worker);
const without = bundleWorker(worker, join(worker, "empty-out"), "empty.toml");

interface Sample { total: number; import: number; init: number; predict: number; n: number; wall: number }
const samples = new Map<string, Sample[]>();
const push = (name: string, s: Sample): void => void (samples.get(name) ?? samples.set(name, []).get(name)!).push(s);
const empty: number[] = [];

function spawn(command: string, args: string[]): { out: string; wall: number } {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd: dir, encoding: "utf8" });
  const wall = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ").slice(0, 80)}... failed: ${r.stderr.slice(0, 500)}`);
  return { out: r.stdout, wall };
}
function sample(name: string, command: string, args: string[]): void {
  const { out, wall } = spawn(command, args);
  push(name, { ...(JSON.parse(out.trim().split("\n").pop()!) as Omit<Sample, "wall">), wall });
}

/** One fresh workerd: its start-up, then each request's wall time. */
async function workerd(bundle: typeof withParalens, paths: string[]): Promise<number[]> {
  const t0 = performance.now();
  const mf = await startWorker(bundle, COMPATIBILITY_DATE);
  const times = [performance.now() - t0];
  try {
    for (const path of paths) {
      const t = performance.now();
      const r = await mf.dispatchFetch(`http://localhost${path}`);
      await r.text();
      if (r.status !== 200) throw new Error(`workerd answered ${r.status} to ${path}`);
      times.push(performance.now() - t);
    }
  } finally {
    await mf.dispose();
  }
  return times;
}

const deno = join(root, "node_modules", ".bin", "deno");
const bun = join(root, "node_modules", ".bin", "bun");
const workerdTimes = { startup: [] as number[], startupEmpty: [] as number[], first: [] as number[], noop: [] as number[], init: [] as number[], predict: [] as number[] };
for (let i = 0; i < rounds; i++) {
  empty.push(spawn(process.execPath, ["-e", "0"]).wall);
  sample("node", process.execPath, ["--no-warnings", "cold.mjs"]);
  sample("deno", deno, ["run", "--quiet", "--cached-only", "--allow-read", "--allow-env", "cold-deno.mjs"]);
  sample("bun", bun, ["cold.mjs"]);
  for (const [name, code] of Object.entries(peers)) sample(name, process.execPath, ["--input-type=module", "--no-warnings", "-e", code]);
  const [startup, first, noop, init, predict] = await workerd(withParalens, ["/noop", "/noop", "/init", "/predict"]);
  const [startupEmpty] = await workerd(without, []);
  workerdTimes.startup.push(startup!);
  workerdTimes.first.push(first!);
  workerdTimes.noop.push(noop!);
  workerdTimes.init.push(init! - noop!);
  workerdTimes.predict.push(predict! - noop!);
  workerdTimes.startupEmpty.push(startupEmpty!);
}

// the page: init and the first prediction, two threads (the default there) against one
const page = (threads: string): string => `<!doctype html>
<script type="importmap">{ "imports": { "paralens": "./node_modules/paralens/dist/web/paralens.js" } }</script>
<script type="module">
const P = await import("paralens");
const t0 = performance.now();
await P.init(${threads});
const t1 = performance.now();
const plan = P.compile(P.seq(P.dense(4, 16, "relu"), P.dense(16, 3)), { batch: 1, changes: "none", seed: 1 });
plan.inputs[0].data.fill(0.5);
plan.forward();
const t2 = performance.now();
globalThis.__result = JSON.stringify({ init: t1 - t0, predict: t2 - t1, threads: P.engine().threads.count });
</script>`;
const isolated = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
const pageTimes: Record<string, { init: number[]; total: number[] }> = { two: { init: [], total: [] }, one: { init: [], total: [] } };
for (let i = 0; i < Math.min(rounds, 9); i++) {
  for (const [key, threads] of [["two", "{}"], ["one", "{ threads: 1 }"]] as const) {
    const { line } = await inChromium({ dir, page: "cold.html", pages: { "cold.html": page(threads) }, headers: isolated });
    const r = JSON.parse(line) as { init: number; predict: number; threads: number };
    if (r.threads !== (key === "two" ? 2 : 1)) throw new Error(`the page ran on ${r.threads} thread(s), not ${key}`);
    pageTimes[key]!.init.push(r.init);
    pageTimes[key]!.total.push(r.init + r.predict);
  }
}
console.log(
  `page         two threads: init ${med(pageTimes.two!.init).toFixed(1)} ms, to the first prediction ${med(pageTimes.two!.total).toFixed(1)} ms; ` +
    `one thread: init ${med(pageTimes.one!.init).toFixed(1)} ms, to the first prediction ${med(pageTimes.one!.total).toFixed(1)} ms`,
);

const report = new Report("coldstart");
const stat = (name: string, key: keyof Sample): number => med(samples.get(name)!.map((s) => s[key]));
console.log(`medians of ${rounds} fresh processes; node -e 0 takes ${med(empty).toFixed(1)} ms`);
for (const name of ["node", "deno", "bun", "tfjs-wasm", "jax-js-wasm"]) {
  console.log(`${name.padEnd(12)} import ${stat(name, "import").toFixed(1)} ms, init ${stat(name, "init").toFixed(1)} ms, build and predict ${stat(name, "predict").toFixed(1)} ms, total ${stat(name, "total").toFixed(1)} ms; process ${stat(name, "wall").toFixed(1)} ms`);
}
const w = Object.fromEntries(Object.entries(workerdTimes).map(([k, v]) => [k, med(v)])) as Record<keyof typeof workerdTimes, number>;
console.log(
  `workerd      start-up ${w.startup.toFixed(1)} ms (${w.startupEmpty.toFixed(1)} ms without paralens); requests doing nothing: first ${w.first.toFixed(1)} ms, ` +
    `second ${w.noop.toFixed(1)} ms; beyond that: init ${w.init.toFixed(1)} ms, build and predict ${w.predict.toFixed(1)} ms`,
);
for (const peer of ["tfjs-wasm", "jax-js-wasm"]) {
  report.add({ case: "import to first prediction, Node", ours: stat("node", "total"), peer, peer_value: stat(peer, "total"), unit: "ms", ratio: stat(peer, "total") / stat("node", "total") });
}
report.add({ case: "init, Node", ours: stat("node", "init"), peer: "tfjs-wasm", peer_value: stat("tfjs-wasm", "init"), unit: "ms", ratio: stat("tfjs-wasm", "init") / stat("node", "init"), import: stat("node", "import"), predict: stat("node", "predict") });
for (const runtime of ["deno", "bun"]) {
  report.add({ case: `init, ${runtime === "deno" ? "Deno" : "Bun"}`, ours: stat(runtime, "init"), peer: "none", peer_value: null, unit: "ms", ratio: null, import: stat(runtime, "import"), predict: stat(runtime, "predict") });
}
report.add({
  case: "init, workerd", ours: w.init, peer: "none", peer_value: null, unit: "ms", ratio: null,
  predict: w.predict, startup: w.startup, startup_without: w.startupEmpty,
});
report.add({
  case: "isolated page: init + first prediction", ours: med(pageTimes.two!.total), peer: "one thread", peer_value: med(pageTimes.one!.total), unit: "ms",
  ratio: med(pageTimes.one!.total) / med(pageTimes.two!.total), init: med(pageTimes.two!.init), init_one_thread: med(pageTimes.one!.init),
});
report.add({
  case: "whole process (spawn to exit), Node", ours: stat("node", "wall"), peer: "node -e 0", peer_value: med(empty), unit: "ms",
  ratio: med(empty) / stat("node", "wall"),
});
report.finish();
