// examples/serve/: one fetch handler served four ways, each on 127.0.0.1 in
// its own process (workerd through Miniflare for the Worker): Node's http
// through node-adapter.ts, Deno.serve, Bun.serve and a Worker's fetch. Each
// answers predictions with the bits this process computes for the same
// model, as JSON and as raw float32; each refuses every kind of bad request
// with a 4xx and a JSON error naming what is wrong, and answers a good
// request right after it; each learns online and reports its metrics.
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adam, dense, init, seq, softmaxCrossEntropy, supervised } from "../ts-api/index.ts";
import { bundleWorker, startWorker, within } from "./install/edge.ts";
import { testRows } from "./serve-invariance.ts";

await init();
const root = join(import.meta.dirname, "..");
const serve = join(root, "examples", "serve");
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

// the app's model, built the same way here: its outputs are the reference
const learner = supervised(seq(dense(784, 128, "relu"), dense(128, 10)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, labels: "indices" });
const rows = testRows(24, 784, 5);
const expected = rows.map((r) => learner.predict([Array.from(r)]));
learner.dispose();

interface Server {
  base: string;
  stop(): Promise<void>;
}

/** Spawns a server script and resolves once it prints its port. */
async function spawned(command: string, args: string[]): Promise<Server> {
  const child: ChildProcess = spawn(command, args, { cwd: root, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const port = await within(new Promise<number>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.on("exit", (code) => reject(new Error(`${command} exited with ${code}: ${output}`)));
  }), `${args.join(" ")} to listen`, 60_000).catch((e) => {
    child.kill("SIGKILL");
    throw e;
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on("exit", () => resolve());
      child.kill("SIGKILL");
    }),
  };
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; bytes: ArrayBuffer; type: string }> {
  const r = await within(fetch(base + path, init), `${init.method ?? "GET"} ${path}`, 30_000);
  const bytes = await r.arrayBuffer();
  const type = r.headers.get("content-type") ?? "";
  return { status: r.status, body: type.startsWith("application/json") ? JSON.parse(new TextDecoder().decode(bytes)) : undefined, bytes, type };
}

const postJson = (base: string, path: string, body: string, type = "application/json") => call(base, path, { method: "POST", body, headers: { "content-type": type } });
const sameBits = (a: ArrayLike<number>, b: Float32Array): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(Math.fround(v), b[i]));

async function goodRequest(name: string, base: string, after: string): Promise<void> {
  const send = () => postJson(base, "/predict", JSON.stringify({ rows: [Array.from(rows[1]!)] }));
  // A server may close a connection after refusing a body it did not read (workerd does): a
  // client that reused it sees the connection fail, not an answer, and sends again on a new one.
  const r = await send().catch((e) => {
    if (!/fetch failed/.test(e.message)) throw e;
    return send();
  }).catch((e) => {
    throw new Error(`${name}: a good request after ${after}: ${e.message} ${e.cause?.message ?? ""}`);
  });
  assertEqual(r.status, 200, `${name}: a good request after ${after}`);
  assert(sameBits(r.body.outputs[0], expected[1]!), `${name}: the right outputs after ${after}`);
}

