// Embedding lookup and its reverse. Token ids arrive as f32 values (every
// wire of a plan is f32) and are truncated to integers. An id outside
// [0, vocab) reads a zero row and receives no change: ids are data, not
// checked when the plan is made, so the kernel keeps every access in bounds.
import { at } from "./simd";

@inline function rowOf(ids: usize, t: i32, vocab: i32): i32 {
  const v = load<f32>(at(ids, t));
  // NaN and out-of-range values fail both comparisons and give -1
  return v >= 0 && v < <f32>vocab ? <i32>v : -1;
}

/** out[t, :] = table[ids[t], :] for t < n (rows of d values); a zero row for an id outside [0, vocab). */
export function gatherRows(out: usize, table: usize, ids: usize, n: i32, d: i32, vocab: i32): void {
  const d4 = d & ~3;
  for (let t = 0; t < n; t++) {
    const id = rowOf(ids, t, vocab);
    const o = at(out, t * d);
    if (id < 0) {
      memory.fill(o, 0, <usize>d << 2);
      continue;
    }
    const s = at(table, id * d);
    let j = 0;
    for (; j < d4; j += 4) v128.store(at(o, j), v128.load(at(s, j)));
    for (; j < d; j++) store<f32>(at(o, j), load<f32>(at(s, j)));
  }
}

/**
 * table[ids[t], :] = src[t, :] for t < n in increasing t (a later row wins),
 * in place; an id outside [0, vocab) writes nothing. A decoder writes one
 * position's keys and values into its cache with it.
 */
export function setRows(table: usize, vocab: i32, d: i32, src: usize, ids: usize, n: i32): void {
  for (let t = 0; t < n; t++) {
    const id = rowOf(ids, t, vocab);
    if (id >= 0) memory.copy(at(table, id * d), at(src, t * d), <usize>d << 2);
  }
}

/**
 * The reverse of gatherRows: out (vocab x d) = 0, then out[ids[t], :] += dy[t, :]
 * for t < n in increasing t (a fixed order, so the sums are deterministic).
 */
export function scatterAddRows(out: usize, vocab: i32, d: i32, dy: usize, ids: usize, n: i32): void {
  memory.fill(out, 0, <usize>(vocab * d) << 2);
  const d4 = d & ~3;
  for (let t = 0; t < n; t++) {
    const id = rowOf(ids, t, vocab);
    if (id < 0) continue;
    const o = at(out, id * d), g = at(dy, t * d);
    let j = 0;
    for (; j < d4; j += 4) v128.store(at(o, j), f32x4.add(v128.load(at(o, j)), v128.load(at(g, j))));
    for (; j < d; j++) store<f32>(at(o, j), load<f32>(at(o, j)) + load<f32>(at(g, j)));
  }
}
