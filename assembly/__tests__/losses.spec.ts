import { TEST_SIZES, filled, addr, wave } from "./helpers";
import {
  mse, mseReverse, crossEntropy, softmaxCrossEntropyReverse, binaryCrossEntropy, binaryCrossEntropyReverse, rowDot, rowScale,
  indexCrossEntropy, indexCrossEntropyReverse,
} from "../losses";
import { logSoftmax } from "../softmax";

describe("losses", () => {
  test("mse is half the squared distance per row; its reverse scales y - t by dl", () => {
    const y = filled(6, wave);
    const t = filled(6, (i: i32): f32 => <f32>(i % 2));
    const dl = filled(2, (i: i32): f32 => <f32>(i + 1));
    const l = new Float32Array(2);
    const d = new Float32Array(6);
    mse(addr(l), addr(y), addr(t), 2, 3);
    for (let r = 0; r < 2; r++) {
      let s: f32 = 0;
      for (let j = 0; j < 3; j++) s += (y[r * 3 + j] - t[r * 3 + j]) * (y[r * 3 + j] - t[r * 3 + j]);
      expect(l[r]).toBe(<f32>0.5 * s);
    }
    mseReverse(addr(d), addr(y), addr(t), addr(dl), 2, 3);
    for (let i = 0; i < 6; i++) expect(d[i]).toBe(dl[i / 3] * (y[i] - t[i]));
  });

  test("softmax cross-entropy with a one-hot label is -log p of the true class; the reverse is p - t", () => {
    const cols = 5;
    const z = filled(cols, wave);
    const t = filled(cols, (i: i32): f32 => i == 2 ? 1 : 0);
    const dl = filled(1, (i: i32): f32 => 1);
    const lp = new Float32Array(cols);
    const l = new Float32Array(1);
    const dz = new Float32Array(cols);
    logSoftmax(addr(lp), addr(z), 1, cols);
    crossEntropy(addr(l), addr(lp), addr(t), 1, cols);
    expect(l[0]).toBe(-lp[2]);
    softmaxCrossEntropyReverse(addr(dz), addr(lp), addr(t), addr(dl), 1, cols);
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) sum += dz[j];
    expect(Math.abs(sum)).toBeLessThan(1e-6); // probabilities minus a one-hot sum to zero
    expect(dz[2]).toBeLessThan(0);
  });

  test("binary cross-entropy stays finite at p = 0 and p = 1 (clamped)", () => {
    const p = filled(4, (i: i32): f32 => <f32>i / 3);
    const t = filled(4, (i: i32): f32 => i % 2 == 0 ? 1 : 0);
    const dl = filled(1, (i: i32): f32 => 1);
    const l = new Float32Array(1);
    const d = new Float32Array(4);
    binaryCrossEntropy(addr(l), addr(p), addr(t), 1, 4);
    expect(isFinite(l[0])).toBe(true);
    binaryCrossEntropyReverse(addr(d), addr(p), addr(t), addr(dl), 1, 4);
    for (let i = 0; i < 4; i++) expect(isFinite(d[i])).toBe(true);
  });

  test("rowDot and rowScale", () => {
    const a = filled(6, wave);
    const b = filled(6, (i: i32): f32 => <f32>i);
    const l = new Float32Array(2);
    rowDot(addr(l), addr(a), addr(b), 2, 3);
    expect(l[1]).toBe(a[3] * b[3] + a[4] * b[4] + a[5] * b[5]);
    const s = filled(2, (i: i32): f32 => <f32>(i + 2));
    const out = new Float32Array(6);
    rowScale(addr(out), addr(a), addr(s), -1, 2, 3);
    for (let i = 0; i < 6; i++) expect(out[i]).toBe(<f32>-1 * s[i / 3] * a[i]);
  });

  test("index labels: the loss and its reverse are the one-hot kernels' bits, at every width (body and tail)", () => {
    for (let k = 0; k < TEST_SIZES.length; k++) {
      const cols = TEST_SIZES[k], rows = 3;
      const z = filled(rows * cols, (i: i32): f32 => <f32>3 * wave(i));
      const idx = new Float32Array(rows);
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        const c = (r * 7 + 2) % cols;
        idx[r] = <f32>c;
        t[r * cols + c] = 1;
      }
      const dl = filled(rows, (r: i32): f32 => <f32>0.5 * <f32>(r + 1));
      const lp = new Float32Array(rows * cols);
      logSoftmax(addr(lp), addr(z), rows, cols);
      const l1 = new Float32Array(rows), l2 = new Float32Array(rows);
      crossEntropy(addr(l1), addr(lp), addr(t), rows, cols);
      indexCrossEntropy(addr(l2), addr(lp), addr(idx), rows, cols);
      for (let r = 0; r < rows; r++) expect(reinterpret<u32>(l2[r])).toBe(reinterpret<u32>(l1[r]));
      const d1 = new Float32Array(rows * cols), d2 = new Float32Array(rows * cols);
      softmaxCrossEntropyReverse(addr(d1), addr(lp), addr(t), addr(dl), rows, cols);
      indexCrossEntropyReverse(addr(d2), addr(lp), addr(idx), addr(dl), rows, cols);
      for (let i = 0; i < rows * cols; i++) expect(reinterpret<u32>(d2[i])).toBe(reinterpret<u32>(d1[i]));
    }
  });

  test("index labels: an index that is not a whole number in [0, cols) gives a NaN loss and touches nothing outside its row", () => {
    const cols = 5;
    const bad: f32[] = [-1, 5, 1.5, NaN, 1e9];
    for (let k = 0; k < bad.length; k++) {
      const z = filled(cols, wave);
      const lp = new Float32Array(cols);
      logSoftmax(addr(lp), addr(z), 1, cols);
      const idx = new Float32Array(1);
      idx[0] = bad[k];
      const dl = filled(1, (i: i32): f32 => 2);
      const l = new Float32Array(1);
      indexCrossEntropy(addr(l), addr(lp), addr(idx), 1, cols);
      expect(isNaN(l[0])).toBe(true);
      // guard values on both sides of the row stay as they were
      const d = filled(cols + 2, (i: i32): f32 => 7);
      indexCrossEntropyReverse(addr(d) + 4, addr(lp), addr(idx), addr(dl), 1, cols);
      expect(d[0]).toBe(7);
      expect(d[cols + 1]).toBe(7);
      for (let j = 0; j < cols; j++) expect(Math.abs(d[j + 1] - 2 * Math.exp(lp[j]))).toBeLessThan(1e-6);
    }
  });
});
