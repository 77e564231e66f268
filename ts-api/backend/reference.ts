// The float64 reference backend: every primitive as the plainest loop that
// computes it, evaluated at once. Tests run the same lenses here and on the
// wasm plans and compare; its reverse passes are checked against finite
// differences. Not built for speed.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { type Activation, type RealOps, batchDims, rowsCols } from "./ops.ts";
import { convReference } from "./conv/reference.ts";

/** A float64 tensor of the reference backend. */
export interface RefTensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
const R = (v: Value): RefTensor => v as unknown as RefTensor;
const V = (t: RefTensor): Value => t as unknown as Value;

/** Wraps values as a reference tensor (copying them into a Float64Array). */
export function refTensor(shape: Shape, values?: ArrayLike<number>): RefTensor {
  const data = new Float64Array(size(shape));
  if (values !== undefined) {
    if (values.length !== data.length) throw new ParalensError(`refTensor ${fmtShape(shape)}: expected ${data.length} values, got ${values.length}`);
    data.set(values);
  }
  return { shape: [...shape], data };
}

function map(a: RefTensor, f: (x: number, i: number) => number): Value {
  const out = refTensor(a.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[i]!, i);
  return V(out);
}

function perRow(a: RefTensor, f: (row: Float64Array, r: number) => number): Value {
  const [rows, cols] = rowsCols(a.shape);
  const out = refTensor([rows]);
  for (let r = 0; r < rows; r++) out.data[r] = f(a.data.subarray(r * cols, (r + 1) * cols), r);
  return V(out);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const EPS = 1e-7;
const clampP = (p: number): number => Math.min(Math.max(p, EPS), 1 - EPS);

function logSoftmaxRow(x: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  return x.map((v) => v - lse);
}

export const reference: RealOps = {
  shape: (v) => R(v).shape,
  add: (a, b) => map(R(a), (x, i) => x + R(b).data[i]!),
  zeros: (shape) => V(refTensor(shape)),
  reshape: (x, shape) => {
    if (size(shape) !== R(x).data.length) throw new ParalensError(`reshape: ${fmtShape(R(x).shape)} to ${fmtShape(shape)}`);
    return V({ shape: [...shape], data: R(x).data });
  },

  matmul(av, bv, transA, transB) {
    const [a, b] = [R(av), R(bv)];
    const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const n = transB ? b.shape[0]! : b.shape[1]!;
    const A = (i: number, p: number): number => (transA ? a.data[p * m + i]! : a.data[i * k + p]!);
    const B = (p: number, j: number): number => (transB ? b.data[j * k + p]! : b.data[p * n + j]!);
    const c = refTensor([m, n]);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
        c.data[i * n + j] = s;
      }
    }
    return V(c);
  },
  addRowVector: (x, b) => {
    const cols = R(b).data.length;
    return map(R(x), (v, i) => v + R(b).data[i % cols]!);
  },
  sumRows(xv) {
    const x = R(xv);
    const [rows, cols] = rowsCols(x.shape);
    const out = refTensor(x.shape.slice(1));
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out.data[j] = out.data[j]! + x.data[r * cols + j]!;
    return V(out);
  },
  scale: (a, s) => map(R(a), (x) => s * x),
  addScaled: (a, b, s) => map(R(a), (x, i) => x + s * R(b).data[i]!),
  fill: (shape, value) => V({ shape: [...shape], data: new Float64Array(size(shape)).fill(value) }),

  activation(f: Activation, x, alpha) {
    if (f === "sigmoid") return map(R(x), sigmoid);
    if (f === "tanh") return map(R(x), Math.tanh);
    if (f === "relu") return map(R(x), (v) => Math.max(v, 0));
    return map(R(x), (v) => (v > 0 ? v : alpha * v));
  },
  activationReverse(f: Activation, u, dy, alpha) {
    const g = R(dy).data;
    if (f === "sigmoid") return map(R(u), (y, i) => g[i]! * y * (1 - y));
    if (f === "tanh") return map(R(u), (y, i) => g[i]! * (1 - y * y));
    if (f === "relu") return map(R(u), (x, i) => (x > 0 ? g[i]! : 0));
    return map(R(u), (x, i) => (x > 0 ? g[i]! : alpha * g[i]!));
  },
  softmax(xv) {
    const x = R(xv);
    const [rows, cols] = rowsCols(x.shape);
    const out = refTensor(x.shape);
    for (let r = 0; r < rows; r++) {
      const lp = logSoftmaxRow(x.data.subarray(r * cols, (r + 1) * cols));
      for (let j = 0; j < cols; j++) out.data[r * cols + j] = Math.exp(lp[j]!);
    }
    return V(out);
  },
  softmaxReverse(yv, dyv) {
    const [y, dy] = [R(yv), R(dyv)];
    const [rows, cols] = rowsCols(y.shape);
    const out = refTensor(y.shape);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += y.data[r * cols + j]! * dy.data[r * cols + j]!;
      for (let j = 0; j < cols; j++) out.data[r * cols + j] = y.data[r * cols + j]! * (dy.data[r * cols + j]! - dot);
    }
    return V(out);
  },
  logSoftmax(xv) {
    const x = R(xv);
    const [rows, cols] = rowsCols(x.shape);
    const out = refTensor(x.shape);
    for (let r = 0; r < rows; r++) out.data.set(logSoftmaxRow(x.data.subarray(r * cols, (r + 1) * cols)), r * cols);
    return V(out);
  },

  rowScale(av, dlv, s) {
    const [rows, cols] = rowsCols(R(av).shape);
    void rows;
    return map(R(av), (x, i) => s * R(dlv).data[Math.floor(i / cols)]! * x);
  },
  rowDot(av, bv) {
    const cols = rowsCols(R(av).shape)[1];
    return perRow(R(av), (row, r) => row.reduce((s, x, j) => s + x * R(bv).data[r * cols + j]!, 0));
  },
  mse(yv, tv) {
    const cols = rowsCols(R(yv).shape)[1];
    return perRow(R(yv), (row, r) => 0.5 * row.reduce((s, y, j) => s + (y - R(tv).data[r * cols + j]!) ** 2, 0));
  },
  mseReverse(yv, tv, dlv) {
    const cols = rowsCols(R(yv).shape)[1];
    return map(R(yv), (y, i) => R(dlv).data[Math.floor(i / cols)]! * (y - R(tv).data[i]!));
  },
  crossEntropy(lpv, tv) {
    const cols = rowsCols(R(lpv).shape)[1];
    return perRow(R(lpv), (row, r) => -row.reduce((s, lp, j) => s + R(tv).data[r * cols + j]! * lp, 0));
  },
  softmaxCrossEntropyReverse(lpv, tv, dlv) {
    const [lp, t, dl] = [R(lpv), R(tv), R(dlv)];
    const [rows, cols] = rowsCols(lp.shape);
    const out = refTensor(lp.shape);
    for (let r = 0; r < rows; r++) {
      let mass = 0;
      for (let j = 0; j < cols; j++) mass += t.data[r * cols + j]!;
      for (let j = 0; j < cols; j++) {
        const i = r * cols + j;
        out.data[i] = dl.data[r]! * (Math.exp(lp.data[i]!) * mass - t.data[i]!);
      }
    }
    return V(out);
  },
  binaryCrossEntropy(pv, tv) {
    const cols = rowsCols(R(pv).shape)[1];
    return perRow(R(pv), (row, r) =>
      -row.reduce((s, p, j) => {
        const [q, u] = [clampP(p), R(tv).data[r * cols + j]!];
        return s + u * Math.log(q) + (1 - u) * Math.log(1 - q);
      }, 0),
    );
  },
  binaryCrossEntropyReverse(pv, tv, dlv) {
    const cols = rowsCols(R(pv).shape)[1];
    return map(R(pv), (p, i) => {
      const q = clampP(p);
      return (R(dlv).data[Math.floor(i / cols)]! * (q - R(tv).data[i]!)) / (q * (1 - q));
    });
  },
  binaryCrossEntropyLabelReverse(pv, dlv) {
    const cols = rowsCols(R(pv).shape)[1];
    return map(R(pv), (p, i) => R(dlv).data[Math.floor(i / cols)]! * (Math.log(1 - clampP(p)) - Math.log(clampP(p))));
  },

  sgdStep: (p, d) => map(R(p), (x, i) => x + R(d).data[i]!),
  momentumStep(sv, pv, dv, gamma) {
    const s = map(R(sv), (x, i) => gamma * x + R(dv).data[i]!);
    return [s, map(R(pv), (x, i) => x + R(s).data[i]!)];
  },
  adagradStep(gv, pv, dv, lr, delta) {
    const d = R(dv).data;
    const g = map(R(gv), (x, i) => x + d[i]! * d[i]!);
    return [g, map(R(pv), (x, i) => x + (lr * d[i]!) / (delta + Math.sqrt(R(g).data[i]!)))];
  },
  rmspropStep(vv, pv, dv, lr, rho, delta) {
    const d = R(dv).data;
    const v = map(R(vv), (x, i) => rho * x + (1 - rho) * d[i]! * d[i]!);
    return [v, map(R(pv), (x, i) => x + (lr * d[i]!) / (delta + Math.sqrt(R(v).data[i]!)))];
  },
  adamStep(mv, vv, tv, pv, dv, lr, b1, b2, delta) {
    const d = R(dv).data;
    const t = R(tv).data[0]! + 1;
    const m = map(R(mv), (x, i) => b1 * x + (1 - b1) * d[i]!);
    const v = map(R(vv), (x, i) => b2 * x + (1 - b2) * d[i]! * d[i]!);
    const [c1, c2] = [1 - b1 ** t, 1 - b2 ** t];
    const p = map(R(pv), (x, i) => x + (lr * (R(m).data[i]! / c1)) / (delta + Math.sqrt(R(v).data[i]! / c2)));
    return [m, v, V(refTensor([1], [t])), p];
  },

  // ---- products of wires, slices and tying maps -------------------------------

  mul: (a, b) => map(R(a), (x, i) => x * R(b).data[i]!),
  concatColumns(parts, shape) {
    const [rows, cols] = rowsCols(shape);
    const out = refTensor(shape);
    let from = 0;
    for (const pv of parts) {
      const p = R(pv);
      const w = rowsCols(p.shape)[1];
      if (rowsCols(p.shape)[0] !== rows) throw new ParalensError(`concatColumns: ${fmtShape(p.shape)} does not have ${rows} rows`);
      for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out.data[r * cols + from + j] = p.data[r * w + j]!;
      from += w;
    }
    if (from !== cols) throw new ParalensError(`concatColumns: parts of ${from} columns do not make ${fmtShape(shape)}`);
    return V(out);
  },
  sliceColumns(xv, from, width, shape) {
    const x = R(xv);
    const [rows, cols] = rowsCols(x.shape);
    if (from < 0 || width < 0 || from + width > cols || size(shape) !== rows * width) {
      throw new ParalensError(`sliceColumns: columns [${from}, ${from + width}) of ${fmtShape(x.shape)} as ${fmtShape(shape)}`);
    }
    const out = refTensor(shape);
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out.data[r * width + j] = x.data[r * cols + from + j]!;
    return V(out);
  },
  gather(xv, index, shape) {
    const x = R(xv);
    if (size(shape) !== index.length) throw new ParalensError(`gather: an index of ${index.length} entries cannot make ${fmtShape(shape)}`);
    const out = refTensor(shape);
    for (let t = 0; t < index.length; t++) out.data[t] = index[t]! < 0 ? 0 : x.data[index[t]!]!;
    return V(out);
  },
  scatterAdd(dv, index, shape) {
    const d = R(dv);
    const out = refTensor(shape);
    for (let t = 0; t < index.length; t++) if (index[t]! >= 0) out.data[index[t]!] = out.data[index[t]!]! + d.data[t]!;
    return V(out);
  },
  batchMatmul(av, bv, transA, transB) {
    const [a, b] = [R(av), R(bv)];
    const [count, m, k, n] = batchDims(a.shape, b.shape, transA, transB);
    const c = refTensor([count, m, n]);
    for (let e = 0; e < count; e++) {
      const A = (i: number, p: number): number => a.data[e * m * k + (transA ? p * m + i : i * k + p)]!;
      const B = (p: number, j: number): number => b.data[e * k * n + (transB ? j * k + p : p * n + j)]!;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
          c.data[e * m * n + i * n + j] = s;
        }
      }
    }
    return V(c);
  },
  // convolution and pooling
  ...convReference,
};
