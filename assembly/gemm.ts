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

// Scratch (kernels never allocate): one packed block of each operand, and one
// tile for ragged edges. conv.ts packs A panels of its own into packedA
// (straight from the image) and multiplies them with multiplyPanel. They start
// in static memory; an instance of the threaded core, which shares its memory
// with the others, is given a block of its own by useScratch.
const PACKED_A_BYTES = KC * 64;
const PACKED_B_BYTES = KC * NC * 4;
const EDGE_BYTES = MR * NR * 4;
export let packedA: usize = memory.data(PACKED_A_BYTES, 16);
export let packedB: usize = memory.data(PACKED_B_BYTES, 16);
let edge: usize = memory.data(EDGE_BYTES, 16);

/** Bytes of scratch one instance uses (useScratch's block). */
export function scratchBytes(): i32 {
  return PACKED_A_BYTES + PACKED_B_BYTES + EDGE_BYTES;
}

/** Moves this instance's scratch to the scratchBytes() at base (16-byte aligned). */
export function useScratch(base: usize): void {
  packedA = base;
  packedB = base + PACKED_A_BYTES;
  edge = packedB + PACKED_B_BYTES;
}

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

/**
 * C[i0..i0+rows, j0..j0+nc] = (or +=) the packed A panel times the B block
 * whose panels start at `panels` (packedB, or a block of gemmPanels's); C has n columns.
 */
export function multiplyPanel(c: usize, n: i32, i0: i32, rows: i32, j0: i32, nc: i32, kc: i32, addTo: bool, panels: usize): void {
  const ldc = <usize>n << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const pb = panels + (<usize>(jr * kc) << 2);
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

// Rows i0..i1 and columns j0..j1 of C. Each element is summed as the whole
// product sums it (the K blocks depend on k alone), so any cut of C into such
// ranges gives the same bits. With `panels` (not 0) op(B) is kept packed
// there (gemmPanels): packed first from b, or, with b 0, packed already; j0
// is then a multiple of NR.
function gemm(
  c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, panels: usize,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = i0; i < i1; i++) memory.fill(at(c, i * n + j0), 0, <usize>(j1 - j0) << 2);
    return;
  }
  // one row of C (a prediction at batch 1): B is read as it is stored, nothing packed
  if (i1 - i0 == 1 && !transB && panels == 0) {
    rowTimesB(at(c, i0 * n), transA ? at(a, i0) : at(a, i0 * k), transA ? <usize>m << 2 : 4, b, n, k, accumulate, j0, j1);
    return;
  }
  // K in ceil(k / KC) runs whose lengths differ by at most one
  const blocks = (k + KC - 1) / KC;
  const base = k / blocks, longer = k % blocks;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    let p0 = 0;
    for (let q = 0; q < blocks; q++) {
      const kc = base + (q < longer ? 1 : 0);
      const pb = panels != 0 ? panelsAt(panels, n, jc, p0, kc) : packedB;
      if (b != 0) packB(pb, b, transB, n, k, jc, nc, p0, kc);
      for (let i = i0; i < i1; i += MR) {
        const rows = min(MR, i1 - i);
        packA(packedA, a, transA, m, k, i, rows, p0, kc);
        multiplyPanel(c, n, i, rows, jc, nc, kc, accumulate || q > 0, pb);
      }
      p0 += kc;
    }
  }
}

/**
 * Columns j0..j1 of one row of C: row (1 x k, its elements xStep bytes
 * apart) times B (k x n, row-major), summed as gemm sums them (the numeric
 * contract above: in increasing p within each K block from zero, the block
 * sums added to C in block order), so a row gives the same bits alone as in
 * a batch. The product of one row is bound by reading B once; packing B, as
 * gemm does to reuse it across rows, would read it twice.
 */
