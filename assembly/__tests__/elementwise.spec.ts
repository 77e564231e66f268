import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { add, addScaled, scale, fill, allFinite } from "../elementwise";

const SIZES: i32[] = [0, 1, 3, 4, 7, 16, 33];

describe("elementwise", () => {
  test("add, addScaled, scale agree with scalar arithmetic at every size", () => {
    for (let s = 0; s < SIZES.length; s++) {
      const n = SIZES[s];
      const a = filled(n, (i: i32): f32 => <f32>i * 0.5 - 3);
      const b = filled(n, (i: i32): f32 => <f32>(i * i) * 0.25);
      const c = new Float32Array(n);
      add(addr(c), addr(a), addr(b), n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(a[i] + b[i]);
      addScaled(addr(c), addr(a), addr(b), 1.5, n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(a[i] + <f32>1.5 * b[i]);
      scale(addr(c), addr(a), -2, n);
      for (let i = 0; i < n; i++) expect(c[i]).toBe(<f32>-2 * a[i]);
    }
  });

  test("fill touches exactly n elements", () => {
    const c = filled(9, (i: i32): f32 => <f32>i);
    fill(addr(c), 7, 5);
    for (let i = 0; i < 5; i++) expect(c[i]).toBe(7);
    for (let i = 5; i < 9; i++) expect(c[i]).toBe(<f32>i);
  });

  test("allFinite finds one infinite or NaN value wherever it lies", () => {
    const n = 37;
    const a = filled(n, (i: i32): f32 => <f32>i * 1e30 - 1e31);
    expect(allFinite(addr(a), n)).toBe(1);
    expect(allFinite(addr(a), 0)).toBe(1);
    const bad: f32[] = [Infinity, -Infinity, NaN];
    for (let b = 0; b < bad.length; b++) {
      for (let k = 0; k < n; k++) {
        const keep = a[k];
        a[k] = bad[b];
        expect(allFinite(addr(a), n)).toBe(0);
        // a bad value past the count is not read
        expect(allFinite(addr(a), k)).toBe(1);
        a[k] = keep;
      }
    }
  });
});
