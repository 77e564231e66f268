// Making the engine: init() once per page or process (later calls return the
// same engine), and engine() to find it. Which core loads and how (embedded
// bytes, a module the platform compiled, a Response), how much memory it may
// have, and whether threads are started: each checked, with an error that
// names the cause and the fix for the platform.
import { type Core, kernelNames } from "./core.ts";
import { ParalensError, describe } from "./errors.ts";
import { type CoreModule, loadCore } from "./cores.ts";
import { platform } from "./platform.ts";
import { compileBytes, isWasmModule } from "./wasm.ts";
import { MAX_THREADS, availableCores, sharingRefused, workerThreads } from "./threads/runtime.ts";
import { poolLayout } from "./threads/layout.ts";
import { Engine, type MoveOntoThreads, type SimdMode } from "./engine.ts";

/**
 * Options of `init()`: which core module, which SIMD build, how much memory.
 *
 * @category Engine
 */
export interface InitOptions {
  /**
   * The core module, for platforms that import .wasm files as modules or for
   * users who fetch or stream it themselves: a compiled module (from any
   * realm: a sandbox's host may have compiled it), bytes, or a Response (e.g.
   * fetch("/core.wasm")). By default the package's own copy is used:
   * embedded in the code, or on Cloudflare Workers and Vercel's Edge Runtime
   * imported as a module by the build the platform's bundler picks, so
   * nothing needs to be served or passed.
   */
  wasm?: BufferSource | WebAssembly.Module | Response | PromiseLike<Response>;
  /**
   * "strict" (default): deterministic SIMD, the same bits in every engine.
   * "relaxed": fused multiply-add where the engine supports relaxed SIMD (Deno
   * 2, Chromium; Node 20 only with --experimental-wasm-relaxed-simd), else
   * strict; `engine().simd` tells which one runs. With `wasm`, says which
   * build that module is (paralens/core.wasm or paralens/core-relaxed.wasm).
   */
  simd?: SimdMode;
  /**
   * Upper bound for the wasm memory, in MiB: a model, plan or tensor that
   * would need more is refused with its size, before anything is allocated.
   * Default: 4096 (the wasm32 limit), and 96 on Cloudflare Workers and
   * Vercel's Edge Runtime, whose isolates are stopped at 128 MB in all.
   */
  maxMemoryMB?: number;
  /**
   * Threads to cut large kernel calls across (1 to 64). Default: the cores the
   * runtime reports, where memory can be shared with workers (Node, Deno, Bun,
   * a cross-origin-isolated page); otherwise 1. Workers start at the first
   * call large enough to be cut. On a page or in a web worker the thread
   * code is fetched after init, which answers on one thread meanwhile
   * (`engine().threadsReady()`). `engine().threads` tells how many run and
   * why. Results are the same bits at any thread count.
   */
  threads?: number;
}

/** The least memory an engine may be given: the core's static data and a little room. */
const MIN_MEMORY_MB = 1;
/** The default bound on platforms whose isolates have 128 MB in all (JavaScript heap included). */
const SMALL_ISOLATE_MB = 96;

let current: Engine | undefined;
let pending: Promise<Engine> | undefined;
let requested: InitOptions = {};

/**
 * The engine made by init(); throws if init() has not finished.
 *
 * @example
 * ```ts
 * engine().simd;  // "strict" unless init({ simd: "relaxed" }) found relaxed SIMD
 * ```
 *
 * @category Engine
 */
export function engine(): Engine {
  if (current === undefined) throw new ParalensError("paralens is not initialised: call `await init()` first");
  return current;
}

/** The engine made by init(), or undefined before it has finished. */
export function currentEngine(): Engine | undefined {
  return current;
}

/**
 * Instantiates the wasm core (with threads, on shared memory; the workers
 * start at the first kernel call large enough to be cut across them).
 * Idempotent: later calls return the same engine; asking for another SIMD
 * mode or thread count than the first call did is an error.
 *
 * @example
 * ```ts
 * await init();  // once per program; later calls return the same engine
 * engine().tensor([2]).dispose();
 * ```
 *
 * @category Engine
 */
export function init(options: InitOptions = {}): Promise<Engine> {
  if (pending !== undefined) {
    if (options.simd !== undefined && options.simd !== (requested.simd ?? "strict")) {
      return Promise.reject(new ParalensError(`init: already initialised with simd "${requested.simd ?? "strict"}", cannot switch to "${options.simd}"`));
    }
    if (options.threads !== undefined && options.threads !== requested.threads) {
      return Promise.reject(
        new ParalensError(`init: already initialised${requested.threads === undefined ? "" : ` with threads ${requested.threads}`}, cannot switch to threads ${options.threads}; engine().setThreads(n) changes how many run`),
      );
    }
    return pending;
  }
  requested = options;
  pending = createEngine(options).then(
    (e) => (current = e),
    (err: unknown) => {
      pending = undefined;
      throw err;
    },
  );
  return pending;
}

