// Vector building blocks shared by the kernels.
//
// Two builds are made from this source (asconfig.json): the strict build uses
// only deterministic SIMD, so every engine produces the same bits; the relaxed
// build lets `madd` fuse the multiply and add (one rounding instead of two),
// which is faster but may differ in the last bit between machines.

/** a * b + c, lane-wise. Strict build: two roundings. Relaxed build: may fuse. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Horizontal sum of four lanes, in the fixed order (l0 + l2) + (l1 + l3). */
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

@inline export function lanemax(v: v128): f32 {
  const s = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(s, 0), f32x4.extract_lane(s, 1));
}

// exp(x) for four lanes.
// Range reduction x = n ln2 + r with |r| <= ln2/2, then the Taylor polynomial of
// degree 7 for e^r (truncation error < r^8/8! < 3e-9 relative) and 2^n built
// in the exponent bits. Inputs are clamped to [-87.3, 88.37] so that n stays
// in [-126, 127] and the result finite and normal: below -87.3 the result is
// ~1.2e-38 rather than a subnormal, above 88.37 it is ~2.4e38 rather than inf.
// Measured against float64 (__tests__/simd.spec.ts): max relative error
// 9.1e-8 (under one ulp) over [-87, 88].
const LN2_HI: f32 = 0.693145751953125; // ln2 split in two so n*LN2_HI is exact
const LN2_LO: f32 = 1.428606765330187e-6;
const LOG2E: f32 = 1.4426950408889634;

@inline function expReduced(r: v128): v128 {
  // Horner form of 1 + r + r^2/2! + ... + r^7/7!
  let p = f32x4.splat(1.0 / 5040.0);
  p = madd(p, r, f32x4.splat(1.0 / 720.0));
  p = madd(p, r, f32x4.splat(1.0 / 120.0));
  p = madd(p, r, f32x4.splat(1.0 / 24.0));
  p = madd(p, r, f32x4.splat(1.0 / 6.0));
  p = madd(p, r, f32x4.splat(0.5));
  p = madd(p, r, f32x4.splat(1.0));
  return madd(p, r, f32x4.splat(1.0));
}

@inline export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.37));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(expReduced(r), scale);
}

// exp(x) - 1, accurate near zero where exp4(x) - 1 would cancel: for |x| < ln2/2
// the series r + r^2/2! + ... + r^8/8! is used directly (error < 1e-8
// relative); elsewhere exp4(x) - 1 loses at most two bits. Measured: max
// relative error 2.1e-7 over [-10, 10].
@inline export function expm1_4(x: v128): v128 {
  let p = f32x4.splat(1.0 / 40320.0);
  p = madd(p, x, f32x4.splat(1.0 / 5040.0));
  p = madd(p, x, f32x4.splat(1.0 / 720.0));
  p = madd(p, x, f32x4.splat(1.0 / 120.0));
  p = madd(p, x, f32x4.splat(1.0 / 24.0));
  p = madd(p, x, f32x4.splat(1.0 / 6.0));
  p = madd(p, x, f32x4.splat(0.5));
  p = madd(p, x, f32x4.splat(1.0));
  const small = f32x4.mul(p, x);
  const large = f32x4.sub(exp4(x), f32x4.splat(1.0));
  const isSmall = f32x4.lt(f32x4.abs(x), f32x4.splat(0.34657359));
  return v128.bitselect(small, large, isSmall);
}

// Row sums and dot products in four lanes, added in a fixed order (hsum), then
// the tail in increasing j: the accumulation order is part of the contract.
@inline export function rowSum4(a: usize, cols: i32): f32 {
  const c4 = cols & ~3;
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < c4; j += 4) acc = f32x4.add(acc, v128.load(at(a, j)));
  let s = hsum(acc);
  for (; j < cols; j++) s += load<f32>(at(a, j));
  return s;
}

@inline export function rowDot4(a: usize, b: usize, cols: i32): f32 {
  const c4 = cols & ~3;
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < c4; j += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(at(a, j)), v128.load(at(b, j))));
  let s = hsum(acc);
  for (; j < cols; j++) s += load<f32>(at(a, j)) * load<f32>(at(b, j));
  return s;
}

/** The address of element i of an f32 array starting at p. */
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}
