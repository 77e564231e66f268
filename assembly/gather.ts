// Moving values without arithmetic: the kernels behind splitting and joining
// wires (block copies between matrices of different widths) and behind tying
// maps (every entry of a big parameter is a copy of an entry of a small one).
// Each is its own reverse's partner: a copy of columns is undone by a copy of
// columns; a gather is undone by a scatter that adds the changes of every
// place an entry was copied to (the reverse of copying is adding).
import { at } from "./simd";

/**
 * Copies a rows x cols block: row r of dst (at dst + r * dstStride elements)
 * gets row r of src (at src + r * srcStride). Strides may differ (joining
 * and splitting columns) and srcStride may be 0 (one row repeated).
 * The regions must not overlap.
 */
export function copyStrided(dst: usize, dstStride: i32, src: usize, srcStride: i32, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const d = at(dst, r * dstStride), s = at(src, r * srcStride);
    let j = 0;
    for (; j < c4; j += 4) v128.store(at(d, j), v128.load(at(s, j)));
    for (; j < cols; j++) store<f32>(at(d, j), load<f32>(at(s, j)));
  }
}

/**
 * out[t] = x[index[t]] for t < n, and 0 where index[t] < 0 (a structural
 * zero). index holds i32. Scalar: wasm SIMD has no gather instruction, and
 * these maps act on parameters (once per step), not on batches.
 */
export function gather(out: usize, x: usize, index: usize, n: i32): void {
  for (let t = 0; t < n; t++) {
    const i = load<i32>(index + (<usize>t << 2));
    store<f32>(at(out, t), i < 0 ? <f32>0 : load<f32>(at(x, i)));
  }
}

/**
 * The reverse of gather: out (size elements) = 0, then out[index[t]] += d[t]
 * for t < n in increasing t, skipping index[t] < 0. The order is fixed, so
 * the sums are deterministic.
 */
export function scatterAdd(out: usize, size: i32, d: usize, index: usize, n: i32): void {
  memory.fill(out, 0, <usize>size << 2);
  for (let t = 0; t < n; t++) {
    const i = load<i32>(index + (<usize>t << 2));
    if (i >= 0) store<f32>(at(out, i), load<f32>(at(out, i)) + load<f32>(at(d, t)));
  }
}
