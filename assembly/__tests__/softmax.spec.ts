import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { softmax, softmaxReverse, logSoftmax } from "../softmax";

describe("softmax", () => {
  test("rows sum to one, match the f64 formula, and survive huge logits", () => {
    for (let s = 0; s < TEST_SIZES.length; s++) {
      const cols = TEST_SIZES[s];
      const rows = 3;
      const x = filled(rows * cols, (i: i32): f32 => wave(i) * <f32>(i % 3 == 2 ? 100 : 1));
      const y = new Float32Array(rows * cols);
      softmax(addr(y), addr(x), rows, cols);
      for (let r = 0; r < rows; r++) {
        let m: f64 = -Infinity;
        for (let j = 0; j < cols; j++) m = max(m, <f64>x[r * cols + j]);
        let z: f64 = 0;
        for (let j = 0; j < cols; j++) z += Math.exp(<f64>x[r * cols + j] - m);
        let sum: f64 = 0;
        for (let j = 0; j < cols; j++) {
          const want = Math.exp(<f64>x[r * cols + j] - m) / z;
          expect(Math.abs(<f64>y[r * cols + j] - want)).toBeLessThan(1e-6);
          sum += y[r * cols + j];
        }
        expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
      }
    }
  });

  test("log-softmax is x - logsumexp(x) and exponentiates to softmax", () => {
    const cols = 7;
    const x = filled(2 * cols, wave);
    const lp = new Float32Array(2 * cols);
    const y = new Float32Array(2 * cols);
    logSoftmax(addr(lp), addr(x), 2, cols);
    softmax(addr(y), addr(x), 2, cols);
    for (let i = 0; i < 2 * cols; i++) expect(Math.abs(Math.exp(<f64>lp[i]) - <f64>y[i])).toBeLessThan(1e-6);
  });

  test("the reverse is y (dy - <dy, y>) per row", () => {
    const cols = 5;
    const x = filled(cols, wave);
    const g = filled(cols, (i: i32): f32 => <f32>i - 1.5);
    const y = new Float32Array(cols);
    const d = new Float32Array(cols);
    softmax(addr(y), addr(x), 1, cols);
    softmaxReverse(addr(d), addr(y), addr(g), 1, cols);
    let dot: f32 = 0;
    for (let j = 0; j < cols; j++) dot += y[j] * g[j];
    for (let j = 0; j < cols; j++) expect(Math.abs(<f64>d[j] - <f64>(y[j] * (g[j] - dot)))).toBeLessThan(1e-7);
  });
});
