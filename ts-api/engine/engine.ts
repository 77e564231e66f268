// One engine per page or process: the instantiated core, its memory and the
// arena over that memory. `init()` makes it (once); everything else finds it
// through `engine()`.
import { Arena } from "./arena.ts";
import { type Core, kernelNames } from "./core.ts";
import { ParalensError, fmtBytes, fmtShape } from "./errors.ts";
import { type Shape, Tensor, checkShape, sizeOf } from "./tensor.ts";
import { embeddedCore } from "./embedded.ts";

export type SimdMode = "strict" | "relaxed";

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

export class Engine {
  readonly arena: Arena;

  constructor(
    readonly core: Core,
    /** Which build of the core runs: "strict" (bit-identical in every engine) or "relaxed" (fused multiply-add). */
    readonly simd: SimdMode,
    maxMemoryBytes: number,
  ) {
    this.arena = new Arena(core.memory, core.heapBase(), maxMemoryBytes);
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
}

let current: Engine | undefined;
let pending: Promise<Engine> | undefined;
let requested: SimdMode = "strict";

/** The engine made by init(); throws if init() has not finished. */
export function engine(): Engine {
  if (current === undefined) throw new ParalensError("paralens is not initialised: call `await init()` first");
  return current;
}

/**
 * Instantiates the wasm core. Idempotent: later calls return the same engine;
 * asking for another SIMD mode than the first call did is an error.
 */
export function init(options: InitOptions = {}): Promise<Engine> {
  const simd = options.simd ?? "strict";
  if (pending !== undefined) {
    if (options.simd !== undefined && options.simd !== requested) {
      return Promise.reject(new ParalensError(`init: already initialised with simd "${requested}", cannot switch to "${simd}"`));
    }
    return pending;
  }
  requested = simd;
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
  if (options.wasm === undefined) {
    const core = await embeddedCore(simd === "relaxed");
    // the embedded core was built with this package: compiling validates it, no separate pass needed
    const module = await WebAssembly.compile(core.bytes).catch((err: unknown) => {
      throw new ParalensError(`init: this engine cannot compile the paralens core (does it support wasm SIMD?): ${(err as Error).message}`);
    });
    return makeEngine(module, core.relaxed ? "relaxed" : "strict", options.maxMemoryMB);
  }
  const module = await compileSource(await options.wasm);
  return makeEngine(module, simd, options.maxMemoryMB);
}

async function compileSource(source: BufferSource | WebAssembly.Module | Response): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  const bytes = typeof Response !== "undefined" && source instanceof Response ? await source.arrayBuffer() : source;
  if (!WebAssembly.validate(bytes as BufferSource)) {
    throw new ParalensError("init: the wasm given is not a valid module for this engine (does it support SIMD?)");
  }
  return WebAssembly.compile(bytes as BufferSource);
}

function makeEngine(module: WebAssembly.Module, simd: SimdMode, maxMemoryMB = 4096): Engine {
  const instance = new WebAssembly.Instance(module, {});
  const core = instance.exports as unknown as Core;
  const missing = kernelNames.filter((name) => typeof core[name] !== "function");
  if (!(core.memory instanceof WebAssembly.Memory) || missing.length > 0) {
    throw new ParalensError(
      `init: the wasm given is not a paralens core (missing ${missing.length ? missing.join(", ") : "memory"})`,
    );
  }
  return new Engine(core, simd, Math.min(maxMemoryMB, 4096) * 1024 * 1024);
}
