// 2-D convolution (cross-correlation, as in deep learning) of NHWC images by
// filters [kh, kw, c, cout], with stride and zero padding, and its two reverse
// passes. Each is im2col + GEMM done in row blocks:
//
//   forward          Y (M x cout)      = cols (M x K) * F (K x cout)
//   input gradient   dcols (M x K)     = dY (M x cout) * F^T, then col2im adds dcols into dX
//   filter gradient  dF (K x cout)    += cols^T * dY, block after block
//
// where M = n * oh * ow output pixels and K = kh * kw * c. Row r of cols is the
// receptive field of output pixel r, flattened in (ky, kx, c) order: the order
// of the filter's first three axes, so F is used in place as a K x cout matrix
// and Y comes out already in NHWC order.
//
// The cols matrix is never built whole: `scratch` (blockRows x K floats, an
// arena tensor the caller allocates) holds one block of rows at a time, small
// enough to stay in cache between the im2col and the GEMM that reads it.
// The forward pass does better when K fits one GEMM K block (K <= KC, every
// network here) and cols need not be kept: it packs the GEMM's A panels
// straight from the image, four windows at a time, so cols is neither written
// nor read back (measured about 10% faster on a 5x5 single-channel
// convolution of 64 images, where building cols is a third of the time). The
// caller asks for it by passing no scratch (blockRows 0): it is the one that
// sizes the scratch, so it makes the choice.
// Results depend on blockRows only through the filter gradient's summation
// order (blocks are added in increasing r); for given arguments they are
// deterministic.
//
// Window geometry, shared by all three: input h x w, kernel kh x kw, strides
// sh, sw, top/left padding pt, pl (bottom/right padding is implied by oh, ow),
// output oh x ow. Out-of-image taps read zeros.
import { at } from "./simd";
import { NC, gemmNN, gemmNT, gemmTN, multiplyPanel, packedA, packedB } from "./gemm";
import { MR, packB } from "./pack";

// Copies n floats (no overlap), four at a time; a ragged end is one more
// vector ending at n (rewriting a few floats with the same values). Runs
// shorter than a vector (a kernel row of a 1- or 3-channel image) are copied
// as one vector when 16 bytes can be read at src and written at dst without
// passing srcEnd and dstEnd: the extra floats land in cols slots that are
// written later, in order.
@inline function copyFloats(dst: usize, src: usize, n: i32, srcEnd: usize, dstEnd: usize): void {
  if (n >= 4) {
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
    if (i < n) v128.store(at(dst, n - 4), v128.load(at(src, n - 4)));
  } else if (src + 16 <= srcEnd && dst + 16 <= dstEnd) {
    v128.store(dst, v128.load(src));
  } else {
    for (let i = 0; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
  }
}

@inline function zeroFloats(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.splat(0));
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

@inline function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

// The window of output pixel (img, oy, ox): for each kernel row ky the taps
// kx = 0..kw-1 read the input columns ix0 + kx, which lie next to each other
// in NHWC, so a kernel row is one contiguous run of (kx1 - kx0) * c floats
// plus zero ends. `gather` true: cols <- x (im2col); false: x += cols (col2im).
// Windows clear of the left and right edges (most of them) skip the clipping.
// xEnd and colsEnd bound the memory the copies may touch.
@inline function window(
  gather: bool, cols: usize, x: usize, img: i32, oy: i32, ox: i32,
  h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, xEnd: usize, colsEnd: usize,
): void {
  const iy0 = oy * sh - pt;
  const ix0 = ox * sw - pl;
  const rowLen = kw * c;
  if (ix0 >= 0 && ix0 + kw <= w) {
    for (let ky = 0; ky < kh; ky++) {
      const dst = at(cols, ky * rowLen);
      const iy = iy0 + ky;
      if (iy >= 0 && iy < h) {
        const src = at(x, ((img * h + iy) * w + ix0) * c);
        if (gather) copyFloats(dst, src, rowLen, xEnd, colsEnd);
        else addFloats(src, dst, rowLen);
      } else if (gather) {
        zeroFloats(dst, rowLen);
      }
    }
    return;
  }
  const kx0 = max(0, -ix0);
  const kx1 = min(kw, w - ix0);
  const run = kx1 > kx0 ? (kx1 - kx0) * c : 0;
  for (let ky = 0; ky < kh; ky++) {
    const dst = at(cols, ky * rowLen);
    const iy = iy0 + ky;
    if (iy < 0 || iy >= h || run == 0) {
      if (gather) zeroFloats(dst, rowLen);
      continue;
    }
    const src = at(x, ((img * h + iy) * w + ix0 + kx0) * c);
    if (gather) {
      zeroFloats(dst, kx0 * c);
      copyFloats(at(dst, kx0 * c), src, run, xEnd, colsEnd);
      zeroFloats(at(dst, kx1 * c), (kw - kx1) * c);
    } else {
      addFloats(src, at(dst, kx0 * c), run);
    }
  }
}

// Rows r0 .. r0 + rows - 1 of cols (stored from `cols` on, K floats each):
// gathered from x, or added into x. The pixel is tracked by counters, not
// divisions.
@inline function windows(
  gather: bool, cols: usize, x: usize, r0: i32, rows: i32,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const k = kh * kw * c;
  const xEnd = at(x, n * h * w * c);
  const colsEnd = at(cols, rows * k);
  let img = r0 / (oh * ow);
  let oy = (r0 - img * oh * ow) / ow;
  let ox = r0 - (img * oh + oy) * ow;
  for (let i = 0; i < rows; i++) {
    window(gather, at(cols, i * k), x, img, oy, ox, h, w, c, kh, kw, sh, sw, pt, pl, xEnd, colsEnd);
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        img++;
      }
    }
  }
}

