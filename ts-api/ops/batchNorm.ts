// The two ops batch normalization needs beyond the arithmetic it is composed
// of: whether the plan being recorded trains (a training plan normalises with
// the batch's statistics, a forward-only plan with the running ones), and the
// inference form y = (x - mean) scale / sqrt(variance + eps) + bias, which the
// ONNX exporter writes as one BatchNormalization node.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { binaryOps } from "./binary.ts";
import { stridesOver } from "./broadcast.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";
import { op } from "./op.ts";
import { refTensor, sizeOf } from "./ref-tensor.ts";
import { unaryOps } from "./unary.ts";

/** The statistics are of one shape that broadcasts to x. */
function checkOperands(x: Shape, stats: readonly Shape[]): void {
  const s = stats[0]!;
  if (!stats.every((t) => t.length === s.length && t.every((d, i) => d === s[i])) || s.length > x.length || !s.every((d, i) => d === 1 || d === x[x.length - s.length + i])) {
    throw new ParalensError(`batchNormInference: the statistics ${stats.map(fmtShape).join(", ")} must be of one shape that broadcasts to ${fmtShape(x)}`);
  }
}

export const batchNormOps = {
  /**
   * Whether the plan being recorded trains: true when a reverse pass will be
   * planned (`changes: "params"` or `"all"`), false in a forward-only plan
   * (`changes: "none"`). The float64 reference evaluates as a training plan;
   * the ONNX exporter writes the inference graph.
   */
  isTraining: op<[], boolean>({
    plan: (p) => p.training,
    reference: () => true,
    onnx: () => false,
  }),

  /** (x - mean) scale / sqrt(variance + eps) + bias, the four statistics of one shape broadcast over x. */
  batchNormInference: op<[x: Value, scale: Value, bias: Value, mean: Value, variance: Value, eps: number]>({
    plan(p, x, scale, bias, mean, variance, eps) {
      checkOperands(x.shape, [scale.shape, bias.shape, mean.shape, variance.shape]);
      const b = binaryOps;
      const k = b.mul.plan(p, scale, unaryOps.rsqrt.plan(p, b.plus.plan(p, variance, p.constant(new Float32Array([eps])).reshape([]))));
      const shift = b.sub.plan(p, bias, b.mul.plan(p, mean, k));
      return b.plus.plan(p, b.mul.plan(p, x, k), shift);
    },
    reference(x, scale, bias, mean, variance, eps) {
      checkOperands(x.shape, [scale.shape, bias.shape, mean.shape, variance.shape]);
      const strides = stridesOver(scale.shape, x.shape);
      const y = refTensor(x.shape);
      for (let i = 0; i < y.data.length; i++) {
        // the statistics' offset of element i
        let [rest, o] = [i, 0];
        for (let axis = x.shape.length - 1; axis >= 0; axis--) {
          const k = rest % x.shape[axis]!;
          rest = (rest - k) / x.shape[axis]!;
          o += k * strides[axis]!;
        }
        y.data[i] = ((x.data[i]! - mean.data[o]!) / Math.sqrt(variance.data[o]! + eps)) * scale.data[o]! + bias.data[o]!;
      }
      return y;
    },
    onnx(g: OnnxContext, x: OnnxValue, scale: OnnxValue, bias: OnnxValue, mean: OnnxValue, variance: OnnxValue, eps: number): OnnxValue {
      checkOperands(x.shape, [scale.shape, bias.shape, mean.shape, variance.shape]);
      const c = sizeOf(scale.shape);
      const node = (v: OnnxValue): OnnxValue =>
        g.node("BatchNormalization", [v, ...[scale, bias, mean, variance].map((t) => g.reshape(t, [c]))], v.shape, { epsilon: { float: eps }, training_mode: { int: 0 } });
      // ONNX's BatchNormalization reads channels on axis 1: statistics [C] over [N, C], or [C, 1, ...] over [N, C, ...]
      if (x.shape.length === 2 || scale.shape.length === x.shape.length - 1) return node(x);
      // channels last (images fromOnnx keeps NHWC): moved to axis 1 and back
      const r = x.shape.length;
      const to = [0, r - 1, ...x.shape.slice(1, -1).map((_, i) => i + 1)];
      const from = [0, ...x.shape.slice(2).map((_, i) => i + 2), 1];
      const y = node(g.node("Transpose", [x], to.map((a) => x.shape[a]!), { perm: { ints: to } }));
      return g.node("Transpose", [y], x.shape, { perm: { ints: from } });
    },
  }),
};
