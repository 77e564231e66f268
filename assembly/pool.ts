// Max and average pooling of NHWC images over kh x kw windows with strides sh,
// sw and top/left padding pt, pl; the output is n x oh x ow x c. Windows are
// clipped to the image: padding taps are never read, so a max ignores them and
// an average divides by the number of taps inside the image. Channels are
// pooled four at a time, then one at a time.
//
// Max pooling keeps, for every output, the flat index within its image of the
// tap it took (an i32 in the `arg` tensor; per image, so that any run of
// whole images can be pooled on its own and give the same bits): the reverse pass is then a scatter of dy to
// those indices, with no second pass over the windows and no float
// comparisons that could pick a different tap than the forward pass did. Of
// equal values the first in the window (row by row) wins; NaN wins over
// numbers, so a NaN input gives a NaN output.
import { at } from "./simd";

@inline function zeroFloats(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.splat(0));
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

// A 2 x 2 window inside the image (the common pooling): its four taps
// unrolled, for every channel of one output pixel. Same choices as the
// general loop: the first of equal values, NaN over numbers.
@inline function maxOf4(y: usize, arg: usize, x: usize, o: i32, b: i32, right: i32, down: i32, c: i32): void {
  const lane = i32x4(0, 1, 2, 3);
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const i0 = b + ch;
    let best = v128.load(at(x, i0));
    let bestAt = i32x4.add(i32x4.splat(i0), lane);
    for (let t = 1; t < 4; t++) {
      const i = i0 + (t & 1 ? right : 0) + (t & 2 ? down : 0);
      const v = v128.load(at(x, i));
      const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
      best = v128.bitselect(v, best, take);
      bestAt = v128.bitselect(i32x4.add(i32x4.splat(i), lane), bestAt, take);
    }
    v128.store(at(y, o + ch), best);
    v128.store(at(arg, o + ch), bestAt);
  }
  // the last c % 4 channels one at a time, still in vector registers (lane
  // 0): compare and select stay branch-free
  for (; ch < c; ch++) {
    const i0 = b + ch;
    let best = v128.load32_splat(at(x, i0));
    let bestAt = i32x4.splat(i0);
    for (let t = 1; t < 4; t++) {
      const i = i0 + (t & 1 ? right : 0) + (t & 2 ? down : 0);
      const v = v128.load32_splat(at(x, i));
      const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
      best = v128.bitselect(v, best, take);
      bestAt = v128.bitselect(i32x4.splat(i), bestAt, take);
    }
    v128.store32_lane(at(y, o + ch), best, 0);
    v128.store32_lane(at(arg, o + ch), bestAt, 0);
  }
}

/** y = the maximum of each window of x; arg (i32) = the index in its image of x of the tap it came from. */
export function maxPool2d(
  y: usize, arg: usize, x: usize,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const lane = i32x4(0, 1, 2, 3);
  for (let img = 0; img < n; img++) {
    const xi = at(x, img * h * w * c), yi = at(y, img * oh * ow * c), ai = at(arg, img * oh * ow * c);
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - pt;
      const ky0 = max(0, -iy0), ky1 = min(kh, h - iy0);
      for (let ox = 0; ox < ow; ox++) {
        const ix0 = ox * sw - pl;
        const kx0 = max(0, -ix0), kx1 = min(kw, w - ix0);
        const o = (oy * ow + ox) * c;
        const first = ((iy0 + ky0) * w + ix0 + kx0) * c;
        if (kh == 2 && kw == 2 && ky1 - ky0 == 2 && kx1 - kx0 == 2) {
          maxOf4(yi, ai, xi, o, first, c, w * c, c);
          continue;
        }
        let ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          let best = v128.load(at(xi, first + ch));
          let bestAt = i32x4.add(i32x4.splat(first + ch), lane);
          for (let ky = ky0; ky < ky1; ky++) {
            let i = ((iy0 + ky) * w + ix0 + kx0) * c + ch;
            for (let kx = kx0; kx < kx1; kx++, i += c) {
              const v = v128.load(at(xi, i));
              const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              best = v128.bitselect(v, best, take);
              bestAt = v128.bitselect(i32x4.add(i32x4.splat(i), lane), bestAt, take);
            }
          }
          v128.store(at(yi, o + ch), best);
          v128.store(at(ai, o + ch), bestAt);
        }
        // the last c % 4 channels one at a time in lane 0 (branch-free, as in maxOf4)
        for (; ch < c; ch++) {
          let best = v128.load32_splat(at(xi, first + ch));
          let bestAt = i32x4.splat(first + ch);
          for (let ky = ky0; ky < ky1; ky++) {
            let i = ((iy0 + ky) * w + ix0 + kx0) * c + ch;
            for (let kx = kx0; kx < kx1; kx++, i += c) {
              const v = v128.load32_splat(at(xi, i));
              const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              best = v128.bitselect(v, best, take);
              bestAt = v128.bitselect(i32x4.splat(i), bestAt, take);
            }
          }
          v128.store32_lane(at(yi, o + ch), best, 0);
          v128.store32_lane(at(ai, o + ch), bestAt, 0);
        }
      }
    }
  }
}

