// Elementwise maps y = f(x) on n floats, the pieces layers are composed from
// (layer norm needs rsqrt and square, GELU erf, attention exp). y may equal x:
// each element is read before it is written.
//
// One loop (map) specialised by a constant op code, as in activations.ts; the
// scalar tail runs the same vector code on a splatted lane, so every element
// gets the same bits wherever it sits.
//
// Numeric contract (the exported wasm names):
//   exp     <= 1.05 ulp on [-87, 88]; +Inf above 88.72, subnormals below -87.33,
//           0 below -103.97, NaN -> NaN                        (math.ts)
//   log     <= 1 ulp for normal and subnormal x > 0; log(+-0) = -Inf,
//           log(+Inf) = +Inf, log(x < 0) = log(NaN) = NaN      (math.ts)
//   sqrt    IEEE square root (exact rounding)
//   rsqrt   1 / sqrt(x): one correctly rounded division of the correctly
//           rounded root (<= 1 ulp); rsqrt(+0) = +Inf, rsqrt(-0) = -Inf
//   neg, abs  flip or clear the sign bit (also of NaN and zeros)
//   square  x * x, one rounding
//   sign    +1 for x > 0, -1 for x < 0, x itself otherwise: sign(+-0) = +-0
//           and sign(NaN) = that NaN
//   erf     absolute error <= 1e-7 over all f32; erf(+-Inf) = +-1, NaN -> NaN
import { at } from "./simd";
import { expLanes, logLanes, erfLanes } from "./math";

const EXP = 0, LOG = 1, SQRT = 2, RSQRT = 3, NEG = 4, ABS = 5, SQUARE = 6, SIGN = 7, ERF = 8;

@inline function apply(op: i32, v: v128): v128 {
  if (op == EXP) return expLanes(v);
  if (op == LOG) return logLanes(v);
  if (op == SQRT) return f32x4.sqrt(v);
  if (op == RSQRT) return f32x4.div(f32x4.splat(1), f32x4.sqrt(v));
  if (op == NEG) return f32x4.neg(v);
  if (op == ABS) return f32x4.abs(v);
  if (op == SQUARE) return f32x4.mul(v, v);
  if (op == SIGN) {
    const s = v128.bitselect(f32x4.splat(1), v, f32x4.gt(v, f32x4.splat(0)));
    return v128.bitselect(f32x4.splat(-1), s, f32x4.lt(v, f32x4.splat(0)));
  }
  return erfLanes(v);
}

@inline function map(op: i32, y: usize, x: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(y, i), apply(op, v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), f32x4.extract_lane(apply(op, f32x4.splat(load<f32>(at(x, i)))), 0));
}

export function exp(y: usize, x: usize, n: i32): void { map(EXP, y, x, n); }
export function log(y: usize, x: usize, n: i32): void { map(LOG, y, x, n); }
// sqrtKernel and absKernel: `sqrt` and `abs` are AssemblyScript builtins;
// index.ts exports them under those names.
export function sqrtKernel(y: usize, x: usize, n: i32): void { map(SQRT, y, x, n); }
export function rsqrt(y: usize, x: usize, n: i32): void { map(RSQRT, y, x, n); }
export function neg(y: usize, x: usize, n: i32): void { map(NEG, y, x, n); }
export function absKernel(y: usize, x: usize, n: i32): void { map(ABS, y, x, n); }
export function square(y: usize, x: usize, n: i32): void { map(SQUARE, y, x, n); }
export function sign(y: usize, x: usize, n: i32): void { map(SIGN, y, x, n); }
export function erf(y: usize, x: usize, n: i32): void { map(ERF, y, x, n); }