/**
 * A new, independent engine (its own memory). init() makes the one that
 * lenses and plans use; this is for checking a module or running a second
 * instance side by side.
 */
export async function createEngine(options: InitOptions = {}): Promise<Engine> {
  checkOptions(options);
  const simd = options.simd ?? "strict";
  const maxMB = options.maxMemoryMB ?? defaultMaxMemoryMB();
  const { threads, reason } = threadsFor(options);
  if (options.wasm !== undefined) {
    const module = await compileGiven(await options.wasm);
    return makeEngine(module, simd, maxMB, reason);
  }
  const relaxed = simd === "relaxed";
  // Node and Deno set the pool up within init; pages and web workers would wait
  // for the network, and Bun's JavaScriptCore spends 2-3 ms instantiating the
  // threaded core on shared memory (a quarter of its cold start), so there init
  // answers on one thread and the pool comes behind
  if (threads > 1 && platform() !== "node" && platform() !== "deno") return threadsBehind(relaxed, threads, maxMB, reason);
  // the thread code is a chunk of its own: fetched (or read) while the core is
  const starting = threads > 1 ? import("./threads/start.ts") : undefined;
  starting?.catch(() => undefined); // awaited below, unless the core fails first
  const core = await loadCore(relaxed, threads > 1);
  if (core.memoryPages === undefined) return makeEngine(core.module, core.relaxed ? "relaxed" : "strict", maxMB, reason);
  const { startPool } = await starting!;
  let e: Engine | undefined;
  const started = startPool(poolSetup(core, threads, maxMB, () => e?.threads.count ?? 1));
  e = new Engine(started.core, core.relaxed ? "relaxed" : "strict", maxMB * 1024 * 1024, {
    base: started.base, pool: started.pool, threads: { count: threads, max: threads, reason },
  });
  return e;
}

/**
 * A page or web worker fetches the thread code and the threaded core, and
 * waiting for the network would make init slow for every model, however
 * small (in Bun, setting the pool up is what takes long). So there init
 * answers at once on the embedded one-thread core, with its arena past the
 * room the pool will take (the memory grows past it at the first tensor), and
 * loads them behind it; the engine moves onto them when they arrive
 * (Engine.takeThreads; engine().threadsReady() tells).
 * (Exported for the tests, which make such an engine in every runtime.)
 */
export async function threadsBehind(relaxed: boolean, threads: number, maxMB: number, reason: string): Promise<Engine> {
  const one = await loadCore(relaxed, false);
  const raw = instantiate(one.module, {});
  const { base } = poolLayout(threads - 1, raw.heapBase(), raw.scratchBytes());
  const e = new Engine(raw, one.relaxed ? "relaxed" : "strict", maxMB * 1024 * 1024, { base, threads: { count: threads, max: threads, reason } });
  // fetched once the calling code has had its turn: compiling the threaded core beside its first calls would slow them
  const afterTurn = new Promise((resolve) => setTimeout(resolve, 0));
  const arrival = afterTurn.then(() => Promise.all([import("./threads/start.ts"), loadCore(one.relaxed, true)])).then(([{ startPool }, core]): MoveOntoThreads => {
    // the same build on threads, or its results could differ from the one-thread core's
    if (core.memoryPages === undefined || core.relaxed !== one.relaxed) throw new ParalensError(`no threaded build of the ${e.simd} core`);
    return (from) => startPool({ ...poolSetup(core, threads, maxMB, () => e.threads.count), from });
  });
  e.takeThreads(arrival, base);
  return e;
}

/** What startPool needs to put a threaded core of `threads` threads on a new shared memory. */
function poolSetup(core: CoreModule, threads: number, maxMB: number, parts: () => number) {
  const memoryPages = core.memoryPages!;
  const { heapBase, scratchBytes } = memoryPages;
  return {
    module: core.module, memoryPages, workers: threads - 1, layout: poolLayout(threads - 1, heapBase, scratchBytes), maxPages: Math.floor(maxMB * 16),
    instantiate, parts, threads: workerThreads, fail: (message: string) => new ParalensError(message),
  };
}

