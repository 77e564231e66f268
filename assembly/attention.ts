// Causal softmax: the softmax of attention scores under a causal mask, fused.
// Row r of a (rows x t) block of scores belongs to query position i = r mod t,
// which may look at keys 0..i only. Composed, the mask would be an added
// -infinity and a softmax over all t columns; but the exp of the core clamps
// its input (simd.ts), so a masked weight would be ~1e-38 rather than 0 and
// a later token could still move an earlier output's last bit. Here masked
// weights are written as exact zeros and never computed, so changing a future
// token leaves every earlier output bit-identical, and the masked half of
// the row costs nothing. The reverse is the plain softmaxReverse: a zero
// weight passes back a zero change.
import { at, exp4, hsum, lanemax } from "./simd";

/** y = causal softmax of x (rows x t, row r at position r mod t): exact zeros right of the diagonal. */
export function causalSoftmax(y: usize, x: usize, rows: i32, t: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * t), yr = at(y, r * t);
    const n = (r % t) + 1;
    const n4 = n & ~3;
    // the row maximum over the visible keys, lanes then tail
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j < n4; j += 4) mv = f32x4.max(mv, v128.load(at(xr, j)));
    let m = lanemax(mv);
    for (; j < n; j++) m = max(m, load<f32>(at(xr, j)));
    // e^(x - m) and its sum, lanes added in a fixed order, then the tail
    const sv = f32x4.splat(m);
    let acc = f32x4.splat(0);
    for (j = 0; j < n4; j += 4) {
      const e = exp4(f32x4.sub(v128.load(at(xr, j)), sv));
      v128.store(at(yr, j), e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    for (; j < n; j++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(xr, j)) - m)), 0);
      store<f32>(at(yr, j), e);
      s += e;
    }
    const inv = f32x4.splat(<f32>1 / s);
    for (j = 0; j < n4; j += 4) v128.store(at(yr, j), f32x4.mul(v128.load(at(yr, j)), inv));
    for (; j < n; j++) store<f32>(at(yr, j), load<f32>(at(yr, j)) * f32x4.extract_lane(inv, 0));
    memory.fill(at(yr, n), 0, <usize>(t - n) << 2);
  }
}
