// The peer of the z2 benchmark: a plain-JavaScript bit-sliced evaluator on
// Uint32Array words (32 examples a word). It runs the same scheduled
// programs as the wasm kernel (same gates, same slot reuse, blocked over the
// batch so the slots stay in cache), one 32-bit word at a time where the
// kernel does 128 bits: the comparison isolates the kernel, not the
// scheduling. Block size is tuned for it separately.
import { K, type Phase, Space, type SpaceId } from "../../ts-api/z2/program.ts";

/** A phase encoded for the JS evaluator: 5 ints per instruction [op, d, a, b, c] with word indices. */
export interface JsProgram {
  readonly code: Int32Array;
  readonly count: number;
  readonly slots: number;
}

/** Encodes a phase; `wire(space, index)` gives the index in the heap of word 0 of a memory operand. */
export function jsProgram(p: Phase, wire: (space: SpaceId, index: number) => number): JsProgram {
  const code = new Int32Array(p.count * 5);
  for (let i = 0; i < p.count; i++) {
    const [op, d, a, b, c, space, index] = Array.from(p.ops.subarray(i * 7, i * 7 + 7));
    const mem = op === K.LOAD || op === K.LOADC || op === K.STORE || op === K.ACC ? wire(space as SpaceId, index!) : 0;
    code.set([op!, op === K.STORE || op === K.ACC ? mem : d!, op === K.LOAD || op === K.LOADC ? mem : a!, b!, c!], i * 5);
  }
  return { code, count: p.count, slots: p.slots };
}

export { Space };

/**
 * Runs a program over `words` 32-bit words of every wire in `heap`, `block`
 * words at a time, with `scratch` holding slots * block words. ACC sums into
 * heap words with lanes past `batch` cleared.
 */
export function runJs(prog: JsProgram, heap: Int32Array, scratch: Int32Array, block: number, words: number, batch: number): void {
  const code = prog.code;
  const count = prog.count;
  const tailBits = batch - (words - 1) * 32;
  const tailMask = tailBits >= 32 ? -1 : (1 << tailBits) - 1;
  // case labels are literals (K's codes) so the switch compiles to a jump
  // table; the gate loops are unrolled by four, which V8 does not do itself
  for (let w0 = 0; w0 < words; w0 += block) {
    const nb = Math.min(block, words - w0);
    const nb4 = nb & ~3;
    for (let i = 0; i < count; i++) {
      const at = i * 5;
      const op = code[at]!;
      const d = code[at + 1]! * block;
      const a = code[at + 2]!;
      const b = code[at + 3]! * block;
      switch (op) {
        case 7: { // XOR
          const pa = a * block;
          let j = 0;
          for (; j < nb4; j += 4) {
            scratch[d + j] = scratch[pa + j]! ^ scratch[b + j]!;
            scratch[d + j + 1] = scratch[pa + j + 1]! ^ scratch[b + j + 1]!;
            scratch[d + j + 2] = scratch[pa + j + 2]! ^ scratch[b + j + 2]!;
            scratch[d + j + 3] = scratch[pa + j + 3]! ^ scratch[b + j + 3]!;
          }
          for (; j < nb; j++) scratch[d + j] = scratch[pa + j]! ^ scratch[b + j]!;
          break;
        }
        case 8: { // AND
          const pa = a * block;
          let j = 0;
          for (; j < nb4; j += 4) {
            scratch[d + j] = scratch[pa + j]! & scratch[b + j]!;
            scratch[d + j + 1] = scratch[pa + j + 1]! & scratch[b + j + 1]!;
            scratch[d + j + 2] = scratch[pa + j + 2]! & scratch[b + j + 2]!;
            scratch[d + j + 3] = scratch[pa + j + 3]! & scratch[b + j + 3]!;
          }
          for (; j < nb; j++) scratch[d + j] = scratch[pa + j]! & scratch[b + j]!;
          break;
        }
        case 9: { // ANDXOR
          const pa = a * block;
          const pc = code[at + 4]! * block;
          let j = 0;
          for (; j < nb4; j += 4) {
            scratch[d + j] = (scratch[pa + j]! & scratch[b + j]!) ^ scratch[pc + j]!;
            scratch[d + j + 1] = (scratch[pa + j + 1]! & scratch[b + j + 1]!) ^ scratch[pc + j + 1]!;
            scratch[d + j + 2] = (scratch[pa + j + 2]! & scratch[b + j + 2]!) ^ scratch[pc + j + 2]!;
            scratch[d + j + 3] = (scratch[pa + j + 3]! & scratch[b + j + 3]!) ^ scratch[pc + j + 3]!;
          }
          for (; j < nb; j++) scratch[d + j] = (scratch[pa + j]! & scratch[b + j]!) ^ scratch[pc + j]!;
          break;
        }
        case 6: { // NOT
          const pa = a * block;
          for (let j = 0; j < nb; j++) scratch[d + j] = ~scratch[pa + j]!;
          break;
        }
        case 0: { // LOAD
          const src = a + w0;
          for (let j = 0; j < nb; j++) scratch[d + j] = heap[src + j]!;
          break;
        }
        case 1: { // LOADC
          const v = heap[a]!;
          for (let j = 0; j < nb; j++) scratch[d + j] = v;
          break;
        }
        case 2: { // STORE
          const dst = code[at + 1]! + w0;
          const pa = a * block;
          for (let j = 0; j < nb; j++) heap[dst + j] = scratch[pa + j]!;
          break;
        }
        case 3: { // ACC
          const dst = code[at + 1]!;
          const pa = a * block;
          let acc = heap[dst]!;
          for (let j = 0; j < nb; j++) acc ^= w0 + j === words - 1 ? scratch[pa + j]! & tailMask : scratch[pa + j]!;
          heap[dst] = acc;
          break;
        }
        case 4: // ZERO
          scratch.fill(0, d, d + nb);
          break;
        case 5: // ONE
          scratch.fill(-1, d, d + nb);
          break;
      }
    }
  }
}