/**
 * dx (n images of inSize) = 0, then for each image dx[arg[o]] += dy[o] for
 * each of its outSize outputs, in increasing o.
 */
export function maxPool2dReverse(dx: usize, arg: usize, dy: usize, n: i32, inSize: i32, outSize: i32): void {
  zeroFloats(dx, n * inSize);
  for (let img = 0; img < n; img++) {
    const dxi = at(dx, img * inSize), first = img * outSize;
    for (let o = first; o < first + outSize; o++) {
      const p = at(dxi, load<i32>(at(arg, o)));
      store<f32>(p, load<f32>(p) + load<f32>(at(dy, o)));
    }
  }
}

// The mean of a window or the spreading of a change over it: `forward` true
// sets out[o] = sum of the window / taps; false adds g / taps to every tap of
// the window in dx (which the caller zeroed).
@inline function average(
  forward: bool, y: usize, x: usize,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  for (let img = 0; img < n; img++) {
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - pt;
      const ky0 = max(0, -iy0), ky1 = min(kh, h - iy0);
      for (let ox = 0; ox < ow; ox++) {
        const ix0 = ox * sw - pl;
        const kx0 = max(0, -ix0), kx1 = min(kw, w - ix0);
        const o = ((img * oh + oy) * ow + ox) * c;
        const inv: f32 = 1 / <f32>((ky1 - ky0) * (kx1 - kx0));
        const invv = f32x4.splat(inv);
        let ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          if (forward) {
            let s = f32x4.splat(0);
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) s = f32x4.add(s, v128.load(at(x, ((img * h + iy0 + ky) * w + ix0 + kx) * c + ch)));
            }
            v128.store(at(y, o + ch), f32x4.mul(s, invv));
          } else {
            const g = f32x4.mul(v128.load(at(y, o + ch)), invv);
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) {
                const p = at(x, ((img * h + iy0 + ky) * w + ix0 + kx) * c + ch);
                v128.store(p, f32x4.add(v128.load(p), g));
              }
            }
          }
        }
        for (; ch < c; ch++) {
          if (forward) {
            let s: f32 = 0;
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) s += load<f32>(at(x, ((img * h + iy0 + ky) * w + ix0 + kx) * c + ch));
            }
            store<f32>(at(y, o + ch), s * inv);
          } else {
            const g = load<f32>(at(y, o + ch)) * inv;
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) {
                const p = at(x, ((img * h + iy0 + ky) * w + ix0 + kx) * c + ch);
                store<f32>(p, load<f32>(p) + g);
              }
            }
          }
        }
      }
    }
  }
}

/** y = the mean of each window of x over the taps inside the image. */
export function avgPool2d(
  y: usize, x: usize,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  average(true, y, x, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
}

/** dx = the input gradient of avgPool2d: each dy spread evenly over its window's taps. */
export function avgPool2dReverse(
  dx: usize, dy: usize,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  zeroFloats(dx, n * h * w * c);
  average(false, dy, dx, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
}