/** The default bound on the wasm memory, in MiB, for this platform. */
function defaultMaxMemoryMB(): number {
  const p = platform();
  return p === "workerd" || p === "edge-light" ? SMALL_ISOLATE_MB : 4096;
}

/** Refuses options init cannot honour, naming the option and the value, before anything is made. */
function checkOptions(options: InitOptions): void {
  if (typeof options !== "object" || options === null) throw new ParalensError(`init: options must be an object, got ${describe(options)}`);
  const { simd, maxMemoryMB, wasm } = options;
  if (simd !== undefined && simd !== "strict" && simd !== "relaxed") {
    throw new ParalensError(`init: simd must be "strict" or "relaxed", got ${describe(simd)}`);
  }
  if (maxMemoryMB !== undefined && !(typeof maxMemoryMB === "number" && maxMemoryMB >= MIN_MEMORY_MB && maxMemoryMB <= 4096)) {
    throw new ParalensError(`init: maxMemoryMB must be a number from ${MIN_MEMORY_MB} to 4096 (MiB), got ${describe(maxMemoryMB)}`);
  }
  if (wasm !== undefined && !isWasmModule(wasm) && !isBufferSource(wasm) && !isResponseLike(wasm) && !isThenable(wasm)) {
    throw new ParalensError(`init: wasm must be a WebAssembly.Module, bytes (ArrayBuffer or a view of one) or a Response, got ${describe(wasm)}`);
  }
}

const isBufferSource = (x: unknown): x is BufferSource =>
  ArrayBuffer.isView(x) || ["[object ArrayBuffer]", "[object SharedArrayBuffer]"].includes(Object.prototype.toString.call(x));
const isResponseLike = (x: unknown): x is Response => typeof (x as { arrayBuffer?: unknown } | null)?.arrayBuffer === "function";
const isThenable = (x: unknown): x is PromiseLike<unknown> => typeof (x as { then?: unknown } | null)?.then === "function";

/** How many threads init's options and the runtime allow, and why. */
function threadsFor(options: InitOptions): { threads: number; reason: string } {
  const asked = options.threads;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1 || asked > MAX_THREADS)) {
    throw new ParalensError(`init: threads must be a whole number from 1 to ${MAX_THREADS}, got ${String(asked)}`);
  }
  if (options.wasm !== undefined) {
    return { threads: 1, reason: "one thread: a core given by init({ wasm }) runs on the calling thread" };
  }
  const why = sharingRefused();
  if (why !== undefined) return { threads: 1, reason: `one thread: ${why}` };
  if (asked !== undefined) return { threads: asked, reason: asked === 1 ? "one thread, as init({ threads: 1 }) asked" : `${asked} threads, as init({ threads }) asked` };
  const cores = Math.min(availableCores(), MAX_THREADS);
  return { threads: cores, reason: cores === 1 ? "one thread: this runtime reports one core" : `${cores} threads: the cores this runtime reports` };
}

/** The module init({ wasm }) was given, compiled if it came as bytes; checked to be a paralens core when instantiated. */
async function compileGiven(source: unknown): Promise<WebAssembly.Module> {
  if (isWasmModule(source)) return source;
  if (isResponseLike(source)) {
    const response: Response = source;
    if (response.ok === false) throw new ParalensError(`init: the Response given for wasm failed: ${response.status} ${response.statusText}`);
    return compileBytes(await response.arrayBuffer(), "init: the wasm given");
  }
  if (isBufferSource(source)) return compileBytes(source, "init: the wasm given");
  throw new ParalensError(`init: wasm must be a WebAssembly.Module, bytes or a Response, got a promise of ${describe(source)}`);
}

/** A one-thread engine on an unshared memory; `reason` says why it has one thread. */
function makeEngine(module: WebAssembly.Module, simd: SimdMode, maxMemoryMB: number, reason: string): Engine {
  return new Engine(instantiate(module, {}), simd, maxMemoryMB * 1024 * 1024, { threads: { count: 1, max: 1, reason } });
}

/** The core's exports, checked to be a paralens core. */
function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): Core {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (err) {
    throw new ParalensError(`init: the wasm given is not a paralens core (${(err as Error).message})`);
  }
  const core = instance.exports as unknown as Core;
  const missing = kernelNames.filter((name) => typeof core[name] !== "function");
  // (not instanceof: the memory may come from another realm's constructor)
  if (Object.prototype.toString.call(core.memory) !== "[object WebAssembly.Memory]" || missing.length > 0) {
    throw new ParalensError(
      `init: the wasm given is not a paralens core (missing ${missing.length ? missing.join(", ") : "memory"})`,
    );
  }
  return core;
}
