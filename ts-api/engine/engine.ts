// One engine per page or process: the instantiated core, its memory and the
// arena over that memory. `init()` makes it (once); everything else finds it
// through `engine()`.
import { Arena } from "./arena.ts";
import { type Core, kernelNames } from "./core.ts";
import { ParalensError, describe, fmtBytes, fmtShape } from "./errors.ts";
import { type Shape, Tensor, checkShape, sizeOf } from "./tensor.ts";
import { type CoreModule, loadCore } from "./cores.ts";
import { platform } from "./platform.ts";
import { compileBytes, isWasmModule } from "./wasm.ts";
import { MAX_THREADS, availableCores, sharingRefused, workerThreads } from "./threads/runtime.ts";
import { poolLayout } from "./threads/layout.ts";

/**
 * Which build of the core runs: "strict" (deterministic SIMD, the same bits in every engine) or "relaxed" (`f32x4.relaxed_madd`, fused multiply-add where the engine has relaxed SIMD).
 *
 * @category Engine
 */
export type SimdMode = "strict" | "relaxed";

/**
 * How many threads run the engine's large kernel calls, and why that many.
 *
 * @category Engine
 */
export interface Threads {
  /** Threads a large kernel call is cut across now (1: the calling thread alone). */
  readonly count: number;
  /** The most it may be set to (setThreads): the workers started, plus the calling thread. */
  readonly max: number;
  /** Why: the cores found, what init asked for, or what kept the engine on one thread. */
  readonly reason: string;
}

/**
 * What engine().stats() reports.
 *
 * @category Engine
 */
export interface EngineStats {
  /** Live arena blocks: tensors, and one per compiled plan for the tensors it lays out together. */
  readonly tensors: number;
  /** Bytes those blocks take. */
  readonly bytes: number;
  /** Bytes of wasm memory (used or free); it grows and never shrinks. */
  readonly reservedBytes: number;
  /** The most the arena may grow to. */
  readonly maxBytes: number;
}

/** A threaded engine's pool of workers, as the engine sees it. */
interface Workers {
  close(): void;
}

/** Puts an engine's arena, from `base` on, onto a threaded core: threads/start.ts's startPool, given all else it needs. */
type MoveOntoThreads = (from: { memory: WebAssembly.Memory; base: number }) => { core: Core; pool: Workers };

/** What a new Engine starts with besides its core (createEngine fills it in). */
interface EngineSetup {
  /** Where the arena starts (default: after the core's static data). */
  readonly base?: number;
  /** The workers of a threaded core. */
  readonly pool?: Workers;
  /** How many threads run and why (default: one). */
  readonly threads?: Threads;
}

/**
 * The instantiated wasm core and the arena of f32 tensors in its memory.
 * `init()` makes the one engine; `engine()` returns it. Tensors, plans and
 * learners all live in its arena.
 *
 * @example
 * ```ts
 * const t = engine().tensor([2, 3], [1, 2, 3, 4, 5, 6]);
 * t.toArray();  // Float32Array [1, 2, 3, 4, 5, 6]
 * t.dispose();
 * ```
 *
 * @category Engine
 */
export class Engine {
  /** The allocator of the wasm memory: blocks of bytes, freed when their tensors are. */
  readonly arena: Arena;
  /**
   * The kernels: the wasm exports, or with threads the same functions cutting
   * large calls across the pool. One table for the engine's life: moving onto
   * threads replaces what it holds, so plans look kernels up in it when they
   * run and never keep one.
   */
  readonly core: Core;
  private pool: Workers | undefined;
  private threadInfo: Threads;
  private arriving: Promise<Threads> | undefined;

  /** @internal Engines are made by init() and createEngine(). */
  constructor(
    core: Core,
    /** Which build of the core runs: "strict" (bit-identical in every engine) or "relaxed" (fused multiply-add). */
    readonly simd: SimdMode,
    maxMemoryBytes: number,
    setup: EngineSetup = {},
  ) {
    this.core = { ...core };
    this.arena = new Arena(core.memory, setup.base ?? core.heapBase(), maxMemoryBytes);
    this.pool = setup.pool;
    this.threadInfo = setup.threads ?? { count: 1, max: 1, reason: "one thread" };
  }

  /**
   * @internal Takes the threaded core when `arrival` brings it (init's, on a
   * page). Until then, and for good if it fails to come, calls run on the
   * calling thread. The arena is copied to the shared memory at the same
   * offsets and the old memory detached, so a view kept from before reads
   * as empty, as after the memory grows.
   */
  takeThreads(arrival: Promise<MoveOntoThreads>, base: number): void {
    const taken = (move: MoveOntoThreads): Threads => {
      if (this.threadInfo.max === 1) return this.threadInfo; // stopThreads() came first
      const old = this.memory;
      const { core, pool } = move({ memory: old, base });
      Object.assign(this.core, core);
      this.arena.moveTo(core.memory);
      this.pool = pool;
      old.grow(0);
      return this.threadInfo;
    };
    const failed = (err: unknown): Threads => {
      if (this.threadInfo.max > 1) this.threadInfo = { count: 1, max: 1, reason: `one thread: the thread code did not load (${err instanceof Error ? err.message : String(err)})` };
      return this.threadInfo;
    };
    this.arriving = arrival.then(taken).catch(failed);
  }

