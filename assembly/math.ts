// Transcendental functions on four f32 lanes, with the IEEE edge cases
// (infinities, NaN, subnormals) the clamped exp4 of simd.ts leaves out.
//
// Only wasm arithmetic is used (no host Math, no relaxed multiply-add), so
// both builds and every engine give the same bits. The scalar tails of the
// kernels call these on a splatted lane, so an element's value does not
// depend on its position.
//
// Accuracy against float64 (ulp = the f32 spacing at the true value), measured
// over every f32 input of the range; __tests__/unary.spec.ts re-checks the
// bounds on a sample of ~10^7 points:
//   expLanes  <= 1.05 ulp on [-87, 88]      (max 1.023 ulp; subnormal results:
//                                           0.75 of the subnormal spacing)
//   logLanes  <= 1 ulp for all x > 0        (max 0.858 ulp, subnormal x included)
//   erfLanes  <= 1e-7 absolute, all x       (max 8.34e-8, at x = 0.98145)
// The strict and relaxed builds give the same bits (checked on 3e7 random
// bit patterns): nothing here goes through madd.

const LN2_HI: f32 = 0.693145751953125; // 15 significant bits: n * LN2_HI is exact for |n| < 512
const LN2_LO: f32 = 1.428606765330187e-6; // ln2 - LN2_HI
const LOG2E: f32 = 1.4426950408889634;

// Horner steps p * v + c, unfused (both builds round twice).
@inline function step(p: v128, v: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(p, v), f32x4.splat(c));
}

// e^x. Range reduction x = n ln2 + r, |r| <= ln2/2, with ln2 in two parts
// (Cody and Waite) so r carries no cancellation error; e^r = 1 + (r + r^2 q(r))
// with q the Taylor polynomial 1/2! + r/3! + ... + r^5/7! (truncation below
// r^8/8! < 6e-9), the leading 1 added last so its rounding is the only large
// one. 2^n is applied as two factors 2^(n>>1) 2^(n - n>>1), each with a
// normal exponent, so results down into the subnormals (x >= -103.97) and
// overflow to +Inf come out of the same multiply. x is clamped to [-104, 89]
// first (beyond it the result is 0 or +Inf anyway); wasm min/max keep NaN.
@inline export function expLanes(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104)), f32x4.splat(89));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let q = step(f32x4.splat(1.0 / 5040.0), r, 1.0 / 720.0);
  q = step(q, r, 1.0 / 120.0);
  q = step(q, r, 1.0 / 24.0);
  q = step(q, r, 1.0 / 6.0);
  q = step(q, r, 0.5);
  const p = f32x4.add(f32x4.splat(1), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q)));
  const ni = i32x4.trunc_sat_f32x4_s(n); // NaN lanes give 0 here; p is NaN already
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// ln x. x = 2^k m with m in [sqrt(1/2), sqrt(2)) read from the bits (offsetting
// the exponent so the split falls at sqrt(2)); subnormal x are first scaled by
// 2^23. With f = m - 1 (exact) and s = f / (2 + f), ln(1 + f) = 2 atanh(s)
// = 2s + s R(s^2), R(z) = 2z/3 + 2z^2/5 + 2z^3/7 + 2z^4/9 (series truncated
// below 2e-9 relative, |s| <= 0.1716), rearranged as in fdlibm's log so that
// the rounding of s only touches a small correction term:
//   ln(1 + f) = f - (f^2/2 - s (f^2/2 + R)).
// Edge cases by mask: ln(+-0) = -Inf, ln(+Inf) = +Inf, ln(x < 0) and
// ln(NaN) = the canonical NaN.
const SQRT_HALF_BITS = 0x3f3504f3;

