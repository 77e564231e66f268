// The losses' kernels: one value per row (example), and their reverses,
// which take dl with one value per row. Softmax cross-entropy stays fused
// (log-softmax forward, one-pass reverse): composed from exp, sums and
// broadcasts it would read each row four times, and it runs once per
// training step on the widest layer. `npm run bench -- fused` measured the
// fused pair 1.24x (64 x 10) and 1.49x (64 x 1000) the composition.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { oncePerRow, sameSize } from "./checks.ts";
import { type Op, op } from "./op.ts";
import { type RefTensor, mapRef, perRowRef, rowsCols, sizeOf } from "./ref-tensor.ts";

const EPS = 1e-7;
const clampP = (p: number): number => Math.min(Math.max(p, EPS), 1 - EPS);

type RowKernel = "mse" | "crossEntropy" | "binaryCrossEntropy" | "rowDot";
type RowReverseKernel = "mseReverse" | "softmaxCrossEntropyReverse" | "binaryCrossEntropyReverse";

/** (a, b) -> one value per row: f of row r of a and b. */
function rowLoss(kernel: RowKernel, f: (a: Float64Array, b: Float64Array) => number): Op<[a: Value, b: Value]> {
  return op<[a: Value, b: Value]>({
    plan(p, a, b) {
      sameSize(kernel, a.shape, b.shape);
      const [rows, cols] = rowsCols(a.shape);
      const l = p.out([rows]);
      p.emit(kernel, () => p.core[kernel](l.offset, a.offset, b.offset, rows, cols), [a, b], [l]);
      return l;
    },
    reference(a, b) {
      sameSize(kernel, a.shape, b.shape);
      const cols = rowsCols(a.shape)[1];
      return perRowRef(a, (row, r) => f(row, b.data.subarray(r * cols, (r + 1) * cols)));
    },
  });
}

/** (a, b, dl) -> a change shaped like a: f of the values at i and the row's dl (and, for cross-entropy, the row). */
function rowLossReverse(kernel: RowReverseKernel, f: (a: number, b: number, dl: number, bRow: Float64Array) => number): Op<[a: Value, b: Value, dl: Value]> {
  return op<[a: Value, b: Value, dl: Value]>({
    plan(p, a, b, dl) {
      sameSize(kernel, a.shape, b.shape);
      oncePerRow(kernel, a.shape, dl.shape);
      const [rows, cols] = rowsCols(a.shape);
      const d = p.out(a.shape);
      p.emit(kernel, () => p.core[kernel](d.offset, a.offset, b.offset, dl.offset, rows, cols), [a, b, dl], [d]);
      return d;
    },
    reference(a, b, dl) {
      sameSize(kernel, a.shape, b.shape);
      oncePerRow(kernel, a.shape, dl.shape);
      const cols = rowsCols(a.shape)[1];
      return mapRef(a, (v, i) => {
        const r = Math.floor(i / cols);
        return f(v, b.data[i]!, dl.data[r]!, b.data.subarray(r * cols, (r + 1) * cols));
      });
    },
  });
}

const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);

/** Index labels: one per row of lp. */
function oneIndexPerRow(what: string, lp: Shape, labels: Shape): [rows: number, cols: number] {
  const [rows, cols] = rowsCols(lp);
  if (sizeOf(labels) !== rows) throw new ParalensError(`${what}: ${rows} rows of ${cols} classes but ${sizeOf(labels)} labels (${fmtShape(labels)})`);
  return [rows, cols];
}

/** The class of each row, refused unless a whole number in [0, cols), naming the row and value. */
function classesRef(what: string, labels: RefTensor, cols: number): number[] {
  return Array.from(labels.data, (v, r) => {
    if (!Number.isInteger(v) || v < 0 || v >= cols) throw new ParalensError(`${what}: label ${r} is ${v}; class indices are whole numbers in [0, ${cols})`);
    return v;
  });
}