function rowTimesB(c: usize, row: usize, xStep: usize, b: usize, n: i32, k: i32, accumulate: bool, j0: i32, j1: i32): void {
  const blocks = (k + KC - 1) / KC;
  const base = k / blocks, longer = k % blocks;
  const ldb = <usize>n << 2;
  let p0 = 0;
  for (let q = 0; q < blocks; q++) {
    const kc = base + (q < longer ? 1 : 0);
    const addTo = accumulate || q > 0;
    const x0 = row + <usize>p0 * xStep, b0 = b + <usize>p0 * ldb;
    let j = j0;
    // 16 columns at a time: a cache line of each row of B
    for (; j + 16 <= j1; j += 16) {
      let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
      let x = x0, r = b0 + (<usize>j << 2);
      for (let p = 0; p < kc; p++) {
        const v = v128.load32_splat(x);
        t0 = madd(v, v128.load(r), t0);
        t1 = madd(v, v128.load(r, 16), t1);
        t2 = madd(v, v128.load(r, 32), t2);
        t3 = madd(v, v128.load(r, 48), t3);
        x += xStep;
        r += ldb;
      }
      const o = c + (<usize>j << 2);
      if (addTo) {
        t0 = f32x4.add(v128.load(o), t0);
        t1 = f32x4.add(v128.load(o, 16), t1);
        t2 = f32x4.add(v128.load(o, 32), t2);
        t3 = f32x4.add(v128.load(o, 48), t3);
      }
      v128.store(o, t0);
      v128.store(o, t1, 16);
      v128.store(o, t2, 32);
      v128.store(o, t3, 48);
    }
    for (; j + 4 <= j1; j += 4) {
      let t = f32x4.splat(0);
      let x = x0, r = b0 + (<usize>j << 2);
      for (let p = 0; p < kc; p++) {
        t = madd(v128.load32_splat(x), v128.load(r), t);
        x += xStep;
        r += ldb;
      }
      const o = c + (<usize>j << 2);
      v128.store(o, addTo ? f32x4.add(v128.load(o), t) : t);
    }
    // the last columns one at a time, in a vector's first lane (madd as the tile does it, fused or not)
    for (; j < j1; j++) {
      let t = f32x4.splat(0);
      let x = x0, r = b0 + (<usize>j << 2);
      for (let p = 0; p < kc; p++) {
        t = madd(v128.load32_splat(x), v128.load32_splat(r), t);
        x += xStep;
        r += ldb;
      }
      const o = c + (<usize>j << 2);
      const sum = f32x4.extract_lane(t, 0);
      store<f32>(o, addTo ? load<f32>(o) + sum : sum);
    }
    p0 += kc;
  }
}

/** C (m x n) = A (m x k) * B (k x n); with accumulate, C += A * B. */
export function gemmNN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, false, false, 0, m, 0, n, 0);
}

/** C (m x n) = A * B^T with A stored m x k and B n x k; with accumulate, C += A * B^T. */
export function gemmNT(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, false, true, 0, m, 0, n, 0);
}

/** C (m x n) = A^T * B with A stored k x m and B k x n; with accumulate, C += A^T * B. */
export function gemmTN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  gemm(c, a, b, m, n, k, accumulate, true, false, 0, m, 0, n, 0);
}

// A product whose op(B) does not change between calls (a weight, in a plan
// that only predicts) need not pack it in every call: gemmPanels keeps it
// packed in memory of the caller's, K block after K block (gemm's blocks),
// each block as ceil(n / 8) panels of kc x 8, so the panels of any run of
// columns starting at a multiple of 8 lie one after another, as packB lays
// out a block. A call given B packs it there as it multiplies; a call given
// none reads the panels where gemm would have packed them: the same tiles
// on the same bits, so the same results (and every cut of C still works). A
// stays as stored: a weight is B of a plan's forward products, and A^T B is
// only a gradient's.

/** Where the panels of columns jc.. of the K block starting at row p0 (kc rows) lie among gemmPanels's. */
@inline function panelsAt(panels: usize, n: i32, jc: i32, p0: i32, kc: i32): usize {
  return panels + ((<usize>p0 * <usize>((n + NR - 1) / NR * NR) + <usize>jc * <usize>kc) << 2);
}

/**
 * C (m x n) = A (m x k) * op(B), op(B) kept packed at `panels` (16-byte
 * aligned, k * ceil(n / 8) * 8 floats). With b (not 0), B (k x n, or stored
 * n x k when transposed) is packed there first; with b 0, the panels hold it
 * already.
 */
export function gemmPanels(c: usize, a: usize, panels: usize, m: i32, n: i32, k: i32, b: usize, transposed: bool): void {
  gemm(c, a, b, m, n, k, false, false, transposed, 0, m, 0, n, panels);
}

