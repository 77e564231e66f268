// One fetch handler (web-standard Request -> Response) for a model served
// with batching and trained online, the same in Deno.serve, Bun.serve, Node's
// http (node.ts adapts it) and a Cloudflare Worker's fetch:
//
//   POST /predict  {"rows": [[...], ...]}              -> {"outputs": [[...], ...]}
//                  raw little-endian float32 rows      -> raw float32 outputs (Content-Type: application/octet-stream)
//   POST /learn    {"rows": [[...], ...], "labels": [...]} -> {"loss": n, "steps": n}
//   GET  /health   -> {"status": "ok"}
//   GET  /metrics  -> requests, errors, p50/p99 latency, mean batch, queue depth, arena bytes
//
// A bad request gets a 4xx with {"error": "..."} naming what is wrong; a
// full queue a 503 with Retry-After; the server goes on serving either way.
import type { OnlineStats, PredictorStats } from "paralens";

/** What the handler uses of a Predictor (described by its shape, so any copy of paralens serves). */
export interface Predicting {
  readonly inWidth: number;
  readonly outWidth: number;
  predict(row: ArrayLike<number>): Promise<Float32Array>;
  stats(): PredictorStats;
}

/** What the handler uses of an OnlineLearner. */
export interface Learning {
  learn(x: ArrayLike<number>, y: ArrayLike<number> | number): Promise<number>;
  stats(): OnlineStats;
}

/** The limits a request is held to. */
export interface Limits {
  /** The largest body read, in bytes (default 1 MiB); a larger one is refused with 413 before it is all read. */
  maxBodyBytes?: number;
  /** The most rows in one request (default 256). */
  maxRows?: number;
}

export interface Served {
  predictor: Predicting;
  /** Present if the server learns online (POST /learn). */
  trainer?: Learning;
  /** The arena's bytes in use, for /metrics. */
  arenaBytes: () => number;
}

/** A handled request that went wrong in a way the client can fix: its status and message. */
class BadRequest extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** Latencies of the last requests, for percentiles: a ring, so /metrics costs the same however long the server runs. */
class Latencies {
  private readonly ms = new Float64Array(4096);
  private count = 0;
  add(ms: number): void {
    this.ms[this.count++ % this.ms.length] = ms;
  }
  percentile(p: number): number | null {
    const n = Math.min(this.count, this.ms.length);
    if (n === 0) return null;
    const sorted = this.ms.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor((p / 100) * n))]!;
  }
}

