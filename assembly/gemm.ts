// General matrix multiply, row-major f32: C (m x n) = op(A) * op(B), or C += ...
//
//   gemmNN: A is m x k, B is k x n        (a dense layer's forward pass)
//   gemmNT: A is m x k, B is n x k        (its input gradient: dY * W^T)
//   gemmTN: A is k x m, B is k x n        (its weight gradient: X^T * dY)
//
// The transposed variants read the operands in place; no transpose is ever
// materialised. Summation order is fixed by (m, n, k) alone, so results are
// deterministic: gemmNN and gemmTN add the k products in increasing p; gemmNT
// keeps four interleaved partial sums (p mod 4) and adds them in a fixed order.
import { madd, at } from "./simd";

/** C (m x n) = A (m x k) * B (k x n); with accumulate, C += A * B. */
export function gemmNN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  // Row i of C is the sum over p of A[i,p] * (row p of B): a broadcast times
  // a contiguous row, four rows of C at a time so each B row is loaded once.
  const n4 = n & ~3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = at(c, i * n), c1 = at(c, (i + 1) * n), c2 = at(c, (i + 2) * n), c3 = at(c, (i + 3) * n);
    const a0 = at(a, i * k), a1 = at(a, (i + 1) * k), a2 = at(a, (i + 2) * k), a3 = at(a, (i + 3) * k);
    let j = 0;
    for (; j < n4; j += 4) {
      let s0 = accumulate ? v128.load(at(c0, j)) : f32x4.splat(0);
      let s1 = accumulate ? v128.load(at(c1, j)) : f32x4.splat(0);
      let s2 = accumulate ? v128.load(at(c2, j)) : f32x4.splat(0);
      let s3 = accumulate ? v128.load(at(c3, j)) : f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const bv = v128.load(at(b, p * n + j));
        s0 = madd(f32x4.splat(load<f32>(at(a0, p))), bv, s0);
        s1 = madd(f32x4.splat(load<f32>(at(a1, p))), bv, s1);
        s2 = madd(f32x4.splat(load<f32>(at(a2, p))), bv, s2);
        s3 = madd(f32x4.splat(load<f32>(at(a3, p))), bv, s3);
      }
      v128.store(at(c0, j), s0);
      v128.store(at(c1, j), s1);
      v128.store(at(c2, j), s2);
      v128.store(at(c3, j), s3);
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) {
        const ar = at(a, (i + r) * k);
        let s: f32 = accumulate ? load<f32>(at(c, (i + r) * n + j)) : 0;
        for (let p = 0; p < k; p++) s += load<f32>(at(ar, p)) * load<f32>(at(b, p * n + j));
        store<f32>(at(c, (i + r) * n + j), s);
      }
    }
  }
  for (; i < m; i++) {
    const ci = at(c, i * n), ai = at(a, i * k);
    let j = 0;
    for (; j < n4; j += 4) {
      let s = accumulate ? v128.load(at(ci, j)) : f32x4.splat(0);
      for (let p = 0; p < k; p++) s = madd(f32x4.splat(load<f32>(at(ai, p))), v128.load(at(b, p * n + j)), s);
      v128.store(at(ci, j), s);
    }
    for (; j < n; j++) {
      let s: f32 = accumulate ? load<f32>(at(ci, j)) : 0;
      for (let p = 0; p < k; p++) s += load<f32>(at(ai, p)) * load<f32>(at(b, p * n + j));
      store<f32>(at(ci, j), s);
    }
  }
}

/** C (m x n) = A^T * B with A stored k x m and B k x n; with accumulate, C += A^T * B. */
export function gemmTN(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  // Column i of A^T is row-strided; element (p, i) of A sits at p*m + i.
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const ci = at(c, i * n);
    let j = 0;
    for (; j < n4; j += 4) {
      let s = accumulate ? v128.load(at(ci, j)) : f32x4.splat(0);
      for (let p = 0; p < k; p++) s = madd(f32x4.splat(load<f32>(at(a, p * m + i))), v128.load(at(b, p * n + j)), s);
      v128.store(at(ci, j), s);
    }
    for (; j < n; j++) {
      let s: f32 = accumulate ? load<f32>(at(ci, j)) : 0;
      for (let p = 0; p < k; p++) s += load<f32>(at(a, p * m + i)) * load<f32>(at(b, p * n + j));
      store<f32>(at(ci, j), s);
    }
  }
}

/** C (m x n) = A * B^T with A stored m x k and B n x k; with accumulate, C += A * B^T. */
export function gemmNT(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, accumulate: bool): void {
  // Each output is the dot product of two contiguous rows.
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const ai = at(a, i * k), ci = at(c, i * n);
    for (let j = 0; j < n; j++) {
      const bj = at(b, j * k);
      let v = f32x4.splat(0);
      let p = 0;
      for (; p < k4; p += 4) v = madd(v128.load(at(ai, p)), v128.load(at(bj, p)), v);
      const t = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
      let s: f32 = f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
      for (; p < k; p++) s += load<f32>(at(ai, p)) * load<f32>(at(bj, p));
      if (accumulate) s += load<f32>(at(ci, j));
      store<f32>(at(ci, j), s);
    }
  }
}