// The output pixel (img, oy, ox) whose window packWindows reads next. Kept
// as counters across panels: two integer divisions per window would cost
// about as much as multiplying a small panel.
let nextImg = 0, nextOy = 0, nextOx = 0;

// Where the window of the next pixel starts: its image offset in floats with
// the top-left tap at (iy0, ix0), which may lie in the padding; advances the
// counters.
let winImg = 0, winIy0 = 0, winIx0 = 0;
@inline function nextWindow(sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32): void {
  winImg = nextImg;
  winIy0 = nextOy * sh - pt;
  winIx0 = nextOx * sw - pl;
  if (++nextOx == ow) {
    nextOx = 0;
    if (++nextOy == oh) {
      nextOy = 0;
      nextImg++;
    }
  }
}

// Kernel row ky of one window into column `col` of a panel (stride 64 bytes),
// zeros where the taps fall in the padding.
@inline function packRow(
  col: usize, x: usize, img: i32, iy: i32, ix0: i32, h: i32, w: i32, c: i32, kw: i32,
): void {
  const zero = f32x4.splat(0);
  const rowLen = kw * c;
  let out = col;
  const kx0 = max(0, -ix0), kx1 = min(kw, w - ix0);
  if (iy < 0 || iy >= h || kx1 <= kx0) {
    for (let q = 0; q < rowLen; q++, out += 64) v128.store(out, zero);
    return;
  }
  const lead = kx0 * c, run = (kx1 - kx0) * c;
  for (let q = 0; q < lead; q++, out += 64) v128.store(out, zero);
  let src = at(x, ((img * h + iy) * w + ix0 + kx0) * c);
  for (let q = 0; q < run; q++, out += 64, src += 4) v128.store(out, v128.load32_splat(src));
  for (let q = lead + run; q < rowLen; q++, out += 64) v128.store(out, zero);
}

// The GEMM A panel (pack.ts) of the next `rows` output pixels (rows <= 4),
// all K = kh*kw*c columns, read from their windows: column p of pixel r is
// the vector at dst + 64p + 16r, holding cols[pixel, p] in all four lanes.
// The panel's column order is cols's, so the products are summed in the same
// order as by im2col + gemmNN: the result is bit for bit the same.
// A kernel row that lies inside the image for all four windows (most of
// them) is packed like pack.ts packs a panel: four broadcast loads, one
// 64-byte line, per column. Other rows go window by window.
function packWindows(
  dst: usize, x: usize, rows: i32,
  h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const rowLen = kw * c;
  if (rows < MR) {
    const zero = f32x4.splat(0);
    for (let r = 0; r < MR; r++) {
      const col = dst + (<usize>r << 4);
      if (r >= rows) {
        for (let p = 0, k = kh * rowLen; p < k; p++) v128.store(col + (<usize>p << 6), zero);
        continue;
      }
      nextWindow(sh, sw, pt, pl, oh, ow);
      for (let ky = 0; ky < kh; ky++) packRow(col + (<usize>(ky * rowLen) << 6), x, winImg, winIy0 + ky, winIx0, h, w, c, kw);
    }
    return;
  }
  nextWindow(sh, sw, pt, pl, oh, ow);
  const img0 = winImg, iy0 = winIy0, ix0 = winIx0;
  nextWindow(sh, sw, pt, pl, oh, ow);
  const img1 = winImg, iy1 = winIy0, ix1 = winIx0;
  nextWindow(sh, sw, pt, pl, oh, ow);
  const img2 = winImg, iy2 = winIy0, ix2 = winIx0;
  nextWindow(sh, sw, pt, pl, oh, ow);
  const img3 = winImg, iy3 = winIy0, ix3 = winIx0;
  // all four windows clear of the left and right edges
  const inside = min(min(ix0, ix1), min(ix2, ix3)) >= 0 && max(max(ix0, ix1), max(ix2, ix3)) + kw <= w;
  for (let ky = 0; ky < kh; ky++) {
    const out = dst + (<usize>(ky * rowLen) << 6);
    const a = iy0 + ky, b = iy1 + ky, cc = iy2 + ky, d = iy3 + ky;
    if (inside && min(min(a, b), min(cc, d)) >= 0 && max(max(a, b), max(cc, d)) < h) {
      let s0 = at(x, ((img0 * h + a) * w + ix0) * c);
      let s1 = at(x, ((img1 * h + b) * w + ix1) * c);
      let s2 = at(x, ((img2 * h + cc) * w + ix2) * c);
      let s3 = at(x, ((img3 * h + d) * w + ix3) * c);
      const end = out + (<usize>rowLen << 6);
      for (let o = out; o < end; o += 64) {
        v128.store(o, v128.load32_splat(s0));
        v128.store(o, v128.load32_splat(s1), 16);
        v128.store(o, v128.load32_splat(s2), 32);
        v128.store(o, v128.load32_splat(s3), 48);
        s0 += 4;
        s1 += 4;
        s2 += 4;
        s3 += 4;
      }
      continue;
    }
    packRow(out, x, img0, a, ix0, h, w, c, kw);
    packRow(out + 16, x, img1, b, ix1, h, w, c, kw);
    packRow(out + 32, x, img2, cc, ix2, h, w, c, kw);
    packRow(out + 48, x, img3, d, ix3, h, w, c, kw);
  }
}

