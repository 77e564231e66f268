// The engine: the instantiated core, its memory and the arena over that
// memory, and the thread pool it may move onto. One engine per page or
// process, made by init() (init.ts); everything else finds it through engine().
import { Arena } from "./arena.ts";
import type { Core } from "./core.ts";
import { ParalensError, describe, fmtBytes, fmtShape } from "./errors.ts";
import { type Shape, Tensor, checkShape, sizeOf } from "./tensor.ts";

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
export interface Workers {
  close(): void;
}

/** Puts an engine's arena, from `base` on, onto a threaded core: threads/start.ts's startPool, given all else it needs. */
export type MoveOntoThreads = (from: { memory: WebAssembly.Memory; base: number }) => { core: Core; pool: Workers };

/** What a new Engine starts with besides its core (createEngine fills it in). */
export interface EngineSetup {
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

