import { supervised, Learner } from "./learner/learner.ts";
import { supervisedLens, scoringLens } from "./learner/supervised.ts";
import { inputAsParameter, learnInput } from "./algebra/input.ts";
import { oneHot } from "./learner/data.ts";
import { DivergenceError, LossSpikeError } from "./learner/divergence.ts";

/**
 * Learning beyond a fitted classifier: the lenses a learner is built from, an
 * input learned as a parameter (adversarial examples, dreams), one-hot labels,
 * and the errors a run stops with when it diverges.
 *
 * @example
 * ```ts
 * learning.oneHot([0, 2], 3);  // [[1, 0, 0], [0, 0, 1]]
 * ```
 *
 * @namespace
 * @category Learners
 */
export const learning = {
  supervised, Learner, supervisedLens, scoringLens, inputAsParameter, learnInput, oneHot, DivergenceError,
  LossSpikeError,
} as const;
