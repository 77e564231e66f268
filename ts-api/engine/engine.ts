// One engine per page or process: the instantiated core, its memory and the
// arena over that memory. `init()` makes it (once); everything else finds it
// through `engine()`.
import { Arena } from "./arena.ts";
import { type Core, kernelNames } from "./core.ts";
import { ParalensError, fmtBytes, fmtShape } from "./errors.ts";
import { type Shape, Tensor, checkShape, sizeOf } from "./tensor.ts";
import { embeddedCore } from "./embedded.ts";
import { MAX_THREADS, availableCores, sharingRefused, workerThreads } from "./threads/runtime.ts";

/** Which build of the core runs: "strict" (deterministic SIMD, the same bits in every engine) or "relaxed" (`f32x4.relaxed_madd`, fused multiply-add where the engine has relaxed SIMD). */
export type SimdMode = "strict" | "relaxed";

/** How many threads run the engine's large kernel calls, and why that many. */
export interface Threads {
  /** Threads a large kernel call is cut across now (1: the calling thread alone). */
  readonly count: number;
  /** The most it may be set to (setThreads): the workers started, plus the calling thread. */
  readonly max: number;
  /** Why: the cores found, what init asked for, or what kept the engine on one thread. */
  readonly reason: string;
}

/** What engine().stats() reports. */
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
 *   const t = engine().tensor([2, 3], [1, 2, 3, 4, 5, 6]);
 *   t.toArray();  // Float32Array [1, 2, 3, 4, 5, 6]
 *   t.dispose();
 */
export class Engine {
  /** The allocator of the wasm memory: blocks of bytes, freed when their tensors are. */
  readonly arena: Arena;
  private pool: Workers | undefined;
  private threadInfo: Threads;

  /** @internal Engines are made by init() and createEngine(). */
  constructor(
    /** The kernels: the wasm exports, or with threads the same functions cutting large calls across the pool. */
    readonly core: Core,
    /** Which build of the core runs: "strict" (bit-identical in every engine) or "relaxed" (fused multiply-add). */
    readonly simd: SimdMode,
    maxMemoryBytes: number,
    setup: EngineSetup = {},
  ) {
    this.arena = new Arena(core.memory, setup.base ?? core.heapBase(), maxMemoryBytes);
    this.pool = setup.pool;
    this.threadInfo = setup.threads ?? { count: 1, max: 1, reason: "one thread" };
  }

  /**
   * How many threads run large kernel calls, the most allowed, and why.
   *
   *   engine().threads;  // e.g. { count: 2, max: 2, reason: "2 threads: the cores this runtime reports" }
   */
  get threads(): Threads {
    return this.threadInfo;
  }

  /**
   * Cuts large kernel calls across `count` threads from now on (1 to
   * threads.max). Results are the same bits at any count; only speed changes.
   *
   *   engine().setThreads(1);  // the calling thread alone
   *   engine().setThreads(engine().threads.max);
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
   *   engine().stopThreads();
   *   engine().threads.count;  // 1
   */
  stopThreads(): void {
    if (this.pool === undefined) return;
    this.pool.close();
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
   *   const before = engine().stats();
   *   const t = engine().tensor([256]);
   *   engine().stats().bytes - before.bytes;  // 1024
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
    if (values !== undefined && values.length !== size) {
      throw new ParalensError(`tensor ${fmtShape(shape)} holds ${size} values, got ${values.length}`);
    }
    const offset = this.arena.alloc(size * 4, `a tensor of shape ${fmtShape(shape)}`);
    const t = new Tensor(this, offset, [...shape]);
    if (values !== undefined) t.data.set(values);
    else t.data.fill(0);
    return t;
  }
}

/** Options of `init()`: which core module, which SIMD build, how much memory. */
export interface InitOptions {
  /**
   * The core module, for users who fetch or stream it themselves: bytes, a
   * compiled module, or a Response (e.g. fetch("/core.wasm")). By default the
   * copy embedded in the package is used, so nothing needs to be served.
   */
  wasm?: BufferSource | WebAssembly.Module | Response | PromiseLike<Response>;
  /**
   * "strict" (default): deterministic SIMD, the same bits in every engine.
   * "relaxed": fused multiply-add where the engine supports relaxed SIMD (Deno
   * 2, Chromium; Node 20 only with --experimental-wasm-relaxed-simd), else
   * strict; `engine().simd` tells which one runs.
   */
  simd?: SimdMode;
  /** Upper bound for the arena, in MiB (default: 4096, the wasm32 limit). */
  maxMemoryMB?: number;
  /**
   * Threads to cut large kernel calls across (1 to 64). Default: the cores the
   * runtime reports, where memory can be shared with workers (Node, Deno, a
   * cross-origin-isolated page); otherwise 1. `engine().threads` tells how
   * many run and why. Results are the same bits at any thread count.
   */
  threads?: number;
}

