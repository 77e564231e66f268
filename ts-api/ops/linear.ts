// Matrix products and the bias's two ops. The GEMM kernel comes in three
// orientations (assembly/gemm.ts), so the reverse pass never transposes
// anything in memory: x^T dy is gemmTN, dy W^T is gemmNT.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { type Lowerings, type References, planned } from "./op.ts";
import { mapRef, refTensor, rowsCols } from "./ref-tensor.ts";
import { packedProduct } from "./panels.ts";

/** [m, k, n] of op(a) op(b), checked. */
function productDims(what: string, a: Shape, b: Shape, transA: boolean, transB: boolean): [number, number, number] {
  if (transA && transB) throw new ParalensError(`${what}: transposing both operands is not supported`);
  const [m, k] = transA ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [k2, n] = transB ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== k2) throw new ParalensError(`${what}: inner sizes differ: ${fmtShape(a)}${transA ? "^T" : ""} x ${fmtShape(b)}${transB ? "^T" : ""}`);
  return [m, k, n];
}

function matrices(a: Shape, b: Shape, transA: boolean, transB: boolean): [number, number, number] {
  if (a.length !== 2 || b.length !== 2) throw new ParalensError(`matmul: needs matrices, got ${fmtShape(a)} and ${fmtShape(b)}`);
  return productDims("matmul", a, b, transA, transB);
}

/** [count, m, k, n] of a batch of products, checked. */
function batches(a: Shape, b: Shape, transA: boolean, transB: boolean): [number, number, number, number] {
  if (a.length !== 3 || b.length !== 3 || a[0] !== b[0]) {
    throw new ParalensError(`batchMatmul: needs two batches of matrices [N, rows, cols], got ${fmtShape(a)} and ${fmtShape(b)}`);
  }
  return [a[0]!, ...productDims("batchMatmul", a.slice(1), b.slice(1), transA, transB)];
}

/** c[e] = op(a[e]) op(b[e]) for e < count, with strides ma, mb between the matrices (0: one matrix for all). */
function productsRef(a: Float64Array, b: Float64Array, count: number, m: number, k: number, n: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(count * m * n);
  for (let e = 0; e < count; e++) {
    const [oa, ob] = [e * m * k, e * k * n];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[oa + (tA ? q * m + i : i * k + q)]! * b[ob + (tB ? j * k + q : q * n + j)]!;
        c[e * m * n + i * n + j] = s;
      }
    }
  }
  return c;
}

export const linearOps = {
  /** op(a) op(b): a is m x k (k x m if transA), b is k x n (n x k if transB). */
  matmul: planned<[a: Value, b: Value, transA: boolean, transB: boolean]>({
    plan(p, a, b, transA, transB) {
      const [m, k, n] = matrices(a.shape, b.shape, transA, transB);
      const c = p.out([m, n]);
      const name = transA ? "gemmTN" : transB ? "gemmNT" : "gemmNN";
      // a weight of a plan that only predicts: its panels packed once
      if (transA || !packedProduct(p, c, a, b, m, n, k, transB)) p.emit(name, () => p.core[name](c.offset, a.offset, b.offset, m, n, k, 0), [a, b], [c]);
      return c;
    },
  }),

  /** One product per example: a is [N, m, k] ([N, k, m] if transA), b is [N, k, n] ([N, n, k] if transB); the result is [N, m, n]. */
  batchMatmul: planned<[a: Value, b: Value, transA: boolean, transB: boolean]>({
    plan(p, a, b, transA, transB) {
      const [count, m, k, n] = batches(a.shape, b.shape, transA, transB);
      const c = p.out([count, m, n]);
      const orientation = transA ? 2 : transB ? 1 : 0;
      p.emit("gemmBatch", () => p.core.gemmBatch(orientation, c.offset, a.offset, b.offset, m, n, k, count), [a, b], [c]);
      return c;
    },
  }),

  /** x (rows x cols) plus b (cols) on every row. */
  addRowVector: planned<[x: Value, b: Value]>({
    plan(p, x, b) {
      const [rows, cols] = rowVector(x.shape, b.shape);
      const y = p.out(x.shape);
      p.emit("addRowVector", () => p.core.addRowVector(y.offset, x.offset, b.offset, rows, cols), [x, b], [y]);
      return y;
    },
  }),

  /** The sum of the rows of x (rows x cols): shape x.shape without its first axis. */
  sumRows: planned<[x: Value]>({
    plan(p, x) {
      const [rows, cols] = rowsCols(x.shape);
      const y = p.out(x.shape.slice(1));
      p.emit("sumRows", () => p.core.sumRows(y.offset, x.offset, rows, cols), [x], [y]);
      return y;
    },
  }),
};

export const linearReferences: References<typeof linearOps> = {
  matmul(a, b, transA, transB) {
    const [m, k, n] = matrices(a.shape, b.shape, transA, transB);
    return { shape: [m, n], data: productsRef(a.data, b.data, 1, m, k, n, transA, transB) };
  },
  batchMatmul(a, b, transA, transB) {
    const [count, m, k, n] = batches(a.shape, b.shape, transA, transB);
    return { shape: [count, m, n], data: productsRef(a.data, b.data, count, m, k, n, transA, transB) };
  },
  addRowVector(x, b) {
    const cols = rowVector(x.shape, b.shape)[1];
    return mapRef(x, (v, i) => v + b.data[i % cols]!);
  },
  sumRows(x) {
    const [rows, cols] = rowsCols(x.shape);
    const out = refTensor(x.shape.slice(1));
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out.data[j] = out.data[j]! + x.data[r * cols + j]!;
    return out;
  },
};

export const linearLowerings: Lowerings<typeof linearOps> = {
  matmul(g, a, b, transA, transB) {
    const [m, , n] = matrices(a.shape, b.shape, transA, transB);
    if (!transA && !transB) return g.node("MatMul", [a, b], [m, n]);
    return g.node("Gemm", [a, b], [m, n], { transA: { int: transA ? 1 : 0 }, transB: { int: transB ? 1 : 0 } });
  },
  batchMatmul(g, a, b, transA, transB) {
    const [count, m, , n] = batches(a.shape, b.shape, transA, transB);
    const t = (x: typeof a, yes: boolean): typeof a => (yes ? g.transpose(x, [0, 2, 1]) : x);
    return g.node("MatMul", [t(a, transA), t(b, transB)], [count, m, n]);
  },
  addRowVector(g, x, b) {
    rowVector(x.shape, b.shape);
    return g.node("Add", [x, g.reshape(b, x.shape.slice(1))], x.shape);
  },
  sumRows: (g, x) => g.node("ReduceSum", [x, g.int64s([0])], x.shape.slice(1), { keepdims: { int: 0 } }),
};

function rowVector(x: Shape, b: Shape): [number, number] {
  const [rows, cols] = rowsCols(x);
  if (b.reduce((s, d) => s * d, 1) !== cols) throw new ParalensError(`addRowVector: rows of ${fmtShape(x)} and vector ${fmtShape(b)} differ`);
  return [rows, cols];
}
