// Starting the pool of a threaded engine: loaded only when one is made, so a
// program that runs on one thread never downloads the thread code. The
// workers start at the first call large enough to be cut (pool.ts); this
// makes the shared memory, instantiates the threaded core on it and lays out
// the pool. It receives what it shares with the rest of the engine (the
// pool's layout, the error type, the check of an instantiated core) as
// arguments, so that it imports nothing the entry does (a module both import
// would be a chunk of its own, one more file for every page).
import type { Core, ThreadedCore } from "../core.ts";
import { Pool } from "./pool.ts";
import type { WorkerThreads } from "./runtime.ts";
import { type Spawner, spawner } from "./spawn.ts";
import { threadedCore } from "./split.ts";

const PAGE = 65536;

/** What a pool needs from the engine. */
export interface PoolSetup {
  /** The threaded core, and the pages and layout of the shared memory it imports. */
  readonly module: WebAssembly.Module;
  readonly memoryPages: { readonly initial: number; readonly maximum: number; readonly heapBase: number; readonly scratchBytes: number };
  readonly workers: number;
  /** Where the workers' scratch blocks, the K-block sums and the arena begin for them (layout.ts). */
  readonly layout: { readonly first: number; readonly partials: number; readonly base: number };
  /** The most pages the memory may grow to (init's maxMemoryMB). */
  readonly maxPages: number;
  /**
   * A one-thread engine's memory to take over: what lies from `base` on (its
   * arena) is copied to the same offsets, so every tensor and plan stays
   * where it is. Its arena must begin at or after the pool's.
   */
  readonly from?: { readonly memory: WebAssembly.Memory; readonly base: number };
  /** Instantiates a core and checks it is one (engine.ts). */
  readonly instantiate: (module: WebAssembly.Module, imports: WebAssembly.Imports) => Core;
  /** How many pieces to cut a large call into now. */
  readonly parts: () => number;
  /** Node's and Deno's worker_threads (loaded when the first worker starts: it takes milliseconds), or undefined in a browser. */
  readonly threads: () => WorkerThreads | undefined;
  readonly fail: (message: string) => Error;
}

/** The threaded core on a new shared memory with the workers' pool: the cutting core, the pool, and where the arena may begin. */
export function startPool({ module, memoryPages, workers, layout, maxPages, from, instantiate, parts, threads, fail }: PoolSetup): { core: Core; pool: Pool; base: number } {
  const { initial, maximum, scratchBytes } = memoryPages;
  const { first, partials, base } = layout;
  if (from !== undefined && base > from.base) {
    throw fail(`the thread pool needs the memory below byte ${base}, but this engine's arena begins at byte ${from.base}`);
  }
  // as large as the pool's layout (or the memory taken over) from the start: it is never grown before the arena's first tensor
  const pages = Math.max(initial, Math.ceil(base / PAGE), from === undefined ? 0 : from.memory.buffer.byteLength / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: Math.max(pages, Math.min(maximum, maxPages)), shared: true });
  // (a memory that still ends below its arena's base holds no tensor yet)
  if (from !== undefined && from.memory.buffer.byteLength > from.base) new Uint8Array(memory.buffer).set(new Uint8Array(from.memory.buffer, from.base), from.base);
  // the embedded threaded core, built with this package, has every kernel of ThreadedCore;
  // tasks index its functions in the order the module exports them
  const raw = instantiate(module, { env: { memory } }) as ThreadedCore;
  // (plain loops: a first call of an array builtin costs JavaScriptCore ~0.3 ms at a cold start)
  const names: string[] = [];
  for (const e of WebAssembly.Module.exports(module)) if (e.kind === "function") names.push(e.name);
  const start: { module: WebAssembly.Module; memory: WebAssembly.Memory; scratch: number }[] = [];
  for (let i = 0; i < workers; i++) start.push({ module, memory, scratch: first + i * scratchBytes });
  const table = raw as unknown as Record<string, (...args: number[]) => unknown>;
  let spawn: Spawner | undefined;
  // (wasm exports ignore `this`: called as they are, not bound)
  const kernels: ((...args: number[]) => unknown)[] = [];
  for (const name of names) kernels.push(table[name]!);
  const pool = new Pool(kernels, names, () => (spawn ??= spawner(names, threads()))(), start, fail);
  return { core: threadedCore(raw, pool, parts, names, { offset: partials, bytes: base - partials }), pool, base };
}
