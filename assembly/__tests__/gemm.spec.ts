import { gemmNN, gemmNT, gemmTN, gemmPart, gemmBatch, gemmBlocks, gemmFold, gemmPanels } from "../gemm";

// Sizes on both sides of the 4 x 8 tile's edges, and a K past one K block.
const MS: i32[] = [1, 3, 4, 5, 9];
const NS: i32[] = [1, 7, 8, 9, 17];
const KS: i32[] = [1, 4, 300];

function ints(n: i32, seed: i32): Float32Array {
  // small integers: every product and sum is exact in f32, so the kernels
  // must agree with the naive loop bit for bit
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    a[i] = <f32>((s >> 16) % 7 - 3);
  }
  return a;
}

/** The naive C0 + op(A) op(B); variant 0 = NN, 1 = NT, 2 = TN. */
function naive(variant: i32, a: Float32Array, b: Float32Array, c0: Float32Array, m: i32, n: i32, k: i32): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = c0[i * n + j];
      for (let p = 0; p < k; p++) {
        const x = variant == 2 ? a[p * m + i] : a[i * k + p];
        const y = variant == 1 ? b[j * k + p] : b[p * n + j];
        s += x * y;
      }
      c[i * n + j] = s;
    }
  }
  return c;
}

function checkAll(variant: i32): void {
  for (let x = 0; x < MS.length; x++) {
    for (let y = 0; y < NS.length; y++) {
      for (let z = 0; z < KS.length; z++) {
        const m = MS[x], n = NS[y], k = KS[z];
        const a = ints(m * k, m + 7 * n), b = ints(k * n, k + 3 * m), c0 = ints(m * n, n);
        const zero = new Float32Array(m * n);
        const c = new Float32Array(m * n);
        const pc = c.dataStart, pa = a.dataStart, pb = b.dataStart;
        for (let acc = 0; acc < 2; acc++) {
          for (let i = 0; i < m * n; i++) c[i] = acc ? c0[i] : 99;
          if (variant == 0) gemmNN(pc, pa, pb, m, n, k, acc == 1);
          else if (variant == 1) gemmNT(pc, pa, pb, m, n, k, acc == 1);
          else gemmTN(pc, pa, pb, m, n, k, acc == 1);
          const want = naive(variant, a, b, acc ? c0 : zero, m, n, k);
          for (let i = 0; i < m * n; i++) expect(c[i]).toBe(want[i]);
        }
      }
    }
  }
}

/** The whole product by the kernel of `variant` (0 NN, 1 NT, 2 TN). */
function whole(variant: i32, c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, acc: bool): void {
  if (variant == 0) gemmNN(c, a, b, m, n, k, acc);
  else if (variant == 1) gemmNT(c, a, b, m, n, k, acc);
  else gemmTN(c, a, b, m, n, k, acc);
}

/** Real-valued inputs (rounding happens), so agreement below is bit for bit, not by exactness. */
function reals(n: i32, seed: i32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = <f32>Math.sin(<f64>(i * 7 + seed) * 0.37);
  return a;
}

// The pieces a threaded engine cuts a product into must give the whole call's bits.
function checkPieces(variant: i32): void {
  const m = 13, n = 19, k = 700; // three K blocks, ragged tiles
  const a = reals(m * k, 1), b = reals(k * n, 2), c0 = reals(m * n, 3);
  const want = new Float32Array(m * n), got = new Float32Array(m * n);
  for (let acc = 0; acc < 2; acc++) {
    for (let i = 0; i < m * n; i++) want[i] = got[i] = c0[i];
    whole(variant, want.dataStart, a.dataStart, b.dataStart, m, n, k, acc == 1);
    // rows 0..5 and 5..13 of the left columns, then the right columns whole
    gemmPart(variant, got.dataStart, a.dataStart, b.dataStart, m, n, k, acc == 1, 0, 5, 0, 11);
    gemmPart(variant, got.dataStart, a.dataStart, b.dataStart, m, n, k, acc == 1, 5, 13, 0, 11);
    gemmPart(variant, got.dataStart, a.dataStart, b.dataStart, m, n, k, acc == 1, 0, 13, 11, 19);
    for (let i = 0; i < m * n; i++) expect(got[i]).toBe(want[i]);
    // the K blocks apart, then folded into C in order
    const partials = new Float32Array(3 * m * n);
    for (let i = 0; i < m * n; i++) got[i] = c0[i];
    gemmBlocks(variant, partials.dataStart, a.dataStart, b.dataStart, m, n, k, 0, 1);
    gemmBlocks(variant, partials.dataStart, a.dataStart, b.dataStart, m, n, k, 1, 3);
    gemmFold(got.dataStart, partials.dataStart, m, n, 3, acc == 1, 0, 6);
    gemmFold(got.dataStart, partials.dataStart, m, n, 3, acc == 1, 6, 13);
    for (let i = 0; i < m * n; i++) expect(got[i]).toBe(want[i]);
  }
  // a batch of two products, each as the whole call computes it
  const a2 = reals(2 * m * k, 4), b2 = reals(2 * k * n, 5);
  const batch = new Float32Array(2 * m * n), one = new Float32Array(m * n);
  gemmBatch(variant, batch.dataStart, a2.dataStart, b2.dataStart, m, n, k, 2);
  for (let e = 0; e < 2; e++) {
    whole(variant, one.dataStart, a2.dataStart + <usize>(e * m * k * 4), b2.dataStart + <usize>(e * k * n * 4), m, n, k, false);
    for (let i = 0; i < m * n; i++) expect(batch[e * m * n + i]).toBe(one[i]);
  }
}

