// Bit-sliced evaluation of Boolean circuits over Z2 (Wilson & Zanasi,
// "Reverse Derivative Ascent", 2020): one bit per example, 128 examples per
// v128 word. A wire holding a batch is an array of `words` v128 words; bit e
// of the batch is bit (e & 127) of word (e >> 7), little-endian.
//
// A circuit (forward pass, reverse pass, or both) is compiled in TypeScript
// into a flat list of instructions over numbered scratch slots; z2Run
// interprets the whole list once per block of `block` words, so the slots of
// one block stay in cache and one call evaluates the circuit over the batch.
// A slot holds `block` words; slot s starts at scratch + s * block * 16.
//
// Instruction: four u32 [op | c << 8, d, a, b]:
//   LOAD   slot d    <- wire at address a (words w0 .. w0 + nb)
//   LOADC  slot d    <- the one word at address a, in every word (a value
//                       that is the same for every example: a parameter)
//   STORE  wire at address d <- slot a
//   ACC    word at address d ^= XOR of the words of slot a, lanes past the
//                       batch cleared (the batch sum of a change, folded
//                       later by z2Fold)
//   ZERO / ONE  slot d <- 0 / all ones
//   NOT    d <- ~a        XOR d <- a ^ b      AND d <- a & b
//   ANDXOR d <- (a & b) ^ c    (a reverse pass accumulating a change)
// Bitwise operations are exact: there is no rounding to state.

export const LOAD: u32 = 0;
export const LOADC: u32 = 1;
export const STORE: u32 = 2;
export const ACC: u32 = 3;
export const ZERO: u32 = 4;
export const ONE: u32 = 5;
export const NOT: u32 = 6;
export const XOR: u32 = 7;
export const AND: u32 = 8;
export const ANDXOR: u32 = 9;

/**
 * The lanes of the last word that hold examples: its first `tail` bits
 * (1 to 128), as two little-endian 64-bit halves. Computed, not stored, so
 * the module keeps no static data (it runs on the memory of the core it is
 * loaded beside: paralens/z2's kernels are a module of their own).
 */
function tailMask(tail: i32): v128 {
  const lo: u64 = tail >= 64 ? <u64>-1 : (<u64>1 << <u64>tail) - 1;
  const hi: u64 = tail <= 64 ? 0 : tail >= 128 ? <u64>-1 : (<u64>1 << <u64>(tail - 64)) - 1;
  return i64x2.replace_lane(i64x2.splat(lo), 1, hi);
}

// One loop per operation, unrolled by four; `op` is a constant at every call,
// so each copy folds to its own straight-line loop.
@inline function gate(op: u32, pd: usize, pa: usize, pb: usize, pc: usize, bytes: usize): void {
  let j: usize = 0;
  const quads = bytes & ~<usize>63;
  for (; j < quads; j += 64) {
    v128.store(pd + j, apply(op, pa + j, pb + j, pc + j));
    v128.store(pd + j + 16, apply(op, pa + j + 16, pb + j + 16, pc + j + 16));
    v128.store(pd + j + 32, apply(op, pa + j + 32, pb + j + 32, pc + j + 32));
    v128.store(pd + j + 48, apply(op, pa + j + 48, pb + j + 48, pc + j + 48));
  }
  for (; j < bytes; j += 16) v128.store(pd + j, apply(op, pa + j, pb + j, pc + j));
}

@inline function apply(op: u32, pa: usize, pb: usize, pc: usize): v128 {
  if (op == NOT) return v128.not(v128.load(pa));
  if (op == XOR) return v128.xor(v128.load(pa), v128.load(pb));
  if (op == AND) return v128.and(v128.load(pa), v128.load(pb));
  return v128.xor(v128.and(v128.load(pa), v128.load(pb)), v128.load(pc)); // ANDXOR
}

@inline function fill(pd: usize, v: v128, bytes: usize): void {
  for (let j: usize = 0; j < bytes; j += 16) v128.store(pd + j, v);
}

/**
 * Runs `count` instructions at `code` over `words` words of a batch of
 * `batch` examples, `block` words at a time, with slots in `scratch`.
 */
export function z2Run(code: usize, count: i32, scratch: usize, block: i32, words: i32, batch: i32): void {
  const mask = tailMask(batch - (words - 1) * 128);
  if (block == 1) runWords(code, count, scratch, words, mask);
  else runBlocks(code, count, scratch, block, words, mask);
}

