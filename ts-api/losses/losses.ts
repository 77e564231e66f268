// Losses are lenses B x B -> L: a prediction and a label in, one loss per
// example out (L has shape [], so a batch of losses has shape [N]). The
// reverse pass scales by the incoming change dl and returns changes for both
// the prediction and the label; a training plan never asks for the label's,
// so those calls are pruned. Each takes the shape of the model output it is
// composed with.
import type { Value } from "../algebra/category.ts";
import { type AnyShape, lens, anyShape } from "../algebra/para.ts";
import { type Shape, type Wires, sameShape } from "../algebra/shapes.ts";
import type { RealOps } from "../ops/index.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";

/**
 * A loss: a polymorphic lens [S, S] -> [[]] (prediction, label -> loss per example).
 * A loss that also takes class indices for labels says what shape one example's
 * indices have, given its prediction's (`indexShape`).
 *
 * @category Losses
 */
export type Loss = AnyShape<false> & {
  /** For a loss that takes class indices: the shape of one example's indices, given its prediction's ([] for softmaxCrossEntropy). */
  readonly indexShape?: (prediction: Shape) => Shape;
};

/** The loss wire: one number per example. */
export const LOSS: Wires = [[]];

/* @__NO_SIDE_EFFECTS__ */
function loss(
  name: string,
  forward: (ops: RealOps, y: Value, t: Value) => [l: Value, residual: Value],
  reverse: (ops: RealOps, residual: Value, y: Value, t: Value, dl: Value) => [dy: Value, dt: Value],
): Loss {
  return anyShape(name, false, (dom) => {
    if (dom.length !== 2 || !sameShape(dom[0]!, dom[1]!)) {
      throw new ParalensError(`${name}: takes a prediction and a label of one shape, got ${fmtWires(dom)}`);
    }
    return lens<Wires, Wires, [Value, Value, Value]>({
      name,
      dom,
      cod: LOSS,
      forward(ops, [y, t]) {
        const [l, r] = forward(ops, y!, t!);
        return [[l], [r, y!, t!]];
      },
      reverse: (ops, [r, y, t], [dl]) => reverse(ops, r, y, t, dl!),
    });
  });
}

/**
 * Mean squared error as in Cruttwell et al.'s reference implementation: l = 1/2 sum (y - t)^2. dy = dl (y - t).
 *
 * @example
 * ```ts
 * const [[l]] = mse.at([[2], [2]]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, 2]), backends.refTensor([1, 2], [0, 0])]);
 * l!.data;  // Float64Array [2.5]
 * ```
 *
 * @category Losses
 */
export const mse: Loss = loss(
  "mse",
  (ops, y, t) => [ops.mse(y, t), y],
  (ops, _r, y, t, dl) => {
    const dy = ops.mseReverse(y, t, dl);
    return [dy, ops.scale(dy, -1)];
  },
);

const oneHotSoftmaxCrossEntropy = loss(
  "softmaxCrossEntropy",
  (ops, z, t) => {
    const lp = ops.logSoftmax(z);
    return [ops.crossEntropy(lp, t), lp];
  },
  (ops, lp, _z, t, dl) => [ops.softmaxCrossEntropyReverse(lp, t, dl), ops.rowScale(lp, dl, -1)],
);

/**
 * Softmax cross-entropy on logits z, fused and stable: l = -sum t log softmax(z),
 * computed from log-softmax so no probability is ever logged.
 * dz = dl (softmax(z) sum(t) - t); dt = -dl log softmax(z).
 * Labels are rows shaped like z (one-hot or soft), or one class index per
 * example (a label wire of shape []): then l = -log softmax(z)[c], and the
 * reverse scatters -dl into the logits' change at c; an index has no change.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: adam() });
 * const [[l]] = softmaxCrossEntropy.at([[3], []]).forward(backends.reference, [], [backends.refTensor([1, 3], [0, 0, 0]), backends.refTensor([1], [2])]);
 * l!.data;  // Float64Array [1.0986...] (log 3)
 * learner.dispose();
 * ```
 *
 * @category Losses
 */
export const softmaxCrossEntropy: Loss = Object.assign(anyShape("softmaxCrossEntropy", false, (dom) => {
  if (dom.length !== 2 || dom[1]!.length !== 0 || dom[0]!.length === 0) return oneHotSoftmaxCrossEntropy.at(dom);
  return lens<Wires, Wires, { lp: Value; c: Value }>({
    name: "softmaxCrossEntropy",
    dom,
    cod: LOSS,
    // logSoftmax and the kernels take each example as one row of all its values
    forward(ops, [z, c]) {
      const lp = ops.logSoftmax(z!);
      return [[ops.indexCrossEntropy(lp, c!)], { lp, c: c! }];
    },
    reverse: (ops, { lp, c }, [dl]) => [ops.indexCrossEntropyReverse(lp, c, dl!), null],
  });
}), { indexShape: (): Shape => [] });

/**
 * Binary cross-entropy on probabilities p (after a sigmoid):
 * l = -sum t log p + (1 - t) log(1 - p), with p clamped to [1e-7, 1 - 1e-7].
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 1, "sigmoid"), { loss: losses.binaryCrossEntropy });
 * learner.dispose();
 * ```
 *
 * @category Losses
 */
export const binaryCrossEntropy: Loss = loss(
  "binaryCrossEntropy",
  (ops, p, t) => [ops.binaryCrossEntropy(p, t), p],
  (ops, _r, p, t, dl) => [ops.binaryCrossEntropyReverse(p, t, dl), ops.binaryCrossEntropyLabelReverse(p, dl)],
);

/**
 * The dot product l = <y, t>, the paper's loss for deep dreaming: dy = dl t, dt = dl y.
 *
 * @example
 * ```ts
 * const [[l]] = losses.dotProduct.at([[2], [2]]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, 2]), backends.refTensor([1, 2], [3, 4])]);
 * l!.data;  // Float64Array [11]
 * ```
 *
 * @category Losses
 */
export const dotProduct: Loss = loss(
  "dotProduct",
  (ops, y, t) => [ops.rowDot(y, t), y],
  (ops, _r, y, t, dl) => [ops.rowScale(t, dl, 1), ops.rowScale(y, dl, 1)],
);
