// Tensor handles: a shape and an offset into the engine's memory. Views share
// the memory of the tensor they were made from (`root`), so that plans can
// reason about which kernel writes which memory.
import { ParalensError, describe, fmtShape } from "./errors.ts";
import type { Engine } from "./engine.ts";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what: string): void {
  if (!Array.isArray(shape)) throw new ParalensError(`${what}: the shape must be an array of whole numbers >= 0, got ${describe(shape)}`);
  // a loop over indices, not for-of over values alone: the holes of new Array(3) are refused too
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d! < 0) throw new ParalensError(`${what}: shape ${fmtShape(shape)} must hold whole numbers >= 0`);
  }
}

/**
 * An f32 tensor in the engine's arena: a shape and an offset into wasm memory.
 * `data` is a live Float32Array view (valid until the memory grows; read it
 * again after any allocation); `dispose()` frees the memory, and a tensor that
 * is dropped without it is reclaimed when it is garbage collected.
 *
 * @example
 * ```ts
 * const t = engine().tensor([2, 2], [1, 2, 3, 4]);
 * t.reshape([4]).toArray();  // Float32Array [1, 2, 3, 4]
 * t.dispose();
 * ```
 *
 * @category Engine
 */
export class Tensor {
  readonly size: number;
  private view: Float32Array | undefined;
  private disposed = false;
  /** Byte offset of this tensor's own memory (-1 until a plan places it); for a view, bytes past its root's. */
  private start: number;
  /** The tensor whose arena block holds this one's memory, when a compiled plan placed it there. */
  private home: Tensor | null = null;
  /** How many times the values may have changed (kept on the owner: see `version`). */
  private changes = 0;

  /** Use engine.tensor(...) or Tensor.view(...) rather than this constructor. */
  constructor(
    readonly engine: Engine,
    /** Byte offset of element 0 in the engine's memory (-1: placed later, see `unplaced`); for a view, in its root. */
    offset: number,
    /** Its dimensions, e.g. [64, 784] for a batch of 64 MNIST rows. */
    readonly shape: Shape,
    /** The tensor whose memory this one shares, or itself if it owns its memory. */
    readonly root: Tensor | null = null,
  ) {
    this.size = sizeOf(shape);
    this.start = offset;
  }

  /**
   * A tensor without memory yet, for compiled plans: they record kernel calls
   * on such tensors, then place them all in one block, letting tensors whose
   * lives do not overlap share memory (see backend/compile.ts).
   */
  static unplaced(engine: Engine, shape: Shape): Tensor {
    return new Tensor(engine, -1, [...shape]);
  }

  /** Byte offset of element 0 in the engine's memory. */
  get offset(): number {
    if (this.root !== null) return this.root.offset + this.start;
    if (this.start < 0) throw new ParalensError(`tensor ${fmtShape(this.shape)} has no memory yet: it belongs to a plan being compiled`);
    return this.start;
  }

  /** Gives an unplaced tensor its memory: `bytes` into the memory of `home`, which must outlive it. */
  placeIn(home: Tensor, bytes: number): void {
    if (this.root !== null || this.start >= 0) throw new ParalensError(`placeIn: tensor ${fmtShape(this.shape)} already has memory`);
    if (bytes < 0 || bytes + this.size * 4 > home.size * 4) {
      throw new ParalensError(`placeIn: ${this.size * 4} bytes at ${bytes} do not fit a block of ${home.size * 4}`);
    }
    this.start = home.offset + bytes;
    this.home = home;
  }

  /** The tensor that owns this memory. */
  get owner(): Tensor {
    return this.root ?? this;
  }

  /** The same memory seen with another shape of the same size; no copy. */
  reshape(shape: Shape): Tensor {
    checkShape(shape, "reshape");
    if (sizeOf(shape) !== this.size) {
      throw new ParalensError(`reshape: cannot view ${fmtShape(this.shape)} (${this.size} values) as ${fmtShape(shape)}`);
    }
    return new Tensor(this.engine, this.root === null ? 0 : this.start, shape, this.owner);
  }