  /**
   * Resolves when large calls can be cut across `threads.count` threads. At
   * once, except on a page: there init answers on one thread and the thread
   * code loads behind it (calls before then run on the calling thread, with
   * the same results). If it cannot load, it resolves with one thread and
   * says why.
   *
   * @example
   * ```ts
   * const { count } = await engine().threadsReady();
   * ```
   */
  threadsReady(): Promise<Threads> {
    return this.arriving ?? Promise.resolve(this.threadInfo);
  }

  /**
   * How many threads run large kernel calls, the most allowed, and why.
   *
   * @example
   * ```ts
   * engine().threads;  // e.g. { count: 2, max: 2, reason: "2 threads: the cores this runtime reports" }
   * ```
   */
  get threads(): Threads {
    return this.threadInfo;
  }

  /**
   * Cuts large kernel calls across `count` threads from now on (1 to
   * threads.max). Results are the same bits at any count; only speed changes.
   *
   * @example
   * ```ts
   * engine().setThreads(1);  // the calling thread alone
   * engine().setThreads(engine().threads.max);
   * ```
   */
  setThreads(count: number): void {
    const { max } = this.threadInfo;
    if (!Number.isInteger(count) || count < 1 || count > max) {
      throw new ParalensError(
        `setThreads: count must be a whole number from 1 to ${max} (threads.max: ${this.threadInfo.reason}), got ${String(count)}`,
      );
    }
    this.threadInfo = { ...this.threadInfo, count };
  }

  /**
   * Stops the worker threads for good; the engine goes on, on the calling
   * thread alone, with the same results. (Node and Deno exit without it: the
   * workers never keep a process alive.)
   *
   * @example
   * ```ts
   * engine().stopThreads();
   * engine().threads.count;  // 1
   * ```
   */
  stopThreads(): void {
    if (this.threadInfo.max === 1) return;
    this.pool?.close();
    this.pool = undefined;
    this.threadInfo = { count: 1, max: 1, reason: "one thread: stopThreads() stopped the workers" };
  }

  get memory(): WebAssembly.Memory {
    return this.core.memory;
  }

  /**
   * What the arena holds now: live tensors (blocks: a compiled plan's own
   * tensors share one), the bytes they take, and the bytes of wasm memory
   * reserved (memory only grows).
   *
   * @example
   * ```ts
   * const before = engine().stats();
   * const t = engine().tensor([256]);
   * engine().stats().bytes - before.bytes;  // 1024
   * ```
   */
  stats(): EngineStats {
    return { tensors: this.arena.blocksInUse, bytes: this.arena.bytesInUse, reservedBytes: this.arena.bytesReserved, maxBytes: this.arena.maxBytes };
  }

  /**
   * Throws a ParalensError naming `what` and its size if `bytes` more could
   * never fit in this engine's memory (wasm32 addresses 4 GiB at most), so
   * that a model too large is refused before anything is allocated.
   */
  checkFits(bytes: number, what: string): void {
    if (!(bytes <= this.arena.maxBytes - this.arena.bytesInUse)) {
      throw new ParalensError(
        `out of memory: ${what} need ${fmtBytes(bytes)}, but the arena holds at most ${fmtBytes(this.arena.maxBytes)} ` +
          `(${fmtBytes(this.arena.bytesInUse)} in use)${this.arena.maxBytes >= 4 * 1024 ** 3 ? ", the limit of 32-bit WebAssembly" : ""}`,
      );
    }
  }

  /** A new tensor in the arena, zero-filled or holding `values` (row-major). */
  tensor(shape: Shape, values?: ArrayLike<number>): Tensor {
    checkShape(shape, "tensor");
    const size = sizeOf(shape);
    this.checkFits(size * 4, `a tensor of shape ${fmtShape(shape)}`);
    // (a BigInt typed array holds bigints, which cannot be stored as floats)
    if (values !== undefined && !Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView) && !/^Big/.test(Object.prototype.toString.call(values).slice(8)))) {
      throw new ParalensError(`tensor ${fmtShape(shape)}: values must be an array or a typed array of numbers, got ${describe(values)}`);
    }
    if (values !== undefined && values.length !== size) {
      throw new ParalensError(`tensor ${fmtShape(shape)} holds ${size} values, got ${values.length}`);
    }
    // a typed array holds numbers; in a plain array a string or null would be stored as NaN or 0
    if (values !== undefined && !ArrayBuffer.isView(values)) {
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== "number") throw new ParalensError(`tensor ${fmtShape(shape)}: value ${i} is ${describe(values[i])}; values must be numbers`);
      }
    }
    const offset = this.arena.alloc(size * 4, `a tensor of shape ${fmtShape(shape)}`);
    const t = new Tensor(this, offset, [...shape]);
    if (values !== undefined) t.data.set(values);
    else t.data.fill(0);
    return t;
  }
}

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
