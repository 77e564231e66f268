// Sign-gradient steps, for inputs rather than weights: the fast gradient sign
// method (Goodfellow, Shlens & Szegedy 2015) is one step x' = x + eps sign(d),
// and projected gradient descent (Madry et al. 2018) repeats smaller steps,
// each projected back onto the max-norm ball of radius eps around the
// original x0 (and onto the valid range of pixel values). With an ascending
// rate (ascend(constantRate(1))) d is the loss's gradient, so the step raises it.
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import type { Value } from "../algebra/category.ts";
import type { RealOps } from "../ops/index.ts";
import { type Optimiser, optimiser } from "./optimiser.ts";
import { registerOps } from "../ops/registry.ts";
import { unaryOps } from "../ops/unary.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => unaryOps);

/**
 * p' = p + step sign(d): FGSM when run once from the original input with step = epsilon.
 *
 * @example
 * ```ts
 * const attack = learning.learnInput(dense(4, 3), optimisers.signGradient(0.1));
 * attack.params.map((p) => p.name)[0];  // "input"
 * ```
 *
 * @category Optimisers
 */
export function signGradient(step: number): Optimiser {
  positive("signGradient", "step", step);
  return optimiser(`signGradient(${step})`, [], (_ops, _s, p) => p, (ops, _s, p, d) => [ops.sgdStep(p, ops.scale(ops.sign(d), step))]);
}

/**
 * Options of `projectedSignGradient`: step size, the max-norm radius and the valid range.
 *
 * @category Optimisers
 */
export interface ProjectedOptions {
  /** The size of each sign step. */
  step: number;
  /** The max-norm radius around the origin the input stays within. */
  radius: number;
  /** The range of valid values (default [0, 1], pixel intensities). */
  range?: readonly [number, number];
}

/**
 * Projected sign-gradient steps (PGD): p' = clip(p + step sign(d), origin +- radius, range).
 * Its state is the origin, which the caller writes (the original input); the
 * forward pass reads the projection of p, so the model only ever sees an
 * input within the ball, exactly (max and min round nothing).
 *
 * @example
 * ```ts
 * const attack = learning.learnInput(dense(4, 3), optimisers.projectedSignGradient({ step: 0.01, radius: 0.1 }));
 * attack.params.length > 1;  // true: the origin, the input, the frozen weights
 * ```
 *
 * @category Optimisers
 */
export function projectedSignGradient(options: ProjectedOptions): Optimiser {
  optionsArgument("projectedSignGradient", options);
  const { step, radius, range = [0, 1] } = options;
  positive("projectedSignGradient", "step", step);
  positive("projectedSignGradient", "radius", radius);
  if (!(range[0] < range[1])) throw new ParalensError(`projectedSignGradient: range must be [low, high] with low < high, got [${range.join(", ")}]`);
  const project = (ops: RealOps, origin: Value, x: Value): Value => {
    const shape = ops.shape(x);
    const low = ops.maximum(ops.addScaled(origin, ops.fill(shape, -radius), 1), ops.fill(shape, range[0]));
    const high = ops.minimum(ops.addScaled(origin, ops.fill(shape, radius), 1), ops.fill(shape, range[1]));
    return ops.minimum(ops.maximum(x, low), high);
  };
  return optimiser(
    `projectedSignGradient(${step}, ${radius})`,
    [{ suffix: "origin" }],
    (ops, [origin], p) => project(ops, origin!, p),
    (ops, [origin], p, d) => {
      const target = project(ops, origin!, ops.addScaled(p, ops.sign(d), step));
      // written in place as p + (target - p): within one rounding of target, and the forward pass projects again
      return [origin!, ops.sgdStep(p, ops.sub(target, p))];
    },
  );
}

function positive(what: string, name: string, x: number): void {
  if (typeof x !== "number" || !(x > 0) || !Number.isFinite(x)) throw new ParalensError(`${what}: ${name} must be a finite number > 0, got ${describe(x)}`);
}