/** Sends the start of a body, then drops the connection. */
function disconnectMidBody(base: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /predict HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"rows": [[0.5, 0.25, `);
      // the server has begun reading the body when the client goes away
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
    socket.on("error", reject);
  });
}

async function checkServer(name: string, base: string): Promise<void> {
  const health = await call(base, "/health");
  assertEqual(JSON.stringify([health.status, health.body]), JSON.stringify([200, { status: "ok" }]), `${name}: /health`);

  const some = rows.slice(0, 3).map((r) => Array.from(r));
  const predicted = await postJson(base, "/predict", JSON.stringify({ rows: some }));
  assertEqual(predicted.status, 200, `${name}: /predict`);
  predicted.body.outputs.forEach((o: number[], i: number) => assert(sameBits(o, expected[i]!), `${name}: row ${i}: this process's bits`));

  const raw = await call(base, "/predict", { method: "POST", body: new Float32Array(rows.slice(3, 6).flatMap((r) => Array.from(r))), headers: { "content-type": "application/octet-stream" } });
  assertEqual(raw.status, 200, `${name}: raw float32 /predict`);
  assertEqual(raw.type, "application/octet-stream");
  const out = new Float32Array(raw.bytes);
  [3, 4, 5].forEach((r, i) => assert(sameBits(out.subarray(i * 10, (i + 1) * 10), expected[r]!), `${name}: raw row ${r}`));

  // many clients at once: each gets its own row's outputs, whatever it was batched with
  const answers = await Promise.all(rows.map((r) => postJson(base, "/predict", JSON.stringify({ rows: [Array.from(r)] }))));
  answers.forEach((a, i) => assert(a.status === 200 && sameBits(a.body.outputs[0], expected[i]!), `${name}: concurrent request ${i}: ${a.status} ${a.type} ${new TextDecoder().decode(a.bytes).slice(0, 300)} expected ${Array.from(expected[i]!).slice(0, 3)}`));

  const width = (n: number): number[] => Array.from({ length: n }, () => 0.5);
  const big = JSON.stringify({ rows: Array.from({ length: 700 }, () => width(784)) }); // ~1.1 MB, over the 1 MiB limit
  const bad: [string, () => Promise<{ status: number; body: any }>, number, RegExp][] = [
    ["malformed JSON", () => postJson(base, "/predict", '{"rows": [[1, 2'), 400, /the body is not JSON/],
    ["a body that is not an object", () => postJson(base, "/predict", "[1, 2]"), 400, /must be a JSON object/],
    ["no rows", () => postJson(base, "/predict", "{}"), 400, /"rows" must be an array of rows, got nothing/],
    ["a row of the wrong width", () => postJson(base, "/predict", JSON.stringify({ rows: [width(784), width(3)] })), 400, /rows\[1\]: predict: the row has 3 values, expected 784/],
    ["a string in a row", () => postJson(base, "/predict", JSON.stringify({ rows: [[...width(5), "x", ...width(778)]] })), 400, /rows\[0\]: predict: value 5 of the row is "x" \(a string\)/],
    ["a null in a row", () => postJson(base, "/predict", JSON.stringify({ rows: [[null, ...width(783)]] })), 400, /value 0 of the row is null/],
    ["NaN in raw float32", () => call(base, "/predict", { method: "POST", body: new Float32Array(784).fill(NaN), headers: { "content-type": "application/octet-stream" } }), 400, /value 0 of the row is NaN/],
    ["raw bytes that are not whole rows", () => call(base, "/predict", { method: "POST", body: new Uint8Array(100), headers: { "content-type": "application/octet-stream" } }), 400, /not a whole number of rows of 784 float32 values/],
    ["too many rows", () => postJson(base, "/predict", JSON.stringify({ rows: Array.from({ length: 257 }, () => [0]) })), 413, /257 rows; the limit is 256 per request/],
    ["a body over the size limit", () => postJson(base, "/predict", big), 413, /the limit is 1048576/],
    ["a streamed body over the size limit", () => call(base, "/predict", {
      method: "POST", headers: { "content-type": "application/json" }, duplex: "half",
      body: new ReadableStream({ start(c) { for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode(" ".repeat(32 * 1024))); c.close(); } }),
    } as RequestInit), 413, /over 1048576 bytes, the limit/],
    ["the wrong content type", () => postJson(base, "/predict", JSON.stringify({ rows: [width(784)] }), "text/plain"), 415, /Content-Type must be application\/json or application\/octet-stream, got "text\/plain"/],
    ["an unknown path", () => call(base, "/nowhere"), 404, /no such path/],
    ["the wrong method", () => call(base, "/predict"), 405, /GET is not allowed here; use POST/],
    ["labels that do not match the rows", () => postJson(base, "/learn", JSON.stringify({ rows: [width(784)], labels: [1, 2] })), 400, /"labels" must be an array of 1 labels/],
    ["a class index out of range", () => postJson(base, "/learn", JSON.stringify({ rows: [width(784)], labels: [10] })), 400, /rows\[0\]: learn y: .*10; class indices are whole numbers in \[0, 10\)/],
  ];
  for (const [what, send, status, message] of bad) {
    const r = await send().catch((e) => { throw new Error(`${name}: ${what}: ${e.message} ${e.cause?.message ?? ""}`); });
    assertEqual(r.status, status, `${name}: the status for ${what}`);
    assert(message.test(r.body?.error ?? ""), `${name}: the error for ${what} says what is wrong: ${JSON.stringify(r.body)}`);
    await goodRequest(name, base, what);
  }
  await disconnectMidBody(base);
  await goodRequest(name, base, "a client that disconnected mid-body");

  const learnt = await postJson(base, "/learn", JSON.stringify({ rows: rows.slice(0, 4).map((r) => Array.from(r)), labels: [1, 2, 3, 4] }));
  assertEqual(learnt.status, 200, `${name}: /learn`);
  assert(Number.isFinite(learnt.body.loss) && learnt.body.steps >= 1, `${name}: /learn answers its loss and the steps taken: ${JSON.stringify(learnt.body)}`);
  const changed = await postJson(base, "/predict", JSON.stringify({ rows: [Array.from(rows[0]!)] }));
  assert(!sameBits(changed.body.outputs[0], expected[0]!), `${name}: predictions after learning see the new parameters`);

  const m = (await call(base, "/metrics")).body;
  assert(m.requests >= 40 && m.errors >= bad.length, `${name}: /metrics counts requests and errors: ${JSON.stringify(m)}`);
  assert(m.latencyMs.p50 > 0 && m.latencyMs.p99 >= m.latencyMs.p50, `${name}: latency percentiles`);
  assert(m.meanBatch >= 1 && m.rowsPredicted >= 30 && m.queueDepth === 0 && m.arenaBytes > 0 && m.steps >= 1, `${name}: batching, queue and arena figures: ${JSON.stringify(m)}`);
}

test("examples/serve on Node's http (node-adapter.ts)", async () => {
  const server = await spawned(process.execPath, ["--import", "tsx", join(serve, "node.ts")]);
  try {
    await checkServer("node", server.base);
  } finally {
    await server.stop();
  }
});

test("examples/serve on Deno.serve", async () => {
  const server = await spawned(bin("deno"), ["run", "--quiet", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", join(serve, "deno.ts")]);
  try {
    await checkServer("deno", server.base);
  } finally {
    await server.stop();
  }
});

test("examples/serve on Bun.serve", async () => {
  const server = await spawned(bin("bun"), [join(serve, "bun.ts")]);
  try {
    await checkServer("bun", server.base);
  } finally {
    await server.stop();
  }
});

test("examples/serve as a Worker in workerd (wrangler's bundle, Miniflare)", async () => {
  const out = mkdtempSync(join(tmpdir(), "paralens-serve-worker-"));
  try {
    const mf = await startWorker(bundleWorker(serve, out), "2025-06-01");
    try {
      const url = await mf.ready;
      assertEqual(url.hostname, "127.0.0.1", "workerd listens on loopback");
      await checkServer("worker", url.origin);
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