@inline export function logLanes(x: v128): v128 {
  const subnormal = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, subnormal);
  const ix = i32x4.add(xs, i32x4.splat(0x3f800000 - SQRT_HALF_BITS));
  const k = i32x4.add(
    i32x4.sub(i32x4.shr_s(ix, 23), i32x4.splat(127)),
    v128.and(i32x4.splat(-23), subnormal),
  );
  const m = i32x4.add(v128.and(ix, i32x4.splat(0x007fffff)), i32x4.splat(SQRT_HALF_BITS));
  const f = f32x4.sub(m, f32x4.splat(1));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2), f));
  const z = f32x4.mul(s, s);
  let R = step(f32x4.splat(2.0 / 9.0), z, 2.0 / 7.0);
  R = step(R, z, 2.0 / 5.0);
  R = f32x4.mul(step(R, z, 2.0 / 3.0), z);
  const hfsq = f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f);
  const dk = f32x4.convert_i32x4_s(k);
  const corr = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, R)), f32x4.mul(dk, f32x4.splat(LN2_LO)));
  let y = f32x4.sub(f32x4.mul(dk, f32x4.splat(LN2_HI)), f32x4.sub(f32x4.sub(hfsq, corr), f));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.eq(x, f32x4.splat(Infinity)));
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
}

// erf x, odd, computed on a = |x| with the sign put back (so erf(-0) = -0):
//   a < 1:      erf = a + a P(a^2), P of degree 6 (erf(a)/a - 1; writing the
//               leading a apart keeps the rounding of P small);
//   1 <= a < 4: erf = 1 - e^(-a^2) G(u), u = (a - 2.5) / 1.5 in [-1, 1], G of
//               degree 11 approximating erfc(a) e^(a^2), which is smooth;
//   a >= 4:     erf = 1 (erfc(4) = 1.5e-8, under half an ulp of 1).
// P and G are least-squares fits at 200 and 300 Chebyshev nodes, in float64
// (against math.erf and mpmath's erfc), rounded to f32; in f32 Horner form
// their absolute error stays under 1e-7 on each piece. NaN: no mask selects
// it, so it flows through the second piece and stays NaN.
@inline function erfNear(z: v128): v128 {
  let p = step(f32x4.splat(7.93349391e-5), z, -0.00080348464);
  p = step(p, z, 0.00519121857);
  p = step(p, z, -0.0268553998);
  p = step(p, z, 0.112836257);
  p = step(p, z, -0.376126289);
  return step(p, z, 0.128379166);
}

@inline function erfcScaled(u: v128): v128 {
  let p = step(f32x4.splat(-3.69287227e-5), u, 9.64045175e-5);
  p = step(p, u, -0.000143948593);
  p = step(p, u, 0.000367868663);
  p = step(p, u, -0.00101711776);
  p = step(p, u, 0.00242588506);
  p = step(p, u, -0.00556733273);
  p = step(p, u, 0.0124840355);
  p = step(p, u, -0.0270057246);
  p = step(p, u, 0.0561109595);
  p = step(p, u, -0.111521006);
  return step(p, u, 0.210806355);
}

@inline export function erfLanes(x: v128): v128 {
  const a = f32x4.abs(x);
  const near = f32x4.add(a, f32x4.mul(a, erfNear(f32x4.mul(a, a))));
  const small = f32x4.lt(a, f32x4.splat(1));
  // every lane on the first piece (most of a GELU's inputs): the second would be computed only
  // to be dropped by the selects below, so this gives the same bits (NaN is not small)
  if (i32x4.all_true(small)) return v128.or(near, v128.and(x, f32x4.splat(-0.0)));
  const u = f32x4.mul(f32x4.sub(a, f32x4.splat(2.5)), f32x4.splat(<f32>(1.0 / 1.5)));
  const tail = f32x4.mul(expLanes(f32x4.neg(f32x4.mul(a, a))), erfcScaled(u));
  const far = f32x4.sub(f32x4.splat(1), tail);
  let e = v128.bitselect(near, far, small);
  e = v128.bitselect(f32x4.splat(1), e, f32x4.ge(a, f32x4.splat(4)));
  return v128.or(e, v128.and(x, f32x4.splat(-0.0)));
}
