import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { mse, mseReverse, crossEntropy, softmaxCrossEntropyReverse, binaryCrossEntropy, binaryCrossEntropyReverse, rowDot, rowScale } from "../losses";
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
});