// The forward pass without cols (K <= KC): the filter, a K x cout matrix, is
// packed once per block of NC output channels, then each panel of four
// windows is packed and multiplied into four output rows.
function conv2dPacked(
  y: usize, x: usize, f: usize,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32, cout: i32,
): void {
  const m = n * oh * ow;
  const k = kh * kw * c;
  for (let jc = 0; jc < cout; jc += NC) {
    const nc = min(NC, cout - jc);
    packB(packedB, f, false, cout, k, jc, nc, 0, k);
    nextImg = 0;
    nextOy = 0;
    nextOx = 0;
    for (let i = 0; i < m; i += MR) {
      const rows = min(MR, m - i);
      packWindows(packedA, x, rows, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      multiplyPanel(y, cout, i, rows, jc, nc, k, false, packedB);
    }
  }
}

// True when im2col is the identity (1 x 1 kernel, stride 1, no padding): X is cols.
@inline function pointwise(kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0;
}

/**
 * y [n, oh, ow, cout] = conv(x [n, h, w, c], f [kh, kw, c, cout]). scratch
 * holds blockRows x kh*kw*c floats, or with `keep` the whole cols matrix
 * (n*oh*ow rows, each block at its own rows), left there for the filter
 * gradient, which is then one GEMM (cols^T dy) with no second im2col.
 * With blockRows 0 (no scratch; only without `keep`, for K <= KC) the
 * GEMM panels are packed straight from the image instead.
 */
export function conv2d(
  y: usize, x: usize, f: usize, scratch: usize, blockRows: i32,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32, cout: i32,
  keep: bool,
): void {
  const m = n * oh * ow;
  const k = kh * kw * c;
  if (pointwise(kh, kw, sh, sw, pt, pl)) {
    gemmNN(y, x, f, m, cout, k, false);
    return;
  }
  if (blockRows == 0) {
    conv2dPacked(y, x, f, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout);
    return;
  }
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const rows = min(blockRows, m - r0);
    const block = keep ? at(scratch, r0 * k) : scratch;
    windows(true, block, x, r0, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
    gemmNN(at(y, r0 * cout), block, f, rows, cout, k, false);
  }
}

/** dx [n, h, w, c] = the input gradient of conv2d for the output change dy [n, oh, ow, cout]. */
export function conv2dInputGrad(
  dx: usize, dy: usize, f: usize, scratch: usize, blockRows: i32,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32, cout: i32,
): void {
  const m = n * oh * ow;
  const k = kh * kw * c;
  if (pointwise(kh, kw, sh, sw, pt, pl)) {
    gemmNT(dx, dy, f, m, k, cout, false);
    return;
  }
  zeroFloats(dx, n * h * w * c);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const rows = min(blockRows, m - r0);
    gemmNT(scratch, at(dy, r0 * cout), f, rows, k, cout, false);
    windows(false, scratch, dx, r0, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
  }
}

/** df [kh, kw, c, cout] = the filter gradient of conv2d at input x for the output change dy, summed over the batch. */
export function conv2dFilterGrad(
  df: usize, x: usize, dy: usize, scratch: usize, blockRows: i32,
  n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32, cout: i32,
): void {
  const m = n * oh * ow;
  const k = kh * kw * c;
  if (pointwise(kh, kw, sh, sw, pt, pl)) {
    gemmTN(df, x, dy, k, cout, m, false);
    return;
  }
  if (m == 0) zeroFloats(df, k * cout);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const rows = min(blockRows, m - r0);
    windows(true, scratch, x, r0, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
    gemmTN(df, scratch, at(dy, r0 * cout), k, cout, rows, r0 > 0);
  }
}
