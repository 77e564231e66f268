import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { sgdStep, momentumStep, adagradStep, rmspropStep, adamCount, adamUpdate } from "../optimisers";

// one Adam step over n elements, as a plan runs it
function adamStep(m: usize, v: usize, tp: usize, p: usize, d: usize, n: i32, lr: f32, b1: f32, b2: f32, delta: f32): void {
  adamCount(tp);
  adamUpdate(m, v, tp, p, d, n, lr, b1, b2, delta);
}

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

  test("adam's update cut into runs of elements gives the bits of one whole update", () => {
    for (let c = 0; c < TEST_SIZES.length; c++) {
      const n = TEST_SIZES[c];
      const cut = n / 3;
      const d = filled(n, wave);
      const pWhole = filled(n, (i: i32): f32 => <f32>i * 0.01), pRuns = filled(n, (i: i32): f32 => <f32>i * 0.01);
      const mWhole = new Float32Array(n), vWhole = new Float32Array(n), mRuns = new Float32Array(n), vRuns = new Float32Array(n);
      const tWhole = new Float32Array(1), tRuns = new Float32Array(1);
      for (let step = 0; step < 3; step++) {
        adamStep(addr(mWhole), addr(vWhole), addr(tWhole), addr(pWhole), addr(d), n, 0.01, 0.9, 0.999, 1e-8);
        adamCount(addr(tRuns));
        // the second run starts at an element that is not a multiple of 4: its vector body and tail differ from the whole's
        adamUpdate(addr(mRuns), addr(vRuns), addr(tRuns), addr(pRuns), addr(d), cut, 0.01, 0.9, 0.999, 1e-8);
        const o = <usize>cut * 4;
        adamUpdate(addr(mRuns) + o, addr(vRuns) + o, addr(tRuns), addr(pRuns) + o, addr(d) + o, n - cut, 0.01, 0.9, 0.999, 1e-8);
      }
      expect(tRuns[0]).toBe(3);
      for (let i = 0; i < n; i++) {
        expect(pRuns[i]).toBe(pWhole[i]);
        expect(mRuns[i]).toBe(mWhole[i]);
        expect(vRuns[i]).toBe(vWhole[i]);
      }
    }
  });
});
