// Starting the pool of a threaded engine: loaded only when one is made, so a
// page that runs on one thread never downloads the thread code. Each worker
// packs its GEMM panels in a scratch block of its own, laid out right after
// the core's static data and before the arena, so the blocks are never part
// of what the arena hands out or reports; the calling thread keeps the
// static scratch.
// It receives what it shares with the rest of the engine (the kernel names,
// the error type) as arguments, so that it imports nothing the entry does.
import type { Core } from "../core.ts";
import { Pool } from "./pool.ts";
import type { WorkerThreads } from "./runtime.ts";
import { type Spawner, spawner } from "./spawn.ts";
import { threadedCore } from "./split.ts";

const PAGE = 65536;

/** What a pool needs from the engine. */
export interface PoolSetup {
  readonly raw: Core;
  readonly module: WebAssembly.Module;
  readonly workers: number;
  /** How many pieces to cut a large call into now. */
  readonly parts: () => number;
  /** The core's kernel names, in the order tasks index them. */
  readonly names: readonly string[];
  /** Node's and Deno's worker_threads (loaded when the first worker starts: it takes milliseconds), or undefined in a browser. */
  readonly threads: () => WorkerThreads | undefined;
  readonly fail: (message: string) => Error;
}

/** Starts the workers on the core's shared memory: the cutting core, the pool, and where the arena may begin. */
export function startPool({ raw, module, workers, parts, names, threads, fail }: PoolSetup): { core: Core; pool: Pool; base: number } {
  const bytes = raw.scratchBytes();
  const first = Math.ceil(raw.heapBase() / 16) * 16;
  const base = first + workers * bytes;
  const memory = raw.memory;
  if (base > memory.buffer.byteLength) memory.grow(Math.ceil((base - memory.buffer.byteLength) / PAGE));
  const start = Array.from({ length: workers }, (_, i) => ({ module, memory, scratch: first + i * bytes }));
  const table = raw as unknown as Record<string, (...args: number[]) => unknown>;
  let spawn: Spawner | undefined;
  const pool = new Pool(names.map((name) => table[name]!.bind(raw)), names, () => (spawn ??= spawner(names, threads()))(), start, fail);
  return { core: threadedCore(raw, pool, parts, names), pool, base };
}
