// Learning rates are lenses L -> I: the loss goes in and nothing comes out;
// the reverse pass emits the change that starts backpropagation. Emitting
// -eta makes the whole learner descend (Cruttwell et al., section 3.3).
// Losses are per example and the change is divided by the batch size N, so
// eta applies to the batch-mean loss whatever N is.
import type { Value } from "../algebra/category.ts";
import { type Lens, lens } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import { LOSS } from "./losses.ts";

/** A learning rate is a finite number >= 0: NaN or Infinity would turn every parameter NaN, a negative one climbs the loss. */
function checkRate(what: string, eta: number): number {
  if (typeof eta !== "number" || !Number.isFinite(eta) || eta < 0) {
    throw new ParalensError(`${what}: the learning rate must be a finite number >= 0, got ${describe(eta)}`);
  }
  return eta;
}

/**
 * A learning rate: a lens from the loss wires to nothing, whose reverse pass emits the change that starts backpropagation (Cruttwell et al., section 3.3).
 *
 * @category Losses
 */
export type Rate = Lens<Wires, readonly []>;

/**
 * Emits -eta / N per example: gradient descent with step eta on the mean loss.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, rate: losses.constantRate(0.1) });
 * learner.dispose();
 * ```
 *
 * @category Losses
 */
export function constantRate(eta: number): Rate {
  checkRate("constantRate", eta);
  return lens<Wires, readonly [], Shape>({
    name: `rate(${eta})`,
    dom: LOSS,
    cod: [],
    forward: (ops, [l]) => [[], ops.shape(l!)],
    reverse: (ops, shape) => [ops.fill(shape, -eta / shape[0]!)],
    // the rate's reverse takes no change at all: it must always run
    linear: false,
  });
}

/**
 * Emits -eta l / N per example: steps scale with the loss (the loss-scaled rate of Cruttwell et al.'s Boolean-circuit learner).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 1), { loss: mse, rate: losses.lossScaledRate(0.1) });
 * learner.dispose();
 * ```
 *
 * @category Losses
 */
export function lossScaledRate(eta: number): Rate {
  checkRate("lossScaledRate", eta);
  return lens<Wires, readonly [], Value>({
    name: `lossScaledRate(${eta})`,
    dom: LOSS,
    cod: [],
    forward: (_ops, [l]) => [[], l!],
    reverse: (ops, l) => [ops.scale(l, -eta / ops.shape(l)[0]!)],
    linear: false,
  });
}
