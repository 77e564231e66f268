import { maxPool2d, maxPool2dReverse, avgPool2d, avgPool2dReverse } from "../pool";

// n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow: valid and same padding,
// overlapping windows, channel counts below, at and above the vector width.
const CASES: i32[][] = [
  [1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 2, 2],
  [2, 5, 7, 3, 2, 2, 2, 2, 0, 0, 2, 3],
  [1, 5, 5, 4, 3, 3, 2, 2, 1, 1, 3, 3],
  [2, 6, 5, 6, 3, 2, 1, 2, 0, 0, 4, 2],
];

function arr(n: i32, seed: i32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = <f32>(((i * 7919 + seed * 104729) % 997) - 498) / 64;
  return a;
}

describe("pooling", () => {
  test("max and mean of every clipped window, and their reverses", () => {
    for (let t = 0; t < CASES.length; t++) {
      const g = CASES[t];
      const n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], sh = g[6], sw = g[7], pt = g[8], pl = g[9], oh = g[10], ow = g[11];
      const x = arr(n * h * w * c, 1), dy = arr(n * oh * ow * c, 2);
      const ymax = new Float32Array(dy.length), arg = new Int32Array(dy.length), yavg = new Float32Array(dy.length);
      const dxmax = arr(x.length, 5), dxavg = arr(x.length, 6);
      maxPool2d(ymax.dataStart, arg.dataStart, x.dataStart, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      maxPool2dReverse(dxmax.dataStart, arg.dataStart, dy.dataStart, n, h * w * c, oh * ow * c);
      avgPool2d(yavg.dataStart, x.dataStart, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      avgPool2dReverse(dxavg.dataStart, dy.dataStart, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      const wantMax = new Float32Array(x.length), wantAvg = new Float32Array(x.length);
      for (let img = 0; img < n; img++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let ci = 0; ci < c; ci++) {
        const o = ((img * oh + oy) * ow + ox) * c + ci;
        let best: f32 = -Infinity, bestAt = -1, taps = 0;
        let sum: f32 = 0;
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const iy = oy * sh + ky - pt, ix = ox * sw + kx - pl;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          const i = ((img * h + iy) * w + ix) * c + ci;
          if (x[i] > best) { best = x[i]; bestAt = i; }
          sum += x[i];
          taps++;
        }
        expect(ymax[o]).toBe(best);
        expect(arg[o]).toBe(bestAt - img * h * w * c); // per image
        expect(Mathf.abs(yavg[o] - sum / <f32>taps) <= <f32>1e-5).toBe(true);
        wantMax[bestAt] += dy[o];
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const iy = oy * sh + ky - pt, ix = ox * sw + kx - pl;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          wantAvg[((img * h + iy) * w + ix) * c + ci] += dy[o] / <f32>taps;
        }
      }
      for (let i = 0; i < x.length; i++) {
        expect(Mathf.abs(dxmax[i] - wantMax[i]) <= <f32>1e-5).toBe(true);
        expect(Mathf.abs(dxavg[i] - wantAvg[i]) <= <f32>1e-5).toBe(true);
      }
    }
  });
});
