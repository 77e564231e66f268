// Elementwise arithmetic on flat f32 arrays of n elements. Outputs may alias
// inputs: every element is read before it is written.
import { at } from "./simd";

/** c = a + b */
export function add(c: usize, a: usize, b: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(c, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < n; i++) store<f32>(at(c, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

/** c = a + s * b */
export function addScaled(c: usize, a: usize, b: usize, s: f32, n: i32): void {
  const n4 = n & ~3;
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(c, i), f32x4.add(v128.load(at(a, i)), f32x4.mul(sv, v128.load(at(b, i)))));
  for (; i < n; i++) store<f32>(at(c, i), load<f32>(at(a, i)) + s * load<f32>(at(b, i)));
}

/** c = s * a */
export function scale(c: usize, a: usize, s: f32, n: i32): void {
  const n4 = n & ~3;
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(c, i), f32x4.mul(sv, v128.load(at(a, i))));
  for (; i < n; i++) store<f32>(at(c, i), s * load<f32>(at(a, i)));
}

/** c = value, n times */
export function fill(c: usize, value: f32, n: i32): void {
  const n4 = n & ~3;
  const v = f32x4.splat(value);
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(c, i), v);
  for (; i < n; i++) store<f32>(at(c, i), value);
}

/**
 * 1 if the n values at a are all finite, else 0. x * 0 is 0 for a finite x
 * and NaN for an infinite or NaN one, so the lanes' sums stay 0 exactly when
 * every value is finite: no branch per value, two sums so the adds overlap.
 * A learner runs it over every batch it is given, inside the engine's memory
 * where the batch already lies.
 */
export function allFinite(a: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let s0 = zero;
  let s1 = zero;
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(at(a, i)), zero));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(at(a, i), 16), zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) tail += load<f32>(at(a, i)) * 0;
  return i32(i32x4.all_true(f32x4.eq(f32x4.add(s0, s1), zero))) & i32(tail == 0);
}
