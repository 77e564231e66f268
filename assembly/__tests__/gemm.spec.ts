import { gemmNN, gemmNT, gemmTN } from "../gemm";

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

describe("gemm", () => {
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