/**
 * Rows i0..i1 and columns j0..j1 (j0 a multiple of 8 for orientation 3) of
 * what gemmNN (orientation 0), gemmNT (1), gemmTN (2) or gemmPanels (3, b
 * its panels, packed already) computes, bit for bit as they compute them:
 * one thread's share of a product, the rest of C untouched.
 */
export function gemmPart(
  orientation: i32, c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool,
  i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  const panels: usize = orientation == 3 ? b : 0;
  gemm(c, a, orientation == 3 ? 0 : b, m, n, k, accumulate, orientation == 2, orientation == 1, max(i0, 0), min(i1, m), max(j0, 0), min(j1, n), panels);
}

/**
 * count products side by side: C[e] = op(A[e]) op(B[e]) for e < count, each
 * as gemmNN (orientation 0), gemmNT (1) or gemmTN (2) computes it, the
 * matrices of each operand stored one after another (attention's batched
 * products: one per example and head).
 */
export function gemmBatch(orientation: i32, c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, count: i32): void {
  const sc = <usize>(m * n) << 2, sa = <usize>(m * k) << 2, sb = <usize>(k * n) << 2;
  for (let e: usize = 0; e < <usize>count; e++) {
    gemm(c + e * sc, a + e * sa, b + e * sb, m, n, k, false, orientation == 2, orientation == 1, 0, m, 0, n, 0);
  }
}

// A product whose C is small and whose K is long (a convolution's filter
// gradient sums over every pixel of the batch) cannot be cut over C without
// every piece packing all of one operand. Its K blocks can be shared out
// instead: gemm already sums each block on its own before adding it to C,
// so the block sums may be computed anywhere, kept, and then added to C in
// block order (gemmFold), which gives gemm's bits exactly.

/** Where K block q of a length-k product starts, and its length (gemm's nearly equal runs). */
@inline function blockStart(k: i32, q: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return q * (k / blocks) + min(q, k % blocks);
}

/**
 * The sums of K blocks q0..q1 of what gemmNN (orientation 0), gemmNT (1),
 * gemmTN (2) or gemmPanels (3, b its panels, packed already) computes, each
 * on its own: block q's m x n sum goes to partials + q * m * n floats,
 * summed as gemm sums it.
 */
export function gemmBlocks(orientation: i32, partials: usize, a: usize, b: usize, m: i32, n: i32, k: i32, q0: i32, q1: i32): void {
  const transA = orientation == 2, transB = orientation == 1, panels: usize = orientation == 3 ? b : 0;
  for (let q = q0; q < q1; q++) {
    const p0 = blockStart(k, q), kc = blockStart(k, q + 1) - p0;
    const out = partials + (<usize>q * <usize>(m * n) << 2);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = min(NC, n - jc);
      const pb = panels != 0 ? panelsAt(panels, n, jc, p0, kc) : packedB;
      if (panels == 0) packB(pb, b, transB, n, k, jc, nc, p0, kc);
      for (let i = 0; i < m; i += MR) {
        const rows = min(MR, m - i);
        packA(packedA, a, transA, m, k, i, rows, p0, kc);
        multiplyPanel(out, n, i, rows, jc, nc, kc, false, pb);
      }
    }
  }
}

/**
 * Rows i0..i1 of C (m x n) from the `blocks` block sums at partials:
 * C = P[0] (or C + P[0] with accumulate), then C += P[q] in increasing q,
 * as gemm adds them.
 */
export function gemmFold(c: usize, partials: usize, m: i32, n: i32, blocks: i32, accumulate: bool, i0: i32, i1: i32): void {
  const size = <usize>(m * n) << 2;
  const start = <usize>(max(i0, 0) * n) << 2, end = <usize>(min(i1, m) * n) << 2;
  for (let q = 0; q < blocks; q++) {
    const p = partials + <usize>q * size;
    let o = start;
    if (q == 0 && !accumulate) {
      memory.copy(c + o, p + o, end - o);
      continue;
    }
    for (; o + 16 <= end; o += 16) v128.store(c + o, f32x4.add(v128.load(c + o), v128.load(p + o)));
    for (; o < end; o += 4) store<f32>(c + o, load<f32>(c + o) + load<f32>(p + o));
  }
}
