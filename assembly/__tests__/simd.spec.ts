import { exp4, expm1_4 } from "../simd";

// Measures the vector exp and expm1 against the f64 Math functions over a
// grid; the bounds asserted are the accuracy the kernels document.
function relErr(got: f32, want: f64): f64 {
  return Math.abs(<f64>got - want) / Math.abs(want);
}

describe("simd", () => {
  test("exp4: relative error < 2e-7 over [-87, 88]", () => {
    let worst: f64 = 0;
    for (let i = 0; i <= 17500; i++) {
      const x = <f32>(-87.0 + <f64>i * 0.01);
      const got = f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
      worst = max(worst, relErr(got, Math.exp(<f64>x)));
    }
    log<string>("exp4 worst relative error: " + worst.toString());
    expect(worst).toBeLessThan(2e-7);
  });

  test("expm1_4: relative error < 4e-7 over [-10, 10], including tiny x", () => {
    let worst: f64 = 0;
    for (let i = -2000; i <= 2000; i++) {
      if (i == 0) continue;
      const x = <f32>(<f64>i * 0.005);
      const got = f32x4.extract_lane(expm1_4(f32x4.splat(x)), 0);
      worst = max(worst, relErr(got, Math.expm1(<f64>x)));
    }
    const tiny: f32 = 1e-6;
    worst = max(worst, relErr(f32x4.extract_lane(expm1_4(f32x4.splat(tiny)), 0), Math.expm1(<f64>tiny)));
    log<string>("expm1_4 worst relative error: " + worst.toString());
    expect(worst).toBeLessThan(4e-7);
  });

  test("exp4 saturates instead of overflowing", () => {
    expect(isFinite(f32x4.extract_lane(exp4(f32x4.splat(1000)), 0))).toBe(true);
    expect(f32x4.extract_lane(exp4(f32x4.splat(-1000)), 0)).toBeGreaterThan(0);
  });
});
