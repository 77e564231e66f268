// Bias: adding one row vector to every row, and the reverse, summing rows.
import { at } from "./simd";

/** y (rows x cols) = x + b, with b (cols) added to every row. y may alias x. */
export function addRowVector(y: usize, x: usize, b: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    let j = 0;
    for (; j < c4; j += 4) v128.store(at(yr, j), f32x4.add(v128.load(at(xr, j)), v128.load(at(b, j))));
    for (; j < cols; j++) store<f32>(at(yr, j), load<f32>(at(xr, j)) + load<f32>(at(b, j)));
  }
}

/** out (cols) = sum over rows of x (rows x cols), rows added in increasing order. */
export function sumRows(out: usize, x: usize, rows: i32, cols: i32): void {
  sumRowsPart(out, x, rows, cols, 0, cols);
}

/**
 * Columns j0..j1 of sumRows (j0 a multiple of 4): each column is summed on its
 * own, rows in increasing order, so any split of the columns gives the bits
 * of the whole call.
 */
export function sumRowsPart(out: usize, x: usize, rows: i32, cols: i32, j0: i32, j1: i32): void {
  const c4 = j0 + ((j1 - j0) & ~3);
  let j = j0;
  for (; j < c4; j += 4) {
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) s = f32x4.add(s, v128.load(at(x, r * cols + j)));
    v128.store(at(out, j), s);
  }
  for (; j < j1; j++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(at(x, r * cols + j));
    store<f32>(at(out, j), s);
  }
}
