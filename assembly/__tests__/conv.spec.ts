import { conv2d, conv2dInputGrad, conv2dFilterGrad } from "../conv";
import { KC } from "../gemm";

// Geometries: n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, blockRows.
// Odd sizes, strides, uneven padding, a 1x1 kernel, blocks that do not
// divide the rows, pixel counts that are not multiples of the GEMM's 4-row
// panels, and K = 270 > KC (the forward pass then goes through cols; below
// KC it packs panels straight from the image).
const CASES: i32[][] = [
  [1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 2, 2, 1, 4],
  [2, 5, 6, 3, 3, 2, 2, 2, 1, 0, 3, 3, 5, 4],
  [2, 7, 5, 2, 4, 4, 1, 1, 1, 1, 7, 5, 3, 7],
  [1, 3, 3, 4, 1, 1, 1, 1, 0, 0, 3, 3, 6, 2],
  [2, 6, 6, 5, 3, 3, 3, 2, 1, 1, 2, 3, 4, 1],
  [1, 5, 5, 30, 3, 3, 1, 1, 1, 1, 5, 5, 3, 6],
];

function arr(n: i32, seed: i32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = <f32>(((i * 7919 + seed * 104729) % 201) - 100) / 64;
  return a;
}

// The tap of x under filter position (ky, kx) for output pixel (oy, ox), or -1 in the padding.
function tap(g: i32[], img: i32, oy: i32, ox: i32, ky: i32, kx: i32): i32 {
  const iy = oy * g[6] + ky - g[8], ix = ox * g[7] + kx - g[9];
  if (iy < 0 || iy >= g[1] || ix < 0 || ix >= g[2]) return -1;
  return (img * g[1] + iy) * g[2] + ix;
}

function close(a: f32, b: f32): bool {
  return Mathf.abs(a - b) <= <f32>1e-4 * (<f32>1 + Mathf.abs(b));
}

describe("conv2d", () => {
  test("forward, input gradient and filter gradient agree with direct sums", () => {
    for (let t = 0; t < CASES.length; t++) {
      const g = CASES[t];
      const n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], oh = g[10], ow = g[11], cout = g[12], rows = g[13];
      const x = arr(n * h * w * c, 1), f = arr(kh * kw * c * cout, 2), dy = arr(n * oh * ow * cout, 3);
      const y = new Float32Array(n * oh * ow * cout), dx = arr(n * h * w * c, 9), df = arr(kh * kw * c * cout, 9);
      const scratch = new Float32Array(rows * kh * kw * c);
      conv2d(y.dataStart, x.dataStart, f.dataStart, scratch.dataStart, rows, n, h, w, c, kh, kw, g[6], g[7], g[8], g[9], oh, ow, cout, false);
      // keeping the whole im2col matrix gives the same bits as im2col block by block
      const whole = new Float32Array(n * oh * ow * kh * kw * c);
      const yKept = new Float32Array(y.length);
      conv2d(yKept.dataStart, x.dataStart, f.dataStart, whole.dataStart, rows, n, h, w, c, kh, kw, g[6], g[7], g[8], g[9], oh, ow, cout, true);
      for (let i = 0; i < y.length; i++) expect(yKept[i]).toBe(y[i]);
      // and so does packing the GEMM panels straight from the image (no scratch)
      if (kh * kw * c <= KC) {
        const yPacked = new Float32Array(y.length);
        conv2d(yPacked.dataStart, x.dataStart, f.dataStart, 0, 0, n, h, w, c, kh, kw, g[6], g[7], g[8], g[9], oh, ow, cout, false);
        for (let i = 0; i < y.length; i++) expect(yPacked[i]).toBe(y[i]);
      }
      conv2dInputGrad(dx.dataStart, dy.dataStart, f.dataStart, scratch.dataStart, rows, n, h, w, c, kh, kw, g[6], g[7], g[8], g[9], oh, ow, cout);
      conv2dFilterGrad(df.dataStart, x.dataStart, dy.dataStart, scratch.dataStart, rows, n, h, w, c, kh, kw, g[6], g[7], g[8], g[9], oh, ow, cout);
      const wantY = new Float32Array(y.length), wantDx = new Float32Array(dx.length), wantDf = new Float32Array(df.length);
      for (let img = 0; img < n; img++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        const o = (img * oh + oy) * ow + ox;
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const i = tap(g, img, oy, ox, ky, kx);
          if (i < 0) continue;
          for (let ci = 0; ci < c; ci++) for (let co = 0; co < cout; co++) {
            const fi = ((ky * kw + kx) * c + ci) * cout + co;
            wantY[o * cout + co] += x[i * c + ci] * f[fi];
            wantDx[i * c + ci] += dy[o * cout + co] * f[fi];
            wantDf[fi] += x[i * c + ci] * dy[o * cout + co];
          }
        }
      }
      for (let i = 0; i < y.length; i++) expect(close(y[i], wantY[i])).toBe(true);
      for (let i = 0; i < dx.length; i++) expect(close(dx[i], wantDx[i])).toBe(true);
      for (let i = 0; i < df.length; i++) expect(close(df[i], wantDf[i])).toBe(true);
    }
  });
});
