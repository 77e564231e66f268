import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { sgdStep, momentumStep, adagradStep, rmspropStep, adamStep } from "../optimisers";

describe("optimisers", () => {
  test("tail elements get exactly the same update as body elements", () => {
    // 7 equal elements: four go through the vector body, three through the scalar tail
    const n = 7;
    const p = filled(n, (i: i32): f32 => 0.5);
    const d = filled(n, (i: i32): f32 => -0.125);
    const s1 = new Float32Array(n);
    const s2 = new Float32Array(n);
    const t = new Float32Array(1);
    for (let step = 0; step < 5; step++) {
      sgdStep(addr(p), addr(d), n);
      momentumStep(addr(s1), addr(p), addr(d), n, 0.9);
      adagradStep(addr(s2), addr(p), addr(d), n, 0.1, 1e-7);
      rmspropStep(addr(s2), addr(p), addr(d), n, 0.01, 0.9, 1e-7);
      adamStep(addr(s1), addr(s2), addr(t), addr(p), addr(d), n, 0.01, 0.9, 0.999, 1e-8);
    }
    for (let i = 1; i < n; i++) expect(p[i]).toBe(p[0]);
    expect(t[0]).toBe(5);
  });

  test("momentum: s = gamma s + d, p = p + s", () => {
    const p = filled(1, (i: i32): f32 => 1);
    const s = filled(1, (i: i32): f32 => 0.5);
    const d = filled(1, (i: i32): f32 => 0.25);
    momentumStep(addr(s), addr(p), addr(d), 1, 0.5);
    expect(s[0]).toBe(0.5);
    expect(p[0]).toBe(1.5);
  });

  test("adam's first step moves each parameter by about lr against the gradient", () => {
    const p = filled(5, (i: i32): f32 => 0);
    const d = filled(5, (i: i32): f32 => <f32>(i + 1) * -0.3);
    const m = new Float32Array(5);
    const v = new Float32Array(5);
    const t = new Float32Array(1);
    adamStep(addr(m), addr(v), addr(t), addr(p), addr(d), 5, 0.01, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 5; i++) expect(Math.abs(<f64>p[i] + 0.01)).toBeLessThan(1e-6);
  });
});