// One word at a time (prologues, epilogues, batches of up to 128): each
// instruction is a single v128 operation, so nothing but the dispatch is left.
function runWords(code: usize, count: i32, scratch: usize, words: i32, mask: v128): void {
  const end = code + (<usize>count << 4);
  for (let w = 0; w < words; w++) {
    const offset = <usize>w << 4;
    const last = w == words - 1;
    for (let ins = code; ins < end; ins += 16) {
      const head = load<u32>(ins);
      // slot s is at scratch + s * 16; memory operands are addresses
      const d = <usize>load<u32>(ins, 4);
      const a = <usize>load<u32>(ins, 8);
      const b = <usize>load<u32>(ins, 12);
      const sd = scratch + (d << 4);
      const sa = scratch + (a << 4);
      const sb = scratch + (b << 4);
      switch (head & 0xff) {
        case XOR:
          v128.store(sd, v128.xor(v128.load(sa), v128.load(sb)));
          break;
        case AND:
          v128.store(sd, v128.and(v128.load(sa), v128.load(sb)));
          break;
        case ANDXOR:
          v128.store(sd, v128.xor(v128.and(v128.load(sa), v128.load(sb)), v128.load(scratch + (<usize>(head >> 8) << 4))));
          break;
        case NOT:
          v128.store(sd, v128.not(v128.load(sa)));
          break;
        case LOAD:
          v128.store(sd, v128.load(a + offset));
          break;
        case LOADC:
          v128.store(sd, v128.load(a));
          break;
        case STORE:
          v128.store(d + offset, v128.load(sa));
          break;
        case ACC: {
          const v = v128.load(sa);
          v128.store(d, v128.xor(v128.load(d), last ? v128.and(v, mask) : v));
          break;
        }
        case ZERO:
          v128.store(sd, i8x16.splat(0));
          break;
        case ONE:
          v128.store(sd, i8x16.splat(-1));
          break;
      }
    }
  }
}

function runBlocks(code: usize, count: i32, scratch: usize, block: i32, words: i32, mask: v128): void {
  const stride = <usize>block << 4;
  const end = code + (<usize>count << 4);
  for (let w0 = 0; w0 < words; w0 += block) {
    const nb = min(block, words - w0);
    const bytes = <usize>nb << 4;
    const offset = <usize>w0 << 4;
    // in the block holding the batch's last word, ACC clears its empty lanes
    const full = w0 + nb == words ? bytes - 16 : bytes;
    for (let ins = code; ins < end; ins += 16) {
      const head = load<u32>(ins);
      const d = <usize>load<u32>(ins, 4);
      const a = <usize>load<u32>(ins, 8);
      const b = <usize>load<u32>(ins, 12);
      switch (head & 0xff) {
        case XOR:
          gate(XOR, scratch + d * stride, scratch + a * stride, scratch + b * stride, 0, bytes);
          break;
        case AND:
          gate(AND, scratch + d * stride, scratch + a * stride, scratch + b * stride, 0, bytes);
          break;
        case ANDXOR:
          gate(ANDXOR, scratch + d * stride, scratch + a * stride, scratch + b * stride, scratch + <usize>(head >> 8) * stride, bytes);
          break;
        case NOT:
          gate(NOT, scratch + d * stride, scratch + a * stride, 0, 0, bytes);
          break;
        case LOAD: {
          const pd = scratch + d * stride;
          const pa = a + offset;
          for (let j: usize = 0; j < bytes; j += 16) v128.store(pd + j, v128.load(pa + j));
          break;
        }
        case STORE: {
          const pd = d + offset;
          const pa = scratch + a * stride;
          for (let j: usize = 0; j < bytes; j += 16) v128.store(pd + j, v128.load(pa + j));
          break;
        }
        case LOADC:
          fill(scratch + d * stride, v128.load(a), bytes);
          break;
        case ACC: {
          const pa = scratch + a * stride;
          let acc = v128.load(d);
          let j: usize = 0;
          for (; j < full; j += 16) acc = v128.xor(acc, v128.load(pa + j));
          if (j < bytes) acc = v128.xor(acc, v128.and(v128.load(pa + j), mask));
          v128.store(d, acc);
          break;
        }
        case ZERO:
          fill(scratch + d * stride, i8x16.splat(0), bytes);
          break;
        case ONE:
          fill(scratch + d * stride, i8x16.splat(-1), bytes);
          break;
      }
    }
  }
}

/**
 * Folds each of `n` accumulated words (ACC) into the parity of its 128
 * lanes, written back as a word of all ones or all zeros: the XOR of a
 * change over the whole batch.
 */
export function z2Fold(words: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = words + (<usize>i << 4);
    const v = v128.load(p);
    const bits = popcnt<u64>(i64x2.extract_lane(v, 0)) + popcnt<u64>(i64x2.extract_lane(v, 1));
    v128.store(p, (bits & 1) != 0 ? i8x16.splat(-1) : i8x16.splat(0));
  }
}

/** The number of set bits among the first `batch` lanes of a wire of `words` words. */
export function z2Count(wire: usize, words: i32, batch: i32): i32 {
  if (words <= 0) return 0;
  const mask = tailMask(batch - (words - 1) * 128);
  let total: u64 = 0;
  const last = words - 1;
  for (let w = 0; w < last; w++) {
    const p = wire + (<usize>w << 4);
    total += popcnt<u64>(load<u64>(p)) + popcnt<u64>(load<u64>(p, 8));
  }
  const v = v128.and(v128.load(wire + (<usize>last << 4)), mask);
  total += popcnt<u64>(i64x2.extract_lane(v, 0)) + popcnt<u64>(i64x2.extract_lane(v, 1));
  return <i32>total;
}
