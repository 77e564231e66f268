// Starting the pool of a threaded engine: loaded only when one is made, so a
// page that runs on one thread never downloads the thread code. Each worker
// packs its GEMM panels in a scratch block of its own (the calling thread
// keeps the static one), and products cut over K keep their block sums in
// one more block; all lie right after the core's static data and before the
// arena, so they are never part of what the arena hands out or reports.
// It receives what it shares with the rest of the engine (the error type)
// as an argument, so that it imports nothing the entry does.
import type { Core, ThreadedCore } from "../core.ts";
import { Pool } from "./pool.ts";
import type { WorkerThreads } from "./runtime.ts";
import { type Spawner, spawner } from "./spawn.ts";
import { threadedCore } from "./split.ts";

const PAGE = 65536;
/** Room for the K-block sums of a product cut over K (split.ts): 256K floats. */
const PARTIALS_BYTES = 1 << 20;

/** What a pool needs from the engine. */
export interface PoolSetup {
  readonly raw: Core;
  readonly module: WebAssembly.Module;
  readonly workers: number;
  /** How many pieces to cut a large call into now. */
  readonly parts: () => number;
  /** Node's and Deno's worker_threads (loaded when the first worker starts: it takes milliseconds), or undefined in a browser. */
  readonly threads: () => WorkerThreads | undefined;
  readonly fail: (message: string) => Error;
}

/** Where the workers' scratch blocks, the K-block sums and the arena lie, after the core's static data. */
function layout(workers: number, heapBase: number, scratchBytes: number): { first: number; partials: number; base: number } {
  const first = Math.ceil(heapBase / 16) * 16;
  const partials = first + workers * scratchBytes;
  return { first, partials, base: partials + PARTIALS_BYTES };
}

/** The pages a shared memory needs for the pool of `workers` before the arena takes any. */
export function poolPages(workers: number, heapBase: number, scratchBytes: number): number {
  return Math.ceil(layout(workers, heapBase, scratchBytes).base / PAGE);
}

/** Starts the workers on the core's shared memory: the cutting core, the pool, and where the arena may begin. */
export function startPool({ raw: core, module, workers, parts, threads, fail }: PoolSetup): { core: Core; pool: Pool; base: number } {
  // the embedded threaded core, built with this package, has every kernel of ThreadedCore;
  // tasks index its functions in the order the module exports them
  const raw = core as ThreadedCore;
  // (plain loops: a first call of an array builtin costs JavaScriptCore ~0.3 ms at a cold start)
  const names: string[] = [];
  for (const e of WebAssembly.Module.exports(module)) if (e.kind === "function") names.push(e.name);
  const bytes = raw.scratchBytes();
  const { first, partials, base } = layout(workers, raw.heapBase(), bytes);
  const memory = raw.memory;
  if (base > memory.buffer.byteLength) memory.grow(Math.ceil((base - memory.buffer.byteLength) / PAGE));
  const start: { module: WebAssembly.Module; memory: WebAssembly.Memory; scratch: number }[] = [];
  for (let i = 0; i < workers; i++) start.push({ module, memory, scratch: first + i * bytes });
  const table = raw as unknown as Record<string, (...args: number[]) => unknown>;
  let spawn: Spawner | undefined;
  // (wasm exports ignore `this`: called as they are, not bound)
  const kernels: ((...args: number[]) => unknown)[] = [];
  for (const name of names) kernels.push(table[name]!);
  const pool = new Pool(kernels, names, () => (spawn ??= spawner(names, threads()))(), start, fail);
  return { core: threadedCore(raw, pool, parts, names, { offset: partials, bytes: PARTIALS_BYTES }), pool, base };
}
