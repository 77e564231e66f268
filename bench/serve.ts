// The Node server of examples/serve under load (autocannon, loopback): MNIST MLP predictions, req/s and p50/p99 with batching vs one forward pass per request.
//
//   npm run bench -- serve [--seconds=5] [--concurrency=1,16,64,256] [--max-batch=64] [--max-delay-ms=0] [--body=json|raw]
//
// The server runs in its own process (examples/serve/node.ts on 127.0.0.1,
// any free port) and autocannon in this one: on a two-core machine each has
// about one core. "Unbatched" is the same server with maxBatch 1: each
// request's row runs as its own forward pass as soon as it arrives.
import { type ChildProcess, spawn } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Report } from "./lib/report.ts";

const root = join(import.meta.dirname, "..");
const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const seconds = Number(arg("seconds", "5"));
const levels = arg("concurrency", "1,16,64,256").split(",").map(Number);
const maxBatch = Number(arg("max-batch", "64"));
const maxDelayMs = arg("max-delay-ms", "0");
const raw = arg("body", "json") === "raw";

interface Server {
  base: string;
  child: ChildProcess;
}

function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "examples", "serve", "node.ts")], { cwd: root, env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s: ${output}`)), 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ base: `http://127.0.0.1:${m[1]}`, child });
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
}

async function metrics(base: string): Promise<{ batches: number; rowsPredicted: number }> {
  return (await fetch(`${base}/metrics`)).json();
}

// one MNIST-sized row of pixel-like values
const row = Array.from({ length: 784 }, (_, i) => ((i * 37) % 256) / 255);
const body = raw ? Buffer.from(new Float32Array(row).buffer) : JSON.stringify({ rows: [row] });
const contentType = raw ? "application/octet-stream" : "application/json";

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  meanBatch: number;
}

async function load(base: string, connections: number): Promise<Load> {
  const before = await metrics(base);
  const result = await autocannon({
    url: `${base}/predict`, method: "POST", headers: { "content-type": contentType }, body,
    connections, duration: seconds, pipelining: 1, timeout: 10,
  });
  const after = await metrics(base);
  const batches = after.batches - before.batches;
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    meanBatch: batches === 0 ? 0 : (after.rowsPredicted - before.rowsPredicted) / batches,
  };
}

async function measure(env: Record<string, string>): Promise<Map<number, Load>> {
  const server = await startServer(env);
  try {
    // warm up: plans compiled at start, JIT and connections here
    await autocannon({ url: `${server.base}/predict`, method: "POST", headers: { "content-type": contentType }, body, connections: 16, duration: 1 });
    const out = new Map<number, Load>();
    for (const c of levels) out.set(c, await load(server.base, c));
    return out;
  } finally {
    server.child.kill("SIGKILL");
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; ${seconds} s per level, ${raw ? "raw float32" : "JSON"} bodies of one row; batched: maxBatch ${maxBatch}, maxDelayMs ${maxDelayMs}`);
const batched = await measure({ MAX_BATCH: String(maxBatch), MAX_DELAY_MS: maxDelayMs });
const unbatched = await measure({ MAX_BATCH: "1", MAX_DELAY_MS: "0" });

const report = new Report("serve");
for (const c of levels) {
  const b = batched.get(c)!;
  const u = unbatched.get(c)!;
  report.add({
    case: `mnist mlp, ${c} connection${c === 1 ? "" : "s"}`, ours: b.reqPerSec, peer: "unbatched", peer_value: u.reqPerSec, unit: "req/s", ratio: b.reqPerSec / u.reqPerSec,
    p50_ms: b.p50, p99_ms: b.p99, mean_batch: b.meanBatch, errors: b.errors,
    unbatched_p50_ms: u.p50, unbatched_p99_ms: u.p99, unbatched_errors: u.errors,
  });
}
report.finish();
