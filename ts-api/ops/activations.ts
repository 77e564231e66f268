// The activations: each a kernel, its float64 reference and its reverse.
// Their reverses are fused kernels (one pass over memory instead of two or
// three composed ops; `npm run bench -- fused`: sigmoid's passes 1.08x the
// composition); the elementary ops in unary.ts compose instead.
import type { Value } from "../algebra/category.ts";
import type { AnyShape } from "../algebra/para.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import { sameSize } from "./checks.ts";
import { type Lowerings, type References, planned } from "./op.ts";
import { mapRef } from "./ref-tensor.ts";
import { pointwise, unaryKernel, unaryLowering, unaryReference, unaryReverse, unaryReverseReference } from "./pointwise.ts";

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

export const activationOps = {
  sigmoid: unaryKernel("sigmoid"),
  sigmoidReverse: unaryReverse("sigmoidReverse"),
  tanh: unaryKernel("tanh"),
  tanhReverse: unaryReverse("tanhReverse"),
  relu: unaryKernel("relu"),
  reluReverse: unaryReverse("reluReverse"),
  leakyRelu: planned<[x: Value, alpha: number]>({
    plan(p, x, alpha) {
      const y = p.out(x.shape);
      p.emit("leakyRelu", () => p.core.leakyRelu(y.offset, x.offset, x.size, alpha), [x], [y]);
      return y;
    },
  }),
  leakyReluReverse: planned<[x: Value, dy: Value, alpha: number]>({
    plan(p, x, dy, alpha) {
      sameSize("leakyReluReverse", x.shape, dy.shape);
      const dx = p.out(x.shape);
      p.emit("leakyReluReverse", () => p.core.leakyReluReverse(dx.offset, x.offset, dy.offset, x.size, alpha), [x, dy], [dx]);
      return dx;
    },
  }),
};

export const activationReferences: References<typeof activationOps> = {
  sigmoid: /* @__PURE__ */ unaryReference(logistic),
  sigmoidReverse: /* @__PURE__ */ unaryReverseReference("sigmoidReverse", (y, dy) => dy * y * (1 - y)),
  tanh: /* @__PURE__ */ unaryReference(Math.tanh),
  tanhReverse: /* @__PURE__ */ unaryReverseReference("tanhReverse", (y, dy) => dy * (1 - y * y)),
  relu: /* @__PURE__ */ unaryReference((x) => Math.max(x, 0)),
  reluReverse: /* @__PURE__ */ unaryReverseReference("reluReverse", (x, dy) => (x > 0 ? dy : 0)),
  leakyRelu: (x, alpha) => mapRef(x, (v) => (v > 0 ? v : alpha * v)),
  leakyReluReverse: (x, dy, alpha) => mapRef(x, (v, i) => (v > 0 ? dy.data[i]! : alpha * dy.data[i]!)),
};

export const activationLowerings: Lowerings<typeof activationOps> = {
  sigmoid: /* @__PURE__ */ unaryLowering("Sigmoid"),
  tanh: /* @__PURE__ */ unaryLowering("Tanh"),
  relu: /* @__PURE__ */ unaryLowering("Relu"),
  leakyRelu: (g, x, alpha) => g.node("LeakyRelu", [x], x.shape, { alpha: { float: alpha } }),
};

/**
 * sigmoid(x) = 1 / (1 + e^-x), elementwise. Reverse from the output: dy y (1 - y).
 *
 * @example
 * ```ts
 * layers.sigmoid.at([1]).forward(backends.reference, [], [backends.refTensor([1, 1], [0])])[0][0]!.data;  // Float64Array [0.5]
 * ```
 *
 * @category Layers
 */
export const sigmoid: AnyShape<true> = pointwise("sigmoid", "y", (ops, x) => ops.sigmoid(x), (ops, y, dy) => ops.sigmoidReverse(y, dy));
/**
 * tanh, elementwise. Reverse from the output: dy (1 - y^2).
 *
 * @example
 * ```ts
 * layers.tanh.at([1]).forward(backends.reference, [], [backends.refTensor([1, 1], [0])])[0][0]!.data;  // Float64Array [0]
 * ```
 *
 * @category Layers
 */
export const tanh: AnyShape<true> = pointwise("tanh", "y", (ops, x) => ops.tanh(x), (ops, y, dy) => ops.tanhReverse(y, dy));
/**
 * relu(x) = max(x, 0), elementwise; its derivative at 0 is taken to be 0.
 *
 * @example
 * ```ts
 * layers.relu.at([3]).forward(backends.reference, [], [backends.refTensor([1, 3], [-1, 0, 2])])[0][0]!.data;  // Float64Array [0, 0, 2]
 * ```
 *
 * @category Layers
 */
export const relu: AnyShape<true> = pointwise("relu", "x", (ops, x) => ops.relu(x), (ops, x, dy) => ops.reluReverse(x, dy));
/**
 * x for x > 0, alpha x otherwise.
 *
 * @example
 * ```ts
 * layers.leakyRelu(0.1).at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [-1, 2])])[0][0]!.data;  // Float64Array [-0.1, 2]
 * ```
 *
 * @category Layers
 */
export function leakyRelu(alpha = 0.01): AnyShape<true> {
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ParalensError(`leakyRelu: alpha must be a finite number, got ${describe(alpha)}`);
  return pointwise(`leakyRelu(${alpha})`, "x", (ops, x) => ops.leakyRelu(x, alpha), (ops, x, dy) => ops.leakyReluReverse(x, dy, alpha));
}
