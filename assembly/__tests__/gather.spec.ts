import { copyStrided, gather, scatterAdd } from "../gather";

function arr(n: i32, f: (i: i32) => f32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}
function ints(values: i32[]): Int32Array {
  const a = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return a;
}
function ptr(a: Float32Array): usize {
  return a.dataStart;
}

describe("gather", () => {
  test("copyStrided copies a block between widths, vector body and tail alike", () => {
    // widths that exercise the vector body (4, 8), the tail (1, 3) and both (7)
    const widths: i32[] = [1, 3, 4, 7, 8];
    for (let w = 0; w < widths.length; w++) {
      const cols = widths[w];
      const rows = 3;
      const srcStride = cols + 5, dstStride = cols + 2;
      const src = arr(rows * srcStride, (i: i32): f32 => <f32>i + 0.5);
      const dst = arr(rows * dstStride, (i: i32): f32 => -1);
      copyStrided(ptr(dst) + 4, dstStride, ptr(src) + 8, srcStride, rows, cols);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < dstStride; j++) {
          const inside = j >= 1 && j < 1 + cols;
          expect(dst[r * dstStride + j]).toBe(inside ? src[r * srcStride + 2 + j - 1] : <f32>-1);
        }
      }
    }
  });

  test("copyStrided with source stride 0 repeats one row", () => {
    const src = arr(5, (i: i32): f32 => <f32>(i * i));
    const dst = new Float32Array(15);
    copyStrided(ptr(dst), 5, ptr(src), 0, 3, 5);
    for (let i = 0; i < 15; i++) expect(dst[i]).toBe(src[i % 5]);
  });

  test("gather reads by index and writes 0 for negative indices", () => {
    const x = arr(4, (i: i32): f32 => <f32>(i + 10));
    const index = ints([3, -1, 0, 0, 2, -1, 1]);
    const out = arr(7, (i: i32): f32 => 99);
    gather(ptr(out), ptr(x), index.dataStart, 7);
    const expected: f32[] = [13, 0, 10, 10, 12, 0, 11];
    for (let t = 0; t < 7; t++) expect(out[t]).toBe(expected[t]);
  });

  test("scatterAdd zeroes, then adds every change to the entry it was copied from", () => {
    const d = arr(7, (i: i32): f32 => <f32>(i + 1));
    const index = ints([3, -1, 0, 0, 2, -1, 1]);
    const out = arr(5, (i: i32): f32 => 99);
    scatterAdd(ptr(out), 5, ptr(d), index.dataStart, 7);
    const expected: f32[] = [3 + 4, 7, 5, 1, 0];
    for (let i = 0; i < 5; i++) expect(out[i]).toBe(expected[i]);
  });
});
