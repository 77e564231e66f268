// The Node server of examples/serve under load (autocannon, loopback): MNIST MLP predictions, req/s and p50/p99/p99.9 with batching vs one forward pass per request vs onnxruntime-node per request, the server's RSS over 100,000 requests.
//
//   npm run bench -- serve [--seconds=5] [--concurrency=1,16,64,256] [--max-batch=64] [--max-delay-ms=0] [--body=json|raw]
//
// The server runs in its own process (examples/serve/node.ts on 127.0.0.1,
// any free port) and autocannon in this one: on a two-core machine each has
// about one core. "Unbatched" is the same server with maxBatch 1: each
// request's row runs as its own forward pass as soon as it arrives; the peer
// is the same handler with onnxruntime-node answering each request
// (bench/serve-peer.ts). Targets: at 64 connections >= 5x the unbatched
// throughput, with p99 under 3x the unbatched p50 at one connection; no
// errors; the batched server's RSS flat (within 5%) over 100,000 requests.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
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

function startServer(env: Record<string, string>, script = join(root, "examples", "serve", "node.ts")): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
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

/** A process's resident memory in MiB (Linux's /proc), or NaN elsewhere. */
function rssMiB(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  p999: number;
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
    p999: result.latency.p99_9,
    errors: result.errors + result.timeouts + result.non2xx,
    meanBatch: batches === 0 ? 0 : (after.rowsPredicted - before.rowsPredicted) / batches,
  };
}

/** Each level's load on a server started with `env` (or `script`); with `soak`, then 100,000 requests at 64 connections and the server's RSS before and after them. */
async function measure(env: Record<string, string>, script?: string, soak = false): Promise<{ levels: Map<number, Load>; rss?: [number, number]; soakErrors?: number }> {
  const server = await startServer(env, script);
  try {
    // warm up: plans compiled at start, JIT and connections here
    await autocannon({ url: `${server.base}/predict`, method: "POST", headers: { "content-type": contentType }, body, connections: 16, duration: 1 });
    const out = new Map<number, Load>();
    for (const c of levels) out.set(c, await load(server.base, c));
    if (!soak) return { levels: out };
    const before = rssMiB(server.child.pid);
    const result = await autocannon({ url: `${server.base}/predict`, method: "POST", headers: { "content-type": contentType }, body, connections: 64, amount: 100_000, timeout: 10 });
    return { levels: out, rss: [before, rssMiB(server.child.pid)], soakErrors: result.errors + result.timeouts + result.non2xx };
  } finally {
    server.child.kill("SIGKILL");
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; ${seconds} s per level, ${raw ? "raw float32" : "JSON"} bodies of one row; batched: maxBatch ${maxBatch}, maxDelayMs ${maxDelayMs}`);
const batchedRun = await measure({ MAX_BATCH: String(maxBatch), MAX_DELAY_MS: maxDelayMs }, undefined, true);
const batched = batchedRun.levels;
const unbatched = (await measure({ MAX_BATCH: "1", MAX_DELAY_MS: "0" })).levels;
const peer = (await measure({}, join(root, "bench", "serve-peer.ts"))).levels;

const report = new Report("serve");
const atOne = unbatched.get(1);
for (const c of levels) {
  const b = batched.get(c)!;
  const u = unbatched.get(c)!;
  const o = peer.get(c)!;
  const targets = c !== 64 ? {} : {
    target: ">= 5x, p99 < 3x unbatched p50 at 1",
    met: b.reqPerSec / u.reqPerSec >= 5 && atOne !== undefined && b.p99 < 3 * atOne.p50 ? "yes" : "no",
  };
  report.add({
    case: `mnist mlp, ${c} connection${c === 1 ? "" : "s"}`, ours: b.reqPerSec, peer: "unbatched", peer_value: u.reqPerSec, unit: "req/s", ratio: b.reqPerSec / u.reqPerSec,
    p50_ms: b.p50, p99_ms: b.p99, p999_ms: b.p999, mean_batch: b.meanBatch, errors: b.errors,
    unbatched_p50_ms: u.p50, unbatched_p99_ms: u.p99, unbatched_errors: u.errors,
    ort_node: o.reqPerSec, vs_ort_node: b.reqPerSec / o.reqPerSec, ort_node_p99_ms: o.p99, ort_node_errors: o.errors,
    ...targets,
  });
}
const [before, after] = batchedRun.rss ?? [NaN, NaN];
const errors = [...batched.values(), ...unbatched.values()].reduce((n, l) => n + l.errors, 0) + (batchedRun.soakErrors ?? 0);
console.log(
  `batched server RSS over 100,000 requests at 64 connections: ${before.toFixed(1)} -> ${after.toFixed(1)} MiB (${(((after - before) / before) * 100).toFixed(1)}%; ` +
    `target within 5%: ${Math.abs(after - before) <= 0.05 * before ? "met" : "missed"}); errors in every paralens run: ${errors} (target 0: ${errors === 0 ? "met" : "missed"})`,
);
report.finish();