let current: Engine | undefined;
let pending: Promise<Engine> | undefined;
let requested: InitOptions = {};

/**
 * The engine made by init(); throws if init() has not finished.
 *
 *   engine().simd;  // "strict" unless init({ simd: "relaxed" }) found relaxed SIMD
 */
export function engine(): Engine {
  if (current === undefined) throw new ParalensError("paralens is not initialised: call `await init()` first");
  return current;
}

/**
 * Instantiates the wasm core (with threads, on shared memory; the workers
 * start at the first kernel call large enough to be cut across them).
 * Idempotent: later calls return the same engine; asking for another SIMD
 * mode or thread count than the first call did is an error.
 *
 *   await init();  // once per program; later calls return the same engine
 *   engine().tensor([2]).dispose();
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
  const simd = options.simd ?? "strict";
  const { threads, reason } = threadsFor(options);
  if (options.wasm === undefined) {
    // the thread code is a chunk of its own: fetched (or read) while the core is
    const starting = threads > 1 ? import("./threads/start.ts") : undefined;
    starting?.catch(() => undefined); // awaited below, unless the core fails first
    const core = await embeddedCore(simd === "relaxed", threads > 1);
    // the embedded core was built with this package: compiling validates it, no separate pass needed
    const module = await WebAssembly.compile(core.bytes).catch((err: unknown) => {
      throw new ParalensError(`init: this engine cannot compile the paralens core (does it support wasm SIMD?): ${(err as Error).message}`);
    });
    const maxMB = Math.min(options.maxMemoryMB ?? 4096, 4096);
    if (core.memoryPages === undefined) return makeEngine(module, core.relaxed ? "relaxed" : "strict", maxMB, reason);
    const memory = new WebAssembly.Memory({
      initial: core.memoryPages.initial,
      maximum: Math.max(core.memoryPages.initial, Math.min(core.memoryPages.maximum, Math.floor(maxMB * 16))),
      shared: true,
    });
    const raw = instantiate(module, { env: { memory } });
    const { startPool } = await starting!;
    let e: Engine | undefined;
    const started = startPool({
      raw, module, workers: threads - 1, parts: () => e?.threads.count ?? 1, threads: workerThreads,
      fail: (message) => new ParalensError(message),
    });
    e = new Engine(started.core, core.relaxed ? "relaxed" : "strict", maxMB * 1024 * 1024, {
      base: started.base, pool: started.pool, threads: { count: threads, max: threads, reason },
    });
    return e;
  }
  const module = await compileSource(await options.wasm);
  return makeEngine(module, simd, options.maxMemoryMB, reason);
}

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

async function compileSource(source: BufferSource | WebAssembly.Module | Response): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  const bytes = typeof Response !== "undefined" && source instanceof Response ? await source.arrayBuffer() : source;
  if (!WebAssembly.validate(bytes as BufferSource)) {
    throw new ParalensError("init: the wasm given is not a valid module for this engine (does it support SIMD?)");
  }
  return WebAssembly.compile(bytes as BufferSource);
}

/** A one-thread engine on an unshared memory; `reason` says why it has one thread. */
function makeEngine(module: WebAssembly.Module, simd: SimdMode, maxMemoryMB = 4096, reason = "one thread"): Engine {
  return new Engine(instantiate(module, {}), simd, Math.min(maxMemoryMB, 4096) * 1024 * 1024, { threads: { count: 1, max: 1, reason } });
}

/** The core's exports, checked to be a paralens core. */
function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): Core {
  const instance = new WebAssembly.Instance(module, imports);
  const core = instance.exports as unknown as Core;
  const missing = kernelNames.filter((name) => typeof core[name] !== "function");
  if (!(core.memory instanceof WebAssembly.Memory) || missing.length > 0) {
    throw new ParalensError(
      `init: the wasm given is not a paralens core (missing ${missing.length ? missing.join(", ") : "memory"})`,
    );
  }
  return core;
}