  /** The contiguous values from element `from` on, seen with `shape`; no copy. */
  slice(from: number, shape: Shape): Tensor {
    checkShape(shape, "slice");
    if (!Number.isInteger(from) || from < 0 || from + sizeOf(shape) > this.size) {
      throw new ParalensError(`slice: ${sizeOf(shape)} values from element ${describe(from)} do not fit in ${fmtShape(this.shape)}`);
    }
    return new Tensor(this.engine, (this.root === null ? 0 : this.start) + 4 * from, [...shape], this.owner);
  }

  /**
   * A Float32Array over the tensor's memory: writes go straight to the engine.
   * The view is cached and remade only when the memory has grown (growing
   * detaches the old buffer), so reading it in a loop allocates nothing.
   * Taking it (so `set` and `toArray` too) counts as a change of the values
   * (`version`): a plan that packed them (a prediction plan's weights) packs
   * them again before its next run. So write through a view taken after the
   * plan last ran (take `data` again, as after any allocation), or call
   * `set`, or `changed()`.
   */
  get data(): Float32Array {
    this.owner.changes++;
    if (this.isDisposed) throw new ParalensError(`tensor ${fmtShape(this.shape)} was disposed`);
    const buffer = this.engine.memory.buffer;
    if (this.view === undefined || this.view.buffer !== buffer) {
      this.view = new Float32Array(buffer, this.offset, this.size);
    }
    return this.view;
  }

  /**
   * Counts up whenever the values of the memory this tensor shares may have
   * changed: `data` taken (`set`, `toArray`), `changed()`, or a plan's call
   * that writes it in place (a learner's step). A plan that keeps something
   * computed from a tensor (packed weights) computes it again when the
   * version moved.
   */
  get version(): number {
    return this.owner.changes;
  }

  /** Records that the values changed (after a write through a view kept from before a plan ran). */
  changed(): void {
    this.owner.changes++;
  }

  /** Copies values in; their count must equal the tensor's size. */
  set(values: ArrayLike<number>): this {
    // a typed array of numbers (not a DataView, nor BigInt64Array, whose bigints a Float32Array cannot take, from any realm)
    const typed = ArrayBuffer.isView(values) && !/DataView|BigInt|BigUint/.test(Object.prototype.toString.call(values));
    if (!Array.isArray(values) && !typed) {
      throw new ParalensError(`tensor ${fmtShape(this.shape)}: set takes an array or a typed array of numbers, got ${describe(values)}`);
    }
    if (!typed) {
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== "number") throw new ParalensError(`tensor ${fmtShape(this.shape)}: value ${i} is ${describe(values[i])}; values must be numbers`);
      }
    }
    if (values.length !== this.size) {
      throw new ParalensError(`tensor ${fmtShape(this.shape)} holds ${this.size} values, got ${values.length}`);
    }
    this.data.set(values);
    return this;
  }

  /**
   * Whether every value is finite (none is NaN or infinite): one SIMD pass inside the engine, where
   * the values lie, rather than a JavaScript loop over a view of its memory.
   *
   * @example
   * ```ts
   * const t = engine().tensor([3], [1, Infinity, 2]);
   * t.allFinite();  // false
   * t.dispose();
   * ```
   */
  allFinite(): boolean {
    if (this.isDisposed) throw new ParalensError(`tensor ${fmtShape(this.shape)} was disposed`);
    return this.engine.core.allFinite(this.offset, this.size) === 1;
  }

  /** A copy of the values, detached from the engine's memory. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** Frees the memory (memory placed in another tensor's block is freed with that block). A view cannot be disposed; its owner is. */
  dispose(): void {
    if (this.root !== null) throw new ParalensError("dispose: this tensor is a view; dispose the tensor it was made from");
    if (this.disposed) return;
    this.disposed = true;
    if (this.home === null && this.start >= 0) this.engine.arena.release(this.start);
  }

  get isDisposed(): boolean {
    const owner = this.owner;
    return owner.disposed || (owner.home !== null && owner.home.isDisposed);
  }
}
