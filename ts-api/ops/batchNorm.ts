// The two ops batch normalization needs beyond the arithmetic it is composed
// of: whether the plan being recorded trains (a training plan normalises with
// the batch's statistics, a forward-only plan with the running ones), and the
// inference form y = (x - mean) scale / sqrt(variance + eps) + bias, which the
// ONNX exporter writes as one BatchNormalization node.
import type { Value } from "../algebra/category.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { binaryLowerings, binaryOps, binaryReferences } from "./binary.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";
import { op } from "./op.ts";
import { refTensor } from "./ref-tensor.ts";
import type { RefTensor } from "./ref-tensor.ts";
import { unaryOps } from "./unary.ts";
import { sizeOf } from "./ref-tensor.ts";

/** The five operands' shapes agree: the statistics broadcast to x and are of one shape. */
function checkOperands(x: readonly number[], stats: readonly (readonly number[])[]): void {
  const s = stats[0]!;
  if (!stats.every((t) => t.length === s.length && t.every((d, i) => d === s[i])) || s.length > x.length || !s.every((d, i) => d === 1 || d === x[x.length - s.length + i])) {
    throw new ParalensError(`batchNormInference: the statistics ${stats.map(fmtShape).join(", ")} must be of one shape that broadcasts to ${fmtShape(x)}`);
  }
}

/** The channel count of statistics shaped [C] or [C, 1, ..., 1]. */
const channelsOf = (s: readonly number[]): number => sizeOf(s);

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
      const r = binaryReferences;
      const k = r.mul(scale, unaryOps.rsqrt.reference(r.plus(variance, refTensor([], [eps]))));
      return r.plus(r.mul(x, k), r.sub(bias, r.mul(mean, k))) as RefTensor;
    },
    onnx(g: OnnxContext, x: OnnxValue, scale: OnnxValue, bias: OnnxValue, mean: OnnxValue, variance: OnnxValue, eps: number): OnnxValue {
      checkOperands(x.shape, [scale.shape, bias.shape, mean.shape, variance.shape]);
      const c = channelsOf(scale.shape);
      // ONNX's BatchNormalization reads channels on axis 1: statistics [C] or [C, 1, ...] over [N, C, ...]
      if (x.shape.length >= 2 && x.shape[1] === c && scale.shape.length === x.shape.length - 1) {
        const flat = (v: OnnxValue): OnnxValue => g.reshape(v, [c]);
        return g.node("BatchNormalization", [x, flat(scale), flat(bias), flat(mean), flat(variance)], x.shape, { epsilon: { float: eps }, training_mode: { int: 0 } });
      }
      const l = binaryLowerings;
      const k = l.mul!(g, scale, g.node("Reciprocal", [g.node("Sqrt", [l.plus!(g, variance, g.floats([eps], []))], variance.shape)], variance.shape));
      return l.plus!(g, l.mul!(g, x, k), l.sub!(g, bias, l.mul!(g, mean, k)));
    },
  }),
};
