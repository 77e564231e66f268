// The arena: all tensors live in the one linear memory of the wasm instance.
// A first-fit free list over [base, end of memory), growing the memory when no
// free block fits. Blocks are 16-byte aligned so SIMD loads never straddle.
import { ParalensError, fmtBytes } from "./errors.ts";

const PAGE = 65536;
const ALIGN = 16;

interface Block {
  start: number;
  end: number;
}

export class Arena {
  /** Free blocks, sorted by start and never adjacent (adjacent ones are merged). */
  private readonly free: Block[] = [];
  private readonly sizes = new Map<number, number>();
  private used = 0;
  /** The first byte a block may take; the memory may end below it until the first block is made. */
  private readonly start: number;

  constructor(
    private memory: WebAssembly.Memory,
    base: number,
    /** The most bytes the memory may grow to; the wasm32 limit is 4 GiB. */
    private readonly limit: number,
  ) {
    this.start = Math.ceil(base / ALIGN) * ALIGN;
    const end = memory.buffer.byteLength;
    if (end > this.start) this.free.push({ start: this.start, end });
  }

  /** Goes on in `memory`, which holds what this one did at the same offsets and is as large (an engine moving onto threads). */
  moveTo(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  /** Bytes handed out and not yet released. */
  get bytesInUse(): number {
    return this.used;
  }

  /** Blocks handed out and not yet released (one per live tensor or plan). */
  get blocksInUse(): number {
    return this.sizes.size;
  }

  /** The most bytes the memory may grow to. */
  get maxBytes(): number {
    return this.limit;
  }

  /** Bytes of linear memory, used or free. */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserves `bytes` and returns their offset; 0 bytes returns offset 0 and reserves nothing. */
  alloc(bytes: number, what = "a tensor"): number {
    if (bytes === 0) return 0;
    const size = Math.ceil(bytes / ALIGN) * ALIGN;
    let i = this.free.findIndex((b) => b.end - b.start >= size);
    if (i < 0) i = this.grow(size, what);
    const block = this.free[i]!;
    const start = block.start;
    block.start += size;
    if (block.start === block.end) this.free.splice(i, 1);
    this.sizes.set(start, size);
    this.used += size;
    return start;
  }

  /** Returns a block to the free list. Releasing an offset twice is an error. */
  release(offset: number): void {
    if (offset === 0) return;
    const size = this.sizes.get(offset);
    if (size === undefined) throw new ParalensError(`arena: offset ${offset} is not allocated (released twice?)`);
    this.sizes.delete(offset);
    this.used -= size;
    const block = { start: offset, end: offset + size };
    // insert in order, then merge with the neighbours it touches
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < block.start) i++;
    this.free.splice(i, 0, block);
    const next = this.free[i + 1];
    if (next && next.start === block.end) {
      block.end = next.end;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.end === block.start) {
      prev.end = block.end;
      this.free.splice(i, 1);
    }
  }

  /** Grows the memory so a block of `size` fits at its end; returns that block's index. */
  private grow(size: number, what: string): number {
    const end = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.end === end ? last.end - last.start : 0;
    // nothing below the arena's start: a memory that ends short of it grows past it
    const from = Math.max(end, this.start);
    const pages = Math.ceil((size - tail + (from - end)) / PAGE);
    if (end + pages * PAGE > this.limit) throw this.outOfMemory(size, what);
    try {
      this.memory.grow(pages);
    } catch {
      throw this.outOfMemory(size, what);
    }
    const newEnd = this.memory.buffer.byteLength;
    if (last && last.end === end) last.end = newEnd;
    else this.free.push({ start: from, end: newEnd });
    return this.free.length - 1;
  }

  private outOfMemory(size: number, what: string): ParalensError {
    return new ParalensError(
      `out of memory: ${what} needs ${fmtBytes(size)}, ${fmtBytes(this.used)} are in use ` +
        `and the arena cannot grow past ${fmtBytes(this.limit)}. Dispose plans or tensors you no longer need, ` +
        `use a smaller batch, or raise the limit with init({ maxMemoryMB }).`,
    );
  }
}
