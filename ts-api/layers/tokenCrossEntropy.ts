import type { Value } from "../algebra/category.ts";
import { anyShape, lens } from "../algebra/para.ts";
import type { Loss } from "../losses/losses.ts";
import type { RealOps } from "../ops/index.ts";
import { type Shape, type Wires, sameShape } from "../algebra/shapes.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";
import { registerOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);

/**
 * tokenCrossEntropy: softmax cross-entropy per token of a sequence, averaged
 * over the tokens of each example. Logits and one-hot (or soft) labels are
 * [..., V]; every row of V values is one token, -sum t log softmax(z) over
 * its own V classes (where `softmaxCrossEntropy` would take one softmax over
 * all of an example's values), and the example's loss is the mean over its
 * rows, in nats. Fused and stable as softmaxCrossEntropy is: log-softmax
 * forward, dz = dl / R (softmax(z) sum(t) - t) per row on the way back.
 * Labels may instead be class indices, one per token ([...] where the logits
 * are [..., V]): no one-hot row is stored, and the reverse scatters -dl / R
 * into each token's row of the logits' change at its class.
 *
 * @example
 * ```ts
 * const model = transformer({ vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 });
 * const lens = learning.supervisedLens(model, { loss: losses.tokenCrossEntropy, optimiser: adam(), rate: losses.constantRate(1) });
 * ```
 *
 * @category Losses
 */
export const tokenCrossEntropy: Loss = Object.assign(anyShape("tokenCrossEntropy", false, (dom) => {
  const shape = dom[0];
  const indices = shape !== undefined && shape.length > 0 && dom.length === 2 && sameShape(shape.slice(0, -1), dom[1]!);
  if (dom.length !== 2 || shape === undefined || shape.length === 0 || !(indices || sameShape(shape, dom[1]!))) {
    throw new ParalensError(`tokenCrossEntropy: takes logits and labels of one shape [..., V], or logits [..., V] and class indices [...], got ${fmtWires(dom)}`);
  }
  const classes = shape[shape.length - 1]!;
  const tokens = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (indices) return byIndex(dom, classes, tokens);
  return lens<Wires, Wires, { lp: Value; t: Value; n: number }>({
    name: "tokenCrossEntropy",
    dom,
    cod: [[]],
    forward(ops, [z, label]) {
      const n = ops.shape(z!)[0]!;
      const lp = ops.logSoftmax(ops.reshape(z!, [n * tokens, classes]));
      const t = ops.reshape(label!, [n * tokens, classes]);
      return [[meanOfTokens(ops, ops.crossEntropy(lp, t), n, tokens)], { lp, t, n }];
    },
    reverse(ops, { lp, t, n }, [dl]) {
      const each = eachToken(ops, dl!, n, tokens);
      const dz = ops.softmaxCrossEntropyReverse(lp, t, each);
      return [ops.reshape(dz, [n, ...shape]), ops.reshape(ops.rowScale(lp, each, -1), [n, ...shape])];
    },
  });
}), { indexShape: (logits: Shape): Shape => logits.slice(0, -1) });

/** tokenCrossEntropy with one class index per token: the fused index kernels, no one-hot row. */
function byIndex(dom: Wires, classes: number, tokens: number) {
  return lens<Wires, Wires, { lp: Value; c: Value; n: number }>({
    name: "tokenCrossEntropy",
    dom,
    cod: [[]],
    forward(ops, [z, label]) {
      const n = ops.shape(z!)[0]!;
      const lp = ops.logSoftmax(ops.reshape(z!, [n * tokens, classes]));
      const c = ops.reshape(label!, [n * tokens]);
      return [[meanOfTokens(ops, ops.indexCrossEntropy(lp, c), n, tokens)], { lp, c, n }];
    },
    reverse(ops, { lp, c, n }, [dl]) {
      return [ops.reshape(ops.indexCrossEntropyReverse(lp, c, eachToken(ops, dl!, n, tokens)), [n, ...dom[0]!]), null];
    },
  });
}

/** Each example's loss: the mean of its tokens' losses (given as [n * tokens]). */
function meanOfTokens(ops: RealOps, perToken: Value, n: number, tokens: number): Value {
  return ops.reshape(ops.scale(ops.sumTo(ops.reshape(perToken, [n, tokens]), [n, 1]), 1 / tokens), [n]);
}

/** The change of each token's loss ([n * tokens]): its example's dl over the tokens averaged. */
function eachToken(ops: RealOps, dl: Value, n: number, tokens: number): Value {
  return ops.reshape(ops.broadcastTo(ops.scale(ops.reshape(dl, [n, 1]), 1 / tokens), [n, tokens]), [n * tokens]);
}