/** How many elements differ in their bits (one expect per product: as-pect's are slow). */
function differing(x: Float32Array, y: Float32Array): i32 {
  let d = 0;
  for (let i = 0; i < x.length; i++) if (reinterpret<u32>(x[i]) != reinterpret<u32>(y[i])) d++;
  return d;
}

// op(B) kept packed by gemmPanels (packed as the first call runs, read as
// it is by the next) must give the bits of the product that packs B itself
// (gemmNN, gemmNT), whole and in pieces.
function checkPanels(variant: i32): void {
  const ns: i32[] = [1, 7, 8, 9, 17, 300];
  const ks: i32[] = [1, 5, 300, 600];
  for (let x = 0; x < MS.length; x++) {
    for (let y = 0; y < ns.length; y++) {
      for (let z = 0; z < ks.length; z++) {
        const m = MS[x], n = ns[y], k = ks[z];
        const a = reals(m * k, m + n), b = reals(k * n, k), c0 = reals(m * n, 9);
        // k * ceil(n / 8) * 8 floats, and two sentinels past them that must survive packing
        const size = k * ((n + 7) / 8 * 8);
        const panels = new Float32Array(size + 2);
        panels[size] = 77;
        panels[size + 1] = 77;
        const want = new Float32Array(m * n), got = new Float32Array(m * n);
        whole(variant, want.dataStart, a.dataStart, b.dataStart, m, n, k, false);
        gemmPanels(got.dataStart, a.dataStart, panels.dataStart, m, n, k, b.dataStart, variant == 1);
        expect(differing(got, want)).toBe(0);
        expect(panels[size]).toBe(77);
        expect(panels[size + 1]).toBe(77);
        got.fill(5);
        gemmPanels(got.dataStart, a.dataStart, panels.dataStart, m, n, k, 0, false);
        expect(differing(got, want)).toBe(0);
        for (let acc = 0; acc < 2; acc++) {
          for (let i = 0; i < m * n; i++) want[i] = got[i] = c0[i];
          whole(variant, want.dataStart, a.dataStart, b.dataStart, m, n, k, acc == 1);
          // pieces: a single row, the other rows cut at a column multiple of 8 (orientation 3)
          const cut = min(8, n);
          gemmPart(3, got.dataStart, a.dataStart, panels.dataStart, m, n, k, acc == 1, 0, 1, 0, n);
          gemmPart(3, got.dataStart, a.dataStart, panels.dataStart, m, n, k, acc == 1, 1, m, 0, cut);
          gemmPart(3, got.dataStart, a.dataStart, panels.dataStart, m, n, k, acc == 1, 1, m, cut, n);
          expect(differing(got, want)).toBe(0);
          // the K blocks apart, then folded in order
          const blocks = (k + 255) / 256;
          const partials = new Float32Array(blocks * m * n);
          for (let i = 0; i < m * n; i++) got[i] = c0[i];
          gemmBlocks(3, partials.dataStart, a.dataStart, panels.dataStart, m, n, k, 0, blocks);
          gemmFold(got.dataStart, partials.dataStart, m, n, blocks, acc == 1, 0, m);
          expect(differing(got, want)).toBe(0);
        }
      }
    }
  }
}

describe("gemm", () => {
  test("gemmPanels packs k * ceil(n / 8) * 8 floats; packing and packed, whole, by gemmPart and by gemmBlocks (with accumulate), it gives the bits of gemmNN and gemmNT", () => {
    checkPanels(0);
    checkPanels(1);
  });
  test("gemmPart, gemmBlocks with gemmFold, and gemmBatch give the whole products' bits, in all three orientations", () => {
    checkPieces(0);
    checkPieces(1);
    checkPieces(2);
  });
  test("gemmNN equals the naive loop on integer inputs at every edge size, with and without accumulate", () => {
    checkAll(0);
  });
  test("gemmNT equals the naive loop on integer inputs at every edge size, with and without accumulate", () => {
    checkAll(1);
  });
  test("gemmTN equals the naive loop on integer inputs at every edge size, with and without accumulate", () => {
    checkAll(2);
  });
});
