// Packing for the GEMM of gemm.ts: copies a block of an operand into the
// order the 4 x 8 register tile reads it, zero-padding ragged edges so the
// tile never needs a tail of its own.
//
//   A panel (4 rows of op(A), kc columns): for each p, A[i0..i0+3, p], each
//     value broadcast to four lanes (see gemm.ts for why)
//   B panel (kc rows of op(B), 8 columns): for each p, B[p, j0..j0+7]
//
// Either orientation of A is read with strided broadcast loads; B stored as
// is (gemmNN, gemmTN) is copied two vectors at a time, and B stored
// transposed (gemmNT) is read eight rows at a time and turned with 4 x 4
// in-register transposes, so no transpose of a whole operand is ever
// materialised. Packing only moves bits: it does not round.
import { at } from "./simd";

export const MR = 4;
export const NR = 8;

/** Columns 0..3 of the 4 x 4 block whose rows are r0..r3, as rows (a transpose). */
@inline function store4x4T(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs rows i0..i0+rows (rows <= 4) and columns p0..p0+kc of op(A) into one
 * panel at dst, each value broadcast to a whole vector (64 bytes per p), so the
 * tile reads it with a plain vector load. op(A) = A (m x k, row-major) or, when
 * transposed, A^T with A stored k x m. Rows past `rows` are zeros.
 */
export function packA(dst: usize, a: usize, transposed: bool, m: i32, k: i32, i0: i32, rows: i32, p0: i32, kc: i32): void {
  // A(i, p) sits at p*m + i (transposed) or i*k + p: step between p and p + 1,
  // and between row r and r + 1, in bytes
  const pStep: usize = transposed ? <usize>m << 2 : 4;
  const rStep: usize = transposed ? 4 : <usize>k << 2;
  const first = transposed ? at(a, p0 * m + i0) : at(a, i0 * k + p0);
  if (rows == MR) {
    let src = first;
    const end = dst + (<usize>kc << 6);
    for (let out = dst; out < end; out += 64) {
      v128.store(out, v128.load32_splat(src));
      v128.store(out, v128.load32_splat(src + rStep), 16);
      v128.store(out, v128.load32_splat(src + 2 * rStep), 32);
      v128.store(out, v128.load32_splat(src + 3 * rStep), 48);
      src += pStep;
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    let src = first + <usize>r * rStep;
    for (let p = 0; p < kc; p++) {
      v128.store(dst + (<usize>p << 6) + (<usize>r << 4), r < rows ? v128.load32_splat(src) : f32x4.splat(0));
      src += pStep;
    }
  }
}

/**
 * Packs rows p0..p0+kc and columns j0..j0+nc of op(B) into ceil(nc/8) panels
 * of kc x 8 at dst. op(B) = B (k x n, row-major) or, when transposed, B^T with
 * B stored n x k. Columns past nc are zeros.
 */
export function packB(dst: usize, b: usize, transposed: bool, n: i32, k: i32, j0: i32, nc: i32, p0: i32, kc: i32): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const j = j0 + jr;
    const panel = dst + (<usize>(jr * kc) << 2);
    if (!transposed) {
      // B(p, j) sits at p*n + j: eight neighbouring columns are two vectors
      for (let p = 0; p < kc; p++) {
        const src = at(b, (p0 + p) * n + j);
        const out = panel + (<usize>p << 5);
        if (cols == NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<f32>(at(out, c), c < cols ? load<f32>(at(src, c)) : 0);
        }
      }
    } else {
      // B(p, j) sits at j*k + p: columns of op(B) are contiguous in p
      let p = 0;
      if (cols == NR) {
        const s0 = at(b, j * k + p0), s1 = at(s0, k), s2 = at(s1, k), s3 = at(s2, k);
        const s4 = at(s3, k), s5 = at(s4, k), s6 = at(s5, k), s7 = at(s6, k);
        for (; p + 4 <= kc; p += 4) {
          const out = panel + (<usize>p << 5);
          store4x4T(out, 32, v128.load(at(s0, p)), v128.load(at(s1, p)), v128.load(at(s2, p)), v128.load(at(s3, p)));
          store4x4T(out + 16, 32, v128.load(at(s4, p)), v128.load(at(s5, p)), v128.load(at(s6, p)), v128.load(at(s7, p)));
        }
      }
      for (; p < kc; p++) {
        const out = panel + (<usize>p << 5);
        for (let c = 0; c < NR; c++) store<f32>(at(out, c), c < cols ? load<f32>(at(b, (j + c) * k + p0 + p)) : 0);
      }
    }
  }
}
