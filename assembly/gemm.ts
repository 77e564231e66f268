// General matrix multiply, row-major f32: C (m x n) = op(A) * op(B), or C += ...
//
//   gemmNN: A is m x k, B is k x n        (a dense layer's forward pass)
//   gemmNT: A is m x k, B is n x k        (its input gradient: dY * W^T)
//   gemmTN: A is k x m, B is k x n        (its weight gradient: X^T * dY)
//
// The blocked scheme of Goto and van de Geijn ("Anatomy of high-performance
// matrix multiplication", 2008), with the two inner loops swapped: K is cut
// into blocks of at most KC and N into blocks of NC; each KC x NC block of
// op(B) is packed into 8-column panels (256 KiB: it stays in L2), then for
// every 4 rows of op(A) a KC x 4 panel is packed (16 KiB, it stays in L1) and
// a 4 x 8 register tile multiplies it with each B panel in turn.
//
// Why 4 x 8: V8 schedules all of an iteration's loads first, so accumulators
// plus loaded vectors must fit the 15 vector registers it leaves free on
// x86-64: eight accumulators, two B vectors and four A vectors, plus one
// product in flight in the strict build. A 5 x 8 tile spills (measured: a third
// slower). A values are packed already broadcast to four lanes, so the
// tile reads them with plain vector loads; V8 turns a broadcast load with an
// offset into an address computation plus the load, one more instruction per
// value in a loop whose speed is set by how many instructions it issues.
//
// Numeric contract. For every element, the products op(A)[i,p] op(B)[p,j] are
// summed in increasing p within a K block, starting from zero; the block sums
// are then added to C in increasing block order (to C's old value with
// accumulate, else the first block's sum is C). The K blocks are
// ceil(k / KC) nearly equal runs, so the order depends on k alone: results
// are deterministic and, in the strict build (madd = multiply, round, add,
// round), bit-identical in every engine. The relaxed build fuses each
// multiply-add (one rounding), which may differ in the last bits. Ragged
// edges are computed on zero-padded panels, so edge and interior elements
// follow the same order.
import { madd, at } from "./simd";
import { MR, NR, packA, packB } from "./pack";

export const KC = 256;
export const NC = 256;

// Static scratch (kernels never allocate): one packed block of each operand,
// and one tile for ragged edges. conv.ts packs A panels of its own into
// packedA (straight from the image) and multiplies them with multiplyPanel.
export const packedA = memory.data(KC * 64, 16);
export const packedB = memory.data(KC * NC * 4, 16);
const edge = memory.data(MR * NR * 4, 16);

/**
 * One 4 x 8 tile: t = sum over p < kc of (A panel column p) (B panel row p),
 * then c[r, 0..8] = t (or c + t with addTo), rows of c ldc bytes apart.
 */
function tile(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, addTo: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 64;
    pb += 32;
  }
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (addTo) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(r1), c10);
    c11 = f32x4.add(v128.load(r1, 16), c11);
    c20 = f32x4.add(v128.load(r2), c20);
    c21 = f32x4.add(v128.load(r2, 16), c21);
    c30 = f32x4.add(v128.load(r3), c30);
    c31 = f32x4.add(v128.load(r3, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/** C[i0..i0+rows, j0..j0+nc] = (or +=) the packed A panel times the packed B block; C has n columns. */
export function multiplyPanel(c: usize, n: i32, i0: i32, rows: i32, j0: i32, nc: i32, kc: i32, addTo: bool): void {
  const ldc = <usize>n << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const pb = packedB + (<usize>(jr * kc) << 2);
    const cols = min(NR, nc - jr);
    const ct = at(c, i0 * n + j0 + jr);
    if (rows == MR && cols == NR) {
      tile(packedA, pb, kc, ct, ldc, addTo);
      continue;
    }
    // a ragged edge: the whole tile into scratch, then its valid part into C
    tile(packedA, pb, kc, edge, NR * 4, false);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        const dst = at(ct, r * n + q);
        const t = load<f32>(at(edge, r * NR + q));
        store<f32>(dst, addTo ? load<f32>(dst) + t : t);
      }
    }
  }
}

@inline function gemm(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool, transA: bool, transB: bool): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) memory.fill(c, 0, <usize>(m * n) << 2);
    return;
  }
  // K in ceil(k / KC) runs whose lengths differ by at most one
  const blocks = (k + KC - 1) / KC;
  const base = k / blocks, longer = k % blocks;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    let p0 = 0;
    for (let q = 0; q < blocks; q++) {
      const kc = base + (q < longer ? 1 : 0);
      packB(packedB, b, transB, n, k, jc, nc, p0, kc);
      for (let i = 0; i < m; i += MR) {
        const rows = min(MR, m - i);
        packA(packedA, a, transA, m, k, i, rows, p0, kc);
        multiplyPanel(c, n, i, rows, jc, nc, kc, accumulate || q > 0);
      }
      p0 += kc;
    }
  }
}

/** C (m x n) = A (m x k) * B (k x n); with accumulate, C += A * B. */
export function gemmNN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, false, false);
}

/** C (m x n) = A * B^T with A stored m x k and B n x k; with accumulate, C += A * B^T. */
export function gemmNT(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, false, true);
}

/** C (m x n) = A^T * B with A stored k x m and B k x n; with accumulate, C += A^T * B. */
export function gemmTN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, true, false);
}
