// The machine's attainable 128-bit multiply-add rate, for the benchmarks: a
// loop of independent f32x4 multiply-adds with no memory traffic.
//
// Each of thirteen chains runs a <- a * m + a. In the strict build that is a
// multiply then a dependent add (about 6 cycles of latency), so sustaining two
// multiply-adds per cycle needs at least twelve chains in flight; thirteen
// chains plus m and one product in flight use 15 vector registers, which is
// all V8 leaves free on x86-64 (it keeps one as scratch). A chain of the form
// a * m + c would need a 16th register for c. m = 2^-30 keeps every value
// normal and unchanged (a * m is far below half an ulp of a, checked in
// __tests__/peak.spec.ts), so nothing slows on subnormals or overflows. `madd` fuses in the relaxed build, so each build
// measures its own peak.
import { madd } from "./simd";

/** Runs 26 f32x4 multiply-adds (208 flops) per round; returns a sum so nothing is dead. */
export function peakMadd(rounds: i32, seed: f32): f32 {
  const m = f32x4.splat(9.313225746154785e-10); // 2^-30
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  let a12 = f32x4.splat(seed + 12);
  for (let i = 0; i < rounds; i++) {
    a0 = madd(a0, m, a0); a1 = madd(a1, m, a1); a2 = madd(a2, m, a2); a3 = madd(a3, m, a3); a4 = madd(a4, m, a4);
    a5 = madd(a5, m, a5); a6 = madd(a6, m, a6); a7 = madd(a7, m, a7); a8 = madd(a8, m, a8); a9 = madd(a9, m, a9);
    a10 = madd(a10, m, a10); a11 = madd(a11, m, a11); a12 = madd(a12, m, a12);
    a0 = madd(a0, m, a0); a1 = madd(a1, m, a1); a2 = madd(a2, m, a2); a3 = madd(a3, m, a3); a4 = madd(a4, m, a4);
    a5 = madd(a5, m, a5); a6 = madd(a6, m, a6); a7 = madd(a7, m, a7); a8 = madd(a8, m, a8); a9 = madd(a9, m, a9);
    a10 = madd(a10, m, a10); a11 = madd(a11, m, a11); a12 = madd(a12, m, a12);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)), a12),
  );
  return f32x4.extract_lane(s, 0);
}
