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
import { type Lowerings, type PlannedOp, type References, planned } from "./op.ts";
import { type RefTensor, mapRef, perRowRef, rowsCols, sizeOf } from "./ref-tensor.ts";

const EPS = 1e-7;
const clampP = (p: number): number => Math.min(Math.max(p, EPS), 1 - EPS);

type RowKernel = "mse" | "crossEntropy" | "binaryCrossEntropy" | "rowDot";
type RowReverseKernel = "mseReverse" | "softmaxCrossEntropyReverse" | "binaryCrossEntropyReverse";

/** (a, b) -> one value per row: f of row r of a and b. */
function rowLoss(kernel: RowKernel): PlannedOp<[a: Value, b: Value]> {
  return planned<[a: Value, b: Value]>({
    plan(p, a, b) {
      sameSize(kernel, a.shape, b.shape);
      const [rows, cols] = rowsCols(a.shape);
      const l = p.out([rows]);
      p.emit(kernel, () => p.core[kernel](l.offset, a.offset, b.offset, rows, cols), [a, b], [l]);
      return l;
    },
  });
}

/** The float64 reference of rowLoss(kernel): f of row r of a and b. */
function rowLossReference(kernel: RowKernel, f: (a: Float64Array, b: Float64Array) => number): (a: RefTensor, b: RefTensor) => RefTensor {
  return (a, b) => {
    sameSize(kernel, a.shape, b.shape);
    const cols = rowsCols(a.shape)[1];
    return perRowRef(a, (row, r) => f(row, b.data.subarray(r * cols, (r + 1) * cols)));
  };
}

/** (a, b, dl) -> a change shaped like a, with dl one value per row. */
function rowLossReverse(kernel: RowReverseKernel): PlannedOp<[a: Value, b: Value, dl: Value]> {
  return planned<[a: Value, b: Value, dl: Value]>({
    plan(p, a, b, dl) {
      sameSize(kernel, a.shape, b.shape);
      oncePerRow(kernel, a.shape, dl.shape);
      const [rows, cols] = rowsCols(a.shape);
      const d = p.out(a.shape);
      p.emit(kernel, () => p.core[kernel](d.offset, a.offset, b.offset, dl.offset, rows, cols), [a, b, dl], [d]);
      return d;
    },
  });
}

