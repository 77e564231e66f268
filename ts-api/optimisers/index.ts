import { optimiser } from "./optimiser.ts";
import { sgd, momentum, nesterov, adagrad, rmsprop, adam } from "./optimisers.ts";
import { chain, transform } from "./chain.ts";
import { clipByGlobalNorm, weightDecay, scaleByAdam, adamw, partition } from "./transforms.ts";
import { constantSchedule, linearWarmup, cosineDecay, stepDecay, exponentialDecay, joinSchedules } from "./schedules.ts";
import { ascend } from "./ascend.ts";
import { signGradient, projectedSignGradient } from "./sign.ts";
import { clipParameters } from "./clip.ts";

/**
 * Optimisers as lenses on parameters and their state: the classic ones, the
 * gradient transforms they are chained from, step-size schedules, ascent,
 * sign methods and projections.
 *
 * @example
 * ```ts
 * const opt = optimisers.chain(optimisers.clipByGlobalNorm(1), optimisers.momentum({ lr: optimisers.cosineDecay(0.1, 1000) }));
 * ```
 *
 * @namespace
 * @category Optimisers
 */
export const optimisers = {
  optimiser, sgd, momentum, nesterov, adagrad, rmsprop, adam, chain, transform, clipByGlobalNorm, weightDecay,
  scaleByAdam, adamw, partition, constantSchedule, linearWarmup, cosineDecay, stepDecay, exponentialDecay,
  joinSchedules, ascend, signGradient, projectedSignGradient, clipParameters,
} as const;