export const lossOps = {
  /** <a, b> per row: the dot-product loss. */
  rowDot: rowLoss("rowDot", (a, b) => a.reduce((s, x, j) => s + x * b[j]!, 0)),
  /** out[r, :] = s dl[r] a[r, :]: the dot-product loss's reverse, and any per-row scaling. */
  rowScale: op<[a: Value, dl: Value, s: number]>({
    plan(p, a, dl, s) {
      oncePerRow("rowScale", a.shape, dl.shape);
      const [rows, cols] = rowsCols(a.shape);
      const d = p.out(a.shape);
      p.emit("rowScale", () => p.core.rowScale(d.offset, a.offset, dl.offset, s, rows, cols), [a, dl], [d]);
      return d;
    },
    reference(a, dl, s) {
      oncePerRow("rowScale", a.shape, dl.shape);
      const cols = rowsCols(a.shape)[1];
      return mapRef(a, (x, i) => s * dl.data[Math.floor(i / cols)]! * x);
    },
  }),
  /** 1/2 |y - t|^2 per row. */
  mse: rowLoss("mse", (y, t) => 0.5 * y.reduce((s, v, j) => s + (v - t[j]!) ** 2, 0)),
  mseReverse: rowLossReverse("mseReverse", (y, t, dl) => dl * (y - t)),
  /** -<t, lp> per row, given log-probabilities lp. */
  crossEntropy: rowLoss("crossEntropy", (lp, t) => -lp.reduce((s, v, j) => s + t[j]! * v, 0)),
  /** dl (softmax(z) sum(t) - t): the reverse of crossEntropy(logSoftmax(z), t) in z, from lp = logSoftmax(z). */
  softmaxCrossEntropyReverse: rowLossReverse("softmaxCrossEntropyReverse", (lp, t, dl, tRow) => dl * (Math.exp(lp) * sum(tRow) - t)),
  /**
   * -lp[r, labels[r]] per row: cross-entropy with class indices for labels. The kernel
   * reads an invalid index as a NaN loss (never out of the row); the reference refuses it.
   */
  indexCrossEntropy: op<[lp: Value, labels: Value]>({
    plan(p, lp, labels) {
      const [rows, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
      const l = p.out([rows]);
      p.emit("indexCrossEntropy", () => p.core.indexCrossEntropy(l.offset, lp.offset, labels.offset, rows, cols), [lp, labels], [l]);
      return l;
    },
    reference(lp, labels) {
      const [, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
      const c = classesRef("indexCrossEntropy", labels, cols);
      return perRowRef(lp, (row, r) => -row[c[r]!]!);
    },
    // -GatherElements(lp, labels) along the classes
    onnx(g, lp, labels) {
      const [rows, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
      const at = g.node("Cast", [g.reshape(labels, [rows, 1])], [rows, 1], { to: { int: 7 } }, "int64");
      const picked = g.node("GatherElements", [g.reshape(lp, [rows, cols]), at], [rows, 1], { axis: { int: 1 } });
      return g.reshape(g.node("Neg", [picked], [rows, 1]), [rows]);
    },
  }),
  /** dl (softmax(z) - [j == labels[r]]) from lp = logSoftmax(z): the reverse of indexCrossEntropy(logSoftmax(z), labels) in z. */
  indexCrossEntropyReverse: op<[lp: Value, labels: Value, dl: Value]>({
    plan(p, lp, labels, dl) {
      const [rows, cols] = oneIndexPerRow("indexCrossEntropyReverse", lp.shape, labels.shape);
      oncePerRow("indexCrossEntropyReverse", lp.shape, dl.shape);
      const d = p.out(lp.shape);
      p.emit("indexCrossEntropyReverse", () => p.core.indexCrossEntropyReverse(d.offset, lp.offset, labels.offset, dl.offset, rows, cols), [lp, labels, dl], [d]);
      return d;
    },
    reference(lp, labels, dl) {
      const [, cols] = oneIndexPerRow("indexCrossEntropyReverse", lp.shape, labels.shape);
      oncePerRow("indexCrossEntropyReverse", lp.shape, dl.shape);
      const c = classesRef("indexCrossEntropyReverse", labels, cols);
      return mapRef(lp, (v, i) => {
        const r = Math.floor(i / cols);
        return dl.data[r]! * (Math.exp(v) - (i - r * cols === c[r] ? 1 : 0));
      });
    },
  }),
  /** -sum t log p + (1 - t) log(1 - p) per row, p clamped to [1e-7, 1 - 1e-7]. */
  binaryCrossEntropy: rowLoss("binaryCrossEntropy", (p, t) =>
    -p.reduce((s, v, j) => s + t[j]! * Math.log(clampP(v)) + (1 - t[j]!) * Math.log(1 - clampP(v)), 0),
  ),
  binaryCrossEntropyReverse: rowLossReverse("binaryCrossEntropyReverse", (p, t, dl) => (dl * (clampP(p) - t)) / (clampP(p) * (1 - clampP(p)))),
  /** The reverse of binaryCrossEntropy in its label: dl (log(1 - p) - log p). */
  binaryCrossEntropyLabelReverse: op<[p: Value, dl: Value]>({
    plan(p, pv, dl) {
      oncePerRow("binaryCrossEntropyLabelReverse", pv.shape, dl.shape);
      const [rows, cols] = rowsCols(pv.shape);
      const d = p.out(pv.shape);
      p.emit("binaryCrossEntropyLabelReverse", () => p.core.binaryCrossEntropyLabelReverse(d.offset, pv.offset, dl.offset, rows, cols), [pv, dl], [d]);
      return d;
    },
    reference(pv, dl) {
      oncePerRow("binaryCrossEntropyLabelReverse", pv.shape, dl.shape);
      const cols = rowsCols(pv.shape)[1];
      return mapRef(pv, (v, i) => dl.data[Math.floor(i / cols)]! * (Math.log(1 - clampP(v)) - Math.log(clampP(v))));
    },
  }),
};