/** The float64 reference of rowLossReverse(kernel): f of the values at i and the row's dl (and, for cross-entropy, the row). */
function rowLossReverseReference(
  kernel: RowReverseKernel,
  f: (a: number, b: number, dl: number, bRow: Float64Array) => number,
): (a: RefTensor, b: RefTensor, dl: RefTensor) => RefTensor {
  return (a, b, dl) => {
    sameSize(kernel, a.shape, b.shape);
    oncePerRow(kernel, a.shape, dl.shape);
    const cols = rowsCols(a.shape)[1];
    return mapRef(a, (v, i) => {
      const r = Math.floor(i / cols);
      return f(v, b.data[i]!, dl.data[r]!, b.data.subarray(r * cols, (r + 1) * cols));
    });
  };
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
  rowDot: rowLoss("rowDot"),
  /** out[r, :] = s dl[r] a[r, :]: the dot-product loss's reverse, and any per-row scaling. */
  rowScale: planned<[a: Value, dl: Value, s: number]>({
    plan(p, a, dl, s) {
      oncePerRow("rowScale", a.shape, dl.shape);
      const [rows, cols] = rowsCols(a.shape);
      const d = p.out(a.shape);
      p.emit("rowScale", () => p.core.rowScale(d.offset, a.offset, dl.offset, s, rows, cols), [a, dl], [d]);
      return d;
    },
  }),
  /** 1/2 |y - t|^2 per row. */
  mse: rowLoss("mse"),
  mseReverse: rowLossReverse("mseReverse"),
  /** -<t, lp> per row, given log-probabilities lp. */
  crossEntropy: rowLoss("crossEntropy"),
  /** dl (softmax(z) sum(t) - t): the reverse of crossEntropy(logSoftmax(z), t) in z, from lp = logSoftmax(z). */
  softmaxCrossEntropyReverse: rowLossReverse("softmaxCrossEntropyReverse"),
  /**
   * -lp[r, labels[r]] per row: cross-entropy with class indices for labels. The kernel
   * reads an invalid index as a NaN loss (never out of the row); the reference refuses it.
   */
  indexCrossEntropy: planned<[lp: Value, labels: Value]>({
    plan(p, lp, labels) {
      const [rows, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
      const l = p.out([rows]);
      p.emit("indexCrossEntropy", () => p.core.indexCrossEntropy(l.offset, lp.offset, labels.offset, rows, cols), [lp, labels], [l]);
      return l;
    },
  }),
  /** dl (softmax(z) - [j == labels[r]]) from lp = logSoftmax(z): the reverse of indexCrossEntropy(logSoftmax(z), labels) in z. */
  indexCrossEntropyReverse: planned<[lp: Value, labels: Value, dl: Value]>({
    plan(p, lp, labels, dl) {
      const [rows, cols] = oneIndexPerRow("indexCrossEntropyReverse", lp.shape, labels.shape);
      oncePerRow("indexCrossEntropyReverse", lp.shape, dl.shape);
      const d = p.out(lp.shape);
      p.emit("indexCrossEntropyReverse", () => p.core.indexCrossEntropyReverse(d.offset, lp.offset, labels.offset, dl.offset, rows, cols), [lp, labels, dl], [d]);
      return d;
    },
  }),
  /** -sum t log p + (1 - t) log(1 - p) per row, p clamped to [1e-7, 1 - 1e-7]. */
  binaryCrossEntropy: rowLoss("binaryCrossEntropy"),
  binaryCrossEntropyReverse: rowLossReverse("binaryCrossEntropyReverse"),
  /** The reverse of binaryCrossEntropy in its label: dl (log(1 - p) - log p). */
  binaryCrossEntropyLabelReverse: planned<[p: Value, dl: Value]>({
    plan(p, pv, dl) {
      oncePerRow("binaryCrossEntropyLabelReverse", pv.shape, dl.shape);
      const [rows, cols] = rowsCols(pv.shape);
      const d = p.out(pv.shape);
      p.emit("binaryCrossEntropyLabelReverse", () => p.core.binaryCrossEntropyLabelReverse(d.offset, pv.offset, dl.offset, rows, cols), [pv, dl], [d]);
      return d;
    },
  }),
};

export const lossReferences: References<typeof lossOps> = {
  rowDot: /* @__PURE__ */ rowLossReference("rowDot", (a, b) => a.reduce((s, x, j) => s + x * b[j]!, 0)),
  rowScale(a, dl, s) {
    oncePerRow("rowScale", a.shape, dl.shape);
    const cols = rowsCols(a.shape)[1];
    return mapRef(a, (x, i) => s * dl.data[Math.floor(i / cols)]! * x);
  },
  mse: /* @__PURE__ */ rowLossReference("mse", (y, t) => 0.5 * y.reduce((s, v, j) => s + (v - t[j]!) ** 2, 0)),
  mseReverse: /* @__PURE__ */ rowLossReverseReference("mseReverse", (y, t, dl) => dl * (y - t)),
  crossEntropy: /* @__PURE__ */ rowLossReference("crossEntropy", (lp, t) => -lp.reduce((s, v, j) => s + t[j]! * v, 0)),
  softmaxCrossEntropyReverse: /* @__PURE__ */ rowLossReverseReference("softmaxCrossEntropyReverse", (lp, t, dl, tRow) => dl * (Math.exp(lp) * sum(tRow) - t)),
  indexCrossEntropy(lp, labels) {
    const [, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
    const c = classesRef("indexCrossEntropy", labels, cols);
    return perRowRef(lp, (row, r) => -row[c[r]!]!);
  },
  indexCrossEntropyReverse(lp, labels, dl) {
    const [, cols] = oneIndexPerRow("indexCrossEntropyReverse", lp.shape, labels.shape);
    oncePerRow("indexCrossEntropyReverse", lp.shape, dl.shape);
    const c = classesRef("indexCrossEntropyReverse", labels, cols);
    return mapRef(lp, (v, i) => {
      const r = Math.floor(i / cols);
      return dl.data[r]! * (Math.exp(v) - (i - r * cols === c[r] ? 1 : 0));
    });
  },
  binaryCrossEntropy: /* @__PURE__ */ rowLossReference("binaryCrossEntropy", (p, t) =>
    -p.reduce((s, v, j) => s + t[j]! * Math.log(clampP(v)) + (1 - t[j]!) * Math.log(1 - clampP(v)), 0),
  ),
  binaryCrossEntropyReverse: /* @__PURE__ */ rowLossReverseReference("binaryCrossEntropyReverse", (p, t, dl) => (dl * (clampP(p) - t)) / (clampP(p) * (1 - clampP(p)))),
  binaryCrossEntropyLabelReverse(pv, dl) {
    oncePerRow("binaryCrossEntropyLabelReverse", pv.shape, dl.shape);
    const cols = rowsCols(pv.shape)[1];
    return mapRef(pv, (v, i) => dl.data[Math.floor(i / cols)]! * (Math.log(1 - clampP(v)) - Math.log(clampP(v))));
  },
};


export const lossLowerings: Lowerings<typeof lossOps> = {
  // -GatherElements(lp, labels) along the classes
  indexCrossEntropy(g, lp, labels) {
    const [rows, cols] = oneIndexPerRow("indexCrossEntropy", lp.shape, labels.shape);
    const at = g.node("Cast", [g.reshape(labels, [rows, 1])], [rows, 1], { to: { int: 7 } }, "int64");
    const picked = g.node("GatherElements", [g.reshape(lp, [rows, cols]), at], [rows, 1], { axis: { int: 1 } });
    return g.reshape(g.node("Neg", [picked], [rows, 1]), [rows]);
  },
};
