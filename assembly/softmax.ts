// Softmax over the rows of a (rows x cols) matrix, and log-softmax, which the
// fused cross-entropy loss keeps as its residual.
import { at, exp4, hsum, lanemax, rowDot4 } from "./simd";

@inline function rowMax(x: usize, cols: i32): f32 {
  const c4 = cols & ~3;
  let m = f32x4.splat(-Infinity);
  let j = 0;
  for (; j < c4; j += 4) m = f32x4.max(m, v128.load(at(x, j)));
  let s = lanemax(m);
  for (; j < cols; j++) s = max(s, load<f32>(at(x, j)));
  return s;
}

// Writes e^(x - shift) to y and returns its sum: lanes accumulate separately and
// are added in a fixed order, then the tail in increasing j.
@inline function expShifted(y: usize, x: usize, cols: i32, shift: f32): f32 {
  const c4 = cols & ~3;
  const sv = f32x4.splat(shift);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < c4; j += 4) {
    const e = exp4(f32x4.sub(v128.load(at(x, j)), sv));
    v128.store(at(y, j), e);
    acc = f32x4.add(acc, e);
  }
  let s = hsum(acc);
  for (; j < cols; j++) {
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(x, j)) - shift)), 0);
    store<f32>(at(y, j), e);
    s += e;
  }
  return s;
}

// y = s x + b over one row, in lanes (elementwise: the same bits as the scalar tail).
@inline function scaleShift(y: usize, x: usize, cols: i32, s: f32, b: f32): void {
  const c4 = cols & ~3;
  const sv = f32x4.splat(s), bv = f32x4.splat(b);
  let j = 0;
  for (; j < c4; j += 4) v128.store(at(y, j), f32x4.add(f32x4.mul(v128.load(at(x, j)), sv), bv));
  for (; j < cols; j++) store<f32>(at(y, j), load<f32>(at(x, j)) * s + b);
}

/** y = softmax of each row of x; the row maximum is subtracted first, so no exp overflows. */
export function softmax(y: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const inv: f32 = 1 / expShifted(yr, xr, cols, rowMax(xr, cols));
    scaleShift(yr, yr, cols, inv, 0);
  }
}

/** dx = y * (dy - <dy, y>) row by row: the reverse of softmax, from its output y. */
export function softmaxReverse(dx: usize, y: usize, dy: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    const c4 = cols & ~3;
    const dot = rowDot4(yr, gr, cols);
    const dv = f32x4.splat(dot);
    let j = 0;
    for (; j < c4; j += 4) v128.store(at(dr, j), f32x4.mul(v128.load(at(yr, j)), f32x4.sub(v128.load(at(gr, j)), dv)));
    for (; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(yr, j)) * (load<f32>(at(gr, j)) - dot));
  }
}

/** lp = x - logsumexp(x), row by row: log-probabilities without forming log(softmax). */
export function logSoftmax(lp: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), lr = at(lp, r * cols);
    const m = rowMax(xr, cols);
    // lr is used as scratch for the exponentials before the final values land
    const lse = m + Mathf.log(expShifted(lr, xr, cols, m));
    scaleShift(lr, xr, cols, 1, -lse);
  }
}
