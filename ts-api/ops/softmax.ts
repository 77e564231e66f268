// Softmax over each row (example), its reverse, and log-softmax (the stable
// half of softmax cross-entropy). Fused kernels: a row is read once for the
// maximum and once for the sum, where composed ops would make four passes.
import type { Value } from "../algebra/category.ts";
import { sameSize } from "./checks.ts";
import { type Lowerings, type References, planned } from "./op.ts";
import type { AnyShape } from "../algebra/para.ts";
import { pointwise } from "./pointwise.ts";
import { type RefTensor, refTensor, rowsCols } from "./ref-tensor.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";

function logSoftmaxRow(x: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  return x.map((v) => v - lse);
}

function byRows(x: RefTensor, f: (row: Float64Array) => Float64Array): RefTensor {
  const [rows, cols] = rowsCols(x.shape);
  const out = refTensor(x.shape);
  for (let r = 0; r < rows; r++) out.data.set(f(x.data.subarray(r * cols, (r + 1) * cols)), r * cols);
  return out;
}

function rowwise(name: "softmax" | "logSoftmax") {
  return planned<[x: Value]>({
    plan(p, x) {
      const [rows, cols] = rowsCols(x.shape);
      const y = p.out(x.shape);
      p.emit(name, () => p.core[name](y.offset, x.offset, rows, cols), [x], [y]);
      return y;
    },
  });
}

export const softmaxOps = {
  /** y = softmax of each row: e^x / sum e^x, computed as e^(x - max). */
  softmax: rowwise("softmax"),
  /** x - log sum e^x of each row. */
  logSoftmax: rowwise("logSoftmax"),
  /** dx = y (dy - <dy, y>) per row. */
  softmaxReverse: planned<[y: Value, dy: Value]>({
    plan(p, y, dy) {
      sameSize("softmaxReverse", y.shape, dy.shape);
      const [rows, cols] = rowsCols(y.shape);
      const dx = p.out(y.shape);
      p.emit("softmaxReverse", () => p.core.softmaxReverse(dx.offset, y.offset, dy.offset, rows, cols), [y, dy], [dx]);
      return dx;
    },
  }),
};

export const softmaxReferences: References<typeof softmaxOps> = {
  softmax: (x) => byRows(x, (row) => logSoftmaxRow(row).map(Math.exp)),
  logSoftmax: (x) => byRows(x, logSoftmaxRow),
  softmaxReverse(y, dy) {
    sameSize("softmaxReverse", y.shape, dy.shape);
    const [rows, cols] = rowsCols(y.shape);
    const out = refTensor(y.shape);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += y.data[r * cols + j]! * dy.data[r * cols + j]!;
      for (let j = 0; j < cols; j++) out.data[r * cols + j] = y.data[r * cols + j]! * (dy.data[r * cols + j]! - dot);
    }
    return out;
  },
};

/** ONNX's softmax is along one axis: each example's values become one row. */
function rowwiseLowering(onnx: "Softmax" | "LogSoftmax"): (g: OnnxContext, x: OnnxValue) => OnnxValue {
  return (g, x) => g.reshape(g.node(onnx, [g.reshape(x, rowsCols(x.shape))], rowsCols(x.shape), { axis: { int: 1 } }), x.shape);
}

export const softmaxLowerings: Lowerings<typeof softmaxOps> = {
  softmax: /* @__PURE__ */ rowwiseLowering("Softmax"),
  logSoftmax: /* @__PURE__ */ rowwiseLowering("LogSoftmax"),
};

/**
 * softmax over all values of each example. Reverse from the output: dx = y (dy - <dy, y>), one fused kernel.
 *
 * @example
 * ```ts
 * layers.softmax.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, 1])])[0][0]!.data;  // Float64Array [0.5, 0.5]
 * ```
 *
 * @category Layers
 */
export const softmax: AnyShape<true> = pointwise("softmax", "y", (ops, x) => ops.softmax(x), (ops, y, dy) => ops.softmaxReverse(y, dy));
