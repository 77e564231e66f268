// The activations: each one row of kernel, float64 reference and reverse.
// Their reverses are fused kernels (one pass over memory instead of two or
// three composed ops; `npm run bench -- fused`: sigmoid's passes 1.08x the
// composition); the elementary ops in unary.ts compose instead.
import type { Value } from "../algebra/category.ts";
import type { AnyShape } from "../algebra/para.ts";
import { sameSize } from "./checks.ts";
import { op } from "./op.ts";
import { mapRef } from "./ref-tensor.ts";
import { pointwise, unary, unaryReverse } from "./pointwise.ts";

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

export const activationOps = {
  sigmoid: unary("sigmoid", logistic, "Sigmoid"),
  sigmoidReverse: unaryReverse("sigmoidReverse", (y, dy) => dy * y * (1 - y)),
  tanh: unary("tanh", Math.tanh, "Tanh"),
  tanhReverse: unaryReverse("tanhReverse", (y, dy) => dy * (1 - y * y)),
  relu: unary("relu", (x) => Math.max(x, 0), "Relu"),
  reluReverse: unaryReverse("reluReverse", (x, dy) => (x > 0 ? dy : 0)),
  leakyRelu: op<[x: Value, alpha: number]>({
    plan(p, x, alpha) {
      const y = p.out(x.shape);
      p.emit("leakyRelu", () => p.core.leakyRelu(y.offset, x.offset, x.size, alpha), [x], [y]);
      return y;
    },
    reference: (x, alpha) => mapRef(x, (v) => (v > 0 ? v : alpha * v)),
    onnx: (g, x, alpha) => g.node("LeakyRelu", [x], x.shape, { alpha: { float: alpha } }),
  }),
  leakyReluReverse: op<[x: Value, dy: Value, alpha: number]>({
    plan(p, x, dy, alpha) {
      sameSize("leakyReluReverse", x.shape, dy.shape);
      const dx = p.out(x.shape);
      p.emit("leakyReluReverse", () => p.core.leakyReluReverse(dx.offset, x.offset, dy.offset, x.size, alpha), [x, dy], [dx]);
      return dx;
    },
    reference: (x, dy, alpha) => mapRef(x, (v, i) => (v > 0 ? dy.data[i]! : alpha * dy.data[i]!)),
  }),
};

/**
 * sigmoid(x) = 1 / (1 + e^-x), elementwise. Reverse from the output: dy y (1 - y).
 *
 *   sigmoid.at([1]).forward(reference, [], [refTensor([1, 1], [0])])[0][0]!.data;  // Float64Array [0.5]
 */
export const sigmoid: AnyShape<true> = pointwise("sigmoid", "y", (ops, x) => ops.sigmoid(x), (ops, y, dy) => ops.sigmoidReverse(y, dy));
/**
 * tanh, elementwise. Reverse from the output: dy (1 - y^2).
 *
 *   tanh.at([1]).forward(reference, [], [refTensor([1, 1], [0])])[0][0]!.data;  // Float64Array [0]
 */
export const tanh: AnyShape<true> = pointwise("tanh", "y", (ops, x) => ops.tanh(x), (ops, y, dy) => ops.tanhReverse(y, dy));
/**
 * relu(x) = max(x, 0), elementwise; its derivative at 0 is taken to be 0.
 *
 *   relu.at([3]).forward(reference, [], [refTensor([1, 3], [-1, 0, 2])])[0][0]!.data;  // Float64Array [0, 0, 2]
 */
export const relu: AnyShape<true> = pointwise("relu", "x", (ops, x) => ops.relu(x), (ops, x, dy) => ops.reluReverse(x, dy));
/**
 * x for x > 0, alpha x otherwise.
 *
 *   leakyRelu(0.1).at([2]).forward(reference, [], [refTensor([1, 2], [-1, 2])])[0][0]!.data;  // Float64Array [-0.1, 2]
 */
export function leakyRelu(alpha = 0.01): AnyShape<true> {
  return pointwise(`leakyRelu(${alpha})`, "x", (ops, x) => ops.leakyRelu(x, alpha), (ops, x, dy) => ops.leakyReluReverse(x, dy, alpha));
}
