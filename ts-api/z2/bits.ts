// Bit tensors in the engine's memory, laid out for the bit-sliced kernel.
// A batched tensor [batch, n] is n wires, each ceil(batch / 128) v128 words:
// example e is bit e & 127 of word e >> 7 (little-endian), so one v128
// operation acts on 128 examples. An unbatched tensor [n] (a parameter) is n
// words, each all ones or all zeros, ready to be combined with any word.
import type { Shape } from "../algebra/shapes.ts";
import type { Engine } from "../engine/engine.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { checkZ2Shape } from "./ops.ts";

/** v128 words per wire for a batch. */
export const wordsFor = (batch: number): number => Math.ceil(batch / 128);

/**
 * Bits in the engine's memory in the kernel's layout: [batch, n] as n wires of 128-example words, or [n] as n broadcast words.
 *
 * @example
 * ```ts
 * const [table] = initBits(lut(2, 1), 7);
 * table instanceof BitTensor;  // true: one bit per parameter, packed in the arena
 * table.dispose();
 * ```
 *
 * @category Backends
 */
export class BitTensor {
  /** Bits per example (wires). */
  readonly width: number;
  /** Examples, or null for an unbatched tensor. */
  readonly batch: number | null;
  /** v128 words per wire (1 for an unbatched tensor). */
  readonly words: number;
  private view: Uint32Array | undefined;
  private disposed = false;

  private constructor(
    readonly engine: Engine,
    /** Byte offset of wire 0 in the engine's memory. */
    readonly offset: number,
    readonly shape: Shape,
  ) {
    this.width = shape[shape.length - 1]!;
    this.batch = shape.length === 2 ? shape[0]! : null;
    this.words = this.batch === null ? 1 : wordsFor(this.batch);
  }

  /** A zeroed bit tensor of shape [n] or [batch, n] in the engine's arena. */
  static alloc(e: Engine, shape: Shape): BitTensor {
    checkZ2Shape("BitTensor", shape);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ParalensError(`BitTensor: shape ${fmtShape(shape)} must hold whole numbers >= 0`);
    }
    const words = shape.length === 2 ? wordsFor(shape[0]!) : 1;
    const bytes = shape[shape.length - 1]! * words * 16;
    const t = new BitTensor(e, e.arena.alloc(bytes, `a bit tensor of shape ${fmtShape(shape)}`), [...shape]);
    t.u32.fill(0);
    return t;
  }

  /** Byte address of wire i. */
  wire(i: number): number {
    return this.offset + i * this.words * 16;
  }

  /** The memory as 32-bit words (4 per v128 word), refreshed when the memory grows. */
  get u32(): Uint32Array {
    if (this.disposed) throw new ParalensError(`bit tensor ${fmtShape(this.shape)} was disposed`);
    const buffer = this.engine.memory.buffer;
    if (this.view === undefined || this.view.buffer !== buffer) {
      this.view = new Uint32Array(buffer, this.offset, this.width * this.words * 4);
    }
    return this.view;
  }

  /** Writes bits given row-major, one example after another (any nonzero number is 1). */
  write(bits: ArrayLike<number>): this {
    const n = this.width;
    const rows = this.batch ?? 1;
    if (bits.length !== rows * n) {
      throw new ParalensError(`bit tensor ${fmtShape(this.shape)} holds ${rows * n} bits, got ${bits.length}`);
    }
    const u = this.u32;
    u.fill(0);
    if (this.batch === null) {
      for (let i = 0; i < n; i++) if (bits[i]) u.fill(0xffffffff, i * 4, i * 4 + 4);
      return this;
    }
    const stride = this.words * 4;
    for (let e = 0; e < rows; e++) {
      const word = e >>> 5;
      const bit = 1 << (e & 31);
      for (let i = 0; i < n; i++) if (bits[e * n + i]) u[i * stride + word]! |= bit;
    }
    return this;
  }

  /** Writes example `row` of a batched tensor (bits of that example, any nonzero is 1), leaving the others. */
  writeRow(row: number, bits: ArrayLike<number>): this {
    if (this.batch === null || row < 0 || row >= this.batch) throw new ParalensError(`writeRow: row ${row} of ${fmtShape(this.shape)}`);
    if (bits.length !== this.width) throw new ParalensError(`writeRow: ${fmtShape(this.shape)} has ${this.width} bits per row, got ${bits.length}`);
    const u = this.u32;
    const stride = this.words * 4;
    const word = row >>> 5;
    const bit = 1 << (row & 31);
    for (let i = 0; i < this.width; i++) {
      const at = i * stride + word;
      u[at] = bits[i] ? u[at]! | bit : u[at]! & ~bit;
    }
    return this;
  }

  /** The bits, row-major (0 or 1). */
  read(): Uint8Array {
    const n = this.width;
    const u = this.u32;
    if (this.batch === null) return Uint8Array.from({ length: n }, (_, i) => u[i * 4]! & 1);
    const out = new Uint8Array(this.batch * n);
    const stride = this.words * 4;
    for (let i = 0; i < n; i++) {
      const base = i * stride;
      for (let e = 0; e < this.batch; e++) out[e * n + i] = (u[base + (e >>> 5)]! >>> (e & 31)) & 1;
    }
    return out;
  }

  /** Frees the memory. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.arena.release(this.offset);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}