/** The fetch handler for a predictor (and optionally an online learner) under some limits. */
export function createHandler(served: Served, limits: Limits = {}): (request: Request) => Promise<Response> {
  const maxBodyBytes = limits.maxBodyBytes ?? 1024 * 1024;
  const maxRows = limits.maxRows ?? 256;
  const { predictor, trainer } = served;
  const counts = { requests: 0, errors: 0, rowsPredicted: 0, examplesLearnt: 0 };
  const latencies = new Latencies();

  /** Reads a body to its end and drops it (a failure to read is the client's, and ends it). */
  async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const reader = stream.getReader();
    try {
      while (!(await reader.read()).done);
    } catch {
      // the client went away: nothing to answer
    }
  }

  /** The body's bytes, refused with 413 once it passes maxBodyBytes (without reading the rest). */
  async function body(request: Request): Promise<Uint8Array> {
    const declared = Number(request.headers.get("content-length") ?? NaN);
    if (declared > maxBodyBytes) {
      // a client sends its whole body before it reads the answer, and a server that stops reading
      // may reset the connection under it (workerd does): a body up to 4x the limit is read and
      // dropped first, so the 413 reaches the client; a larger one is refused at once
      if (declared <= 4 * maxBodyBytes && request.body !== null) await drain(request.body);
      throw new BadRequest(413, `the body is ${declared} bytes; the limit is ${maxBodyBytes}`);
    }
    if (request.body === null) return new Uint8Array(0);
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBodyBytes) {
          void reader.cancel().catch(() => {});
          throw new BadRequest(413, `the body is over ${maxBodyBytes} bytes, the limit`);
        }
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      // the client went away (or the connection broke) before the body ended
      throw new BadRequest(400, `the body could not be read to its end: ${(err as Error).message}`);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return bytes;
  }

  function parse(bytes: Uint8Array): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw new BadRequest(400, `the body is not JSON: ${(err as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BadRequest(400, 'the body must be a JSON object such as {"rows": [[...]]}');
    return value as Record<string, unknown>;
  }

  function rowList(value: unknown, name: string): unknown[] {
    if (!Array.isArray(value)) throw new BadRequest(400, `"${name}" must be an array of rows, got ${value === undefined ? "nothing" : JSON.stringify(value).slice(0, 40)}`);
    if (value.length === 0) throw new BadRequest(400, `"${name}" is empty`);
    if (value.length > maxRows) throw new BadRequest(413, `${value.length} rows; the limit is ${maxRows} per request`);
    return value;
  }

  /** Waits for every call of a request; the first refusal becomes the request's error (503 for a full queue: retry later). */
  async function all<T>(calls: Promise<T>[], name: string): Promise<T[]> {
    const settled = await Promise.allSettled(calls);
    const failed = settled.findIndex((s) => s.status === "rejected");
    if (failed < 0) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
    const message = ((settled[failed] as PromiseRejectedResult).reason as Error).message;
    if (/queue is full|closed/.test(message)) throw new BadRequest(503, message);
    throw new BadRequest(400, `${name}[${failed}]: ${message}`);
  }

  function contentType(request: Request): string {
    return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  }

  async function predict(request: Request): Promise<Response> {
    const type = contentType(request);
    if (type === "application/octet-stream") {
      const bytes = await body(request);
      const rowBytes = predictor.inWidth * 4;
      if (bytes.length === 0 || bytes.length % rowBytes !== 0) throw new BadRequest(400, `the body is ${bytes.length} bytes, not a whole number of rows of ${predictor.inWidth} float32 values (${rowBytes} bytes each)`);
      const count = bytes.length / rowBytes;
      if (count > maxRows) throw new BadRequest(413, `${count} rows; the limit is ${maxRows} per request`);
      // little-endian float32, as every platform that runs wasm stores them
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const outputs = await all(Array.from({ length: count }, (_, r) => predictor.predict(values.subarray(r * predictor.inWidth, (r + 1) * predictor.inWidth))), "rows");
      counts.rowsPredicted += count;
      const out = new Float32Array(count * predictor.outWidth);
      outputs.forEach((o, r) => out.set(o, r * predictor.outWidth));
      return new Response(out.buffer, { headers: { "content-type": "application/octet-stream" } });
    }
    if (type !== "application/json") throw new BadRequest(415, `Content-Type must be application/json or application/octet-stream, got ${type === "" ? "none" : JSON.stringify(type)}`);
    const rows = rowList(parse(await body(request)).rows, "rows");
    const outputs = await all(rows.map((r) => predictor.predict(r as number[])), "rows");
    counts.rowsPredicted += rows.length;
    return json({ outputs: outputs.map((o) => Array.from(o)) });
  }

  async function learn(request: Request): Promise<Response> {
    if (trainer === undefined) throw new BadRequest(404, "this server does not learn");
    const type = contentType(request);
    if (type !== "application/json") throw new BadRequest(415, `Content-Type must be application/json, got ${type === "" ? "none" : JSON.stringify(type)}`);
    const parsed = parse(await body(request));
    const rows = rowList(parsed.rows, "rows");
    const labels = parsed.labels;
    if (!Array.isArray(labels) || labels.length !== rows.length) throw new BadRequest(400, `"labels" must be an array of ${rows.length} labels, one per row`);
    const losses = await all(rows.map((r, i) => trainer.learn(r as number[], labels[i] as number)), "rows");
    counts.examplesLearnt += rows.length;
    return json({ loss: losses.reduce((a, b) => a + b, 0) / losses.length, steps: trainer.stats().steps });
  }

  function metrics(): Response {
    const p = predictor.stats();
    const t = trainer?.stats();
    return json({
      requests: counts.requests,
      errors: counts.errors,
      latencyMs: { p50: latencies.percentile(50), p99: latencies.percentile(99) },
      rowsPredicted: counts.rowsPredicted,
      batches: p.batches,
      meanBatch: p.batches === 0 ? null : p.rows / p.batches,
      queueDepth: p.queued + (t?.queued ?? 0),
      refused: p.refused + (t?.refused ?? 0),
      arenaBytes: served.arenaBytes(),
      ...(t === undefined ? {} : { examplesLearnt: counts.examplesLearnt, steps: t.steps, lastLoss: t.lastLoss, checkpoints: t.checkpoints }),
    });
  }

  const routes: Record<string, Record<string, (request: Request) => Promise<Response> | Response>> = {
    "/predict": { POST: predict },
    "/learn": { POST: learn },
    "/health": { GET: () => json({ status: "ok" }) },
    "/metrics": { GET: metrics },
  };

  return async function handler(request: Request): Promise<Response> {
    const started = performance.now();
    counts.requests++;
    let response: Response;
    try {
      const route = routes[new URL(request.url).pathname];
      if (route === undefined) throw new BadRequest(404, `no such path; the paths are ${Object.keys(routes).join(", ")}`);
      const method = route[request.method];
      if (method === undefined) throw new BadRequest(405, `${request.method} is not allowed here; use ${Object.keys(route).join(", ")}`);
      response = await method(request);
    } catch (err) {
      counts.errors++;
      const status = err instanceof BadRequest ? err.status : 500;
      response = json({ error: (err as Error).message }, status, status === 503 ? { "retry-after": "1" } : {});
    }
    latencies.add(performance.now() - started);
    return response;
  };
}
