import { mse, softmaxCrossEntropy, binaryCrossEntropy, dotProduct } from "./losses.ts";
import { constantRate, lossScaledRate } from "./rates.ts";
import { l2Penalty, totalVariation } from "./penalties.ts";
import { tokenCrossEntropy } from "../layers/tokenCrossEntropy.ts";

/**
 * What a learner minimises and how its gradient is scaled: losses (a model's
 * output against a label), rates, penalties on parameters or inputs, and the
 * token-wise cross-entropy of sequence models.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 1), { loss: losses.binaryCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: losses.constantRate(1) });
 * ```
 *
 * @namespace
 * @category Losses
 */
export const losses = {
  mse, softmaxCrossEntropy, binaryCrossEntropy, dotProduct, constantRate, lossScaledRate, l2Penalty, totalVariation,
  tokenCrossEntropy,
} as const;
