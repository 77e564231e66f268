import { add, addScaled, scale, fill, copy, mul } from "../elementwise";

// Sizes that exercise the vector body, the scalar tail, and both.
const SIZES: i32[] = [0, 1, 3, 4, 7, 16, 33];

function arr(n: i32, f: (i: i32) => f32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}
function ptr(a: Float32Array): usize {
  return a.dataStart;
}

describe("elementwise", () => {
  test("add, addScaled, scale agree with scalar arithmetic at every size", () => {
    for (let s = 0; s < SIZES.length; s++) {
      const n = SIZES[s];
      const a = arr(n, (i: i32): f32 => <f32>i * 0.5 - 3);
      const b = arr(n, (i: i32): f32 => <f32>(i * i) * 0.25);
      const c = new Float32Array(n);
      add(ptr(c), ptr(a), ptr(b), n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(a[i] + b[i]);
      addScaled(ptr(c), ptr(a), ptr(b), 1.5, n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(a[i] + <f32>1.5 * b[i]);
      scale(ptr(c), ptr(a), -2, n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(<f32>-2 * a[i]);
    }
  });

  test("fill and copy touch exactly n elements", () => {
    const c = arr(9, (i: i32): f32 => <f32>i);
    fill(ptr(c), 7, 5);
    for (let i = 0; i < 5; i++) expect(c[i]).toBe(7);
    for (let i = 5; i < 9; i++) expect(c[i]).toBe(<f32>i);
    const d = new Float32Array(9);
    copy(ptr(d), ptr(c), 6);
    for (let i = 0; i < 6; i++) expect(d[i]).toBe(c[i]);
    expect(d[6]).toBe(0);
  });

  test("mul multiplies elementwise at every size", () => {
    for (let s = 0; s < SIZES.length; s++) {
      const n = SIZES[s];
      const a = arr(n, (i: i32): f32 => <f32>i * 0.5 - 3);
      const b = arr(n, (i: i32): f32 => <f32>(i * i) * 0.25 + 1);
      const c = new Float32Array(n);
      mul(ptr(c), ptr(a), ptr(b), n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(a[i] * b[i]);
    }
  });
});
