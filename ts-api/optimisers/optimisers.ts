// The optimisers of Cruttwell et al. (section 3.4), each its update formula
// on a change d that the learning-rate lens has already scaled (d = -eta g).
// Adaptive optimisers (Adagrad, RMSProp, Adam) are invariant to the scale of
// d except through delta, so they carry their own step size lr, as in the
// paper; with constantRate(1), d = -g and each is its textbook form.
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { type Optimiser, optimiser, plainStep } from "./optimiser.ts";
import type { StepSize } from "./schedules.ts";
import { registerOps } from "../ops/registry.ts";
import { adagradOps, adamOps, momentumOps, rmspropOps, scheduledSgdOps } from "../ops/optimisers.ts";

/**
 * Checks a hyperparameter: a finite number in the range its formula needs
 * (a NaN step size would turn every parameter NaN on the first step).
 */
function check(optimiser: string, name: string, value: number, ok: (v: number) => boolean, range: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new ParalensError(`${optimiser}: ${name} must be a finite number ${range}, got ${describe(value)}`);
  }
  return value;
}
const positive = (v: number): boolean => v > 0;

/** A step size: a schedule as it is, or a number checked to be > 0. */
export function checkStepSize(optimiser: string, lr: StepSize): StepSize {
  return typeof lr === "object" && lr !== null && lr.kind === "schedule" ? lr : check(optimiser, "lr", lr as number, positive, "> 0");
}
const fraction = (v: number): boolean => v >= 0 && v < 1;
// a negative gamma damps oscillation (the reference CNN uses -0.1); |gamma| > 1 makes every step grow
const damping = (v: number): boolean => v >= -1 && v <= 1;

/**
 * p' = p + d: gradient descent (the step size is the learning rate's). With
 * `lr` (a number or a schedule) p' = p + lr(t) d, and the update count t is
 * a state wire, `<name>.step`, saved with the learner.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: sgd(), rate: 0.1 });
 * const warm = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: sgd({ lr: optimisers.linearWarmup(0, 0.1, 100) }), rate: 1 });
 * learner.dispose(); warm.dispose();
 * ```
 *
 * @category Optimisers
 */
export function sgd(options: { lr?: StepSize } = {}): Optimiser {
  optionsArgument("sgd", options);
  if (options.lr === undefined) return plainStep("sgd");
  const lr = checkStepSize("sgd", options.lr);
  // its update comes with it (ops/index.ts)
  registerOps(() => scheduledSgdOps);
  return optimiser(
    `sgd(${typeof lr === "number" ? lr : lr.name})`,
    [{ suffix: "step", shape: () => [1], domain: "count" }],
    (_ops, _s, p) => p,
    (ops, [t], p, d) => ops.scheduledSgdStep(t!, p, d, lr),
  );
}

/**
 * s' = gamma s + d; p' = p + s' (Polyak's heavy ball).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: optimisers.momentum({ gamma: 0.9 }), rate: 0.01 });
 * learner.dispose();
 * ```
 *
 * @category Optimisers
 */
export function momentum(options: { gamma?: number } = {}): Optimiser {
  optionsArgument("momentum", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => momentumOps);
  const gamma = check("momentum", "gamma", options.gamma ?? 0.9, damping, "in [-1, 1]");
  return optimiser(
    `momentum(${gamma})`,
    [{ suffix: "velocity" }],
    (_ops, _s, p) => p,
    (ops, [s], p, d) => ops.momentumStep(s!, p, d, gamma),
  );
}

/**
 * Nesterov momentum: the model is run at the look-ahead point p + gamma s
 * (the forward pass of this lens), and the update is momentum's.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: optimisers.nesterov({ gamma: 0.9 }), rate: 0.01 });
 * learner.dispose();
 * ```
 *
 * @category Optimisers
 */
export function nesterov(options: { gamma?: number } = {}): Optimiser {
  optionsArgument("nesterov", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => momentumOps);
  const gamma = check("nesterov", "gamma", options.gamma ?? 0.9, damping, "in [-1, 1]");
  return optimiser(
    `nesterov(${gamma})`,
    [{ suffix: "velocity" }],
    (ops, [s], p) => ops.addScaled(p, s!, gamma),
    (ops, [s], p, d) => ops.momentumStep(s!, p, d, gamma),
  );
}

/**
 * g' = g + d^2; p' = p + lr d / (delta + sqrt g')  (Duchi, Hazan & Singer 2011).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: optimisers.adagrad({ lr: 0.1 }) });
 * learner.dispose();
 * ```
 *
 * @category Optimisers
 */
export function adagrad(options: { lr?: number; delta?: number } = {}): Optimiser {
  optionsArgument("adagrad", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => adagradOps);
  const { lr = 0.01, delta = 1e-7 } = options;
  check("adagrad", "lr", lr, positive, "> 0");
  check("adagrad", "delta", delta, positive, "> 0");
  return optimiser(
    `adagrad(${lr})`,
    [{ suffix: "sumOfSquares", domain: "nonnegative" }],
    (_ops, _s, p) => p,
    (ops, [g], p, d) => ops.adagradStep(g!, p, d, lr, delta),
  );
}

/**
 * v' = rho v + (1 - rho) d^2; p' = p + lr d / (delta + sqrt v')  (Tieleman & Hinton 2012).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: optimisers.rmsprop({ lr: 0.001 }) });
 * learner.dispose();
 * ```
 *
 * @category Optimisers
 */
export function rmsprop(options: { lr?: number; rho?: number; delta?: number } = {}): Optimiser {
  optionsArgument("rmsprop", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => rmspropOps);
  const { lr = 0.001, rho = 0.9, delta = 1e-7 } = options;
  check("rmsprop", "lr", lr, positive, "> 0");
  check("rmsprop", "rho", rho, fraction, "in [0, 1)");
  check("rmsprop", "delta", delta, positive, "> 0");
  return optimiser(
    `rmsprop(${lr})`,
    [{ suffix: "meanSquare", domain: "nonnegative" }],
    (_ops, _s, p) => p,
    (ops, [v], p, d) => ops.rmspropStep(v!, p, d, lr, rho, delta),
  );
}

/**
 * Adam (Kingma & Ba 2015), with the step count t in its state:
 * m' = b1 m + (1 - b1) d; v' = b2 v + (1 - b2) d^2; t' = t + 1;
 * p' = p + lr (m' / (1 - b1^t')) / (delta + sqrt(v' / (1 - b2^t'))).
 * `lr` may be a schedule, read at k = t (the updates made before this one).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }) });
 * const decaying = supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: adam({ lr: optimisers.cosineDecay(0.01, 1000) }) });
 * learner.dispose(); decaying.dispose();
 * ```
 *
 * @category Optimisers
 */
export function adam(options: { lr?: StepSize; beta1?: number; beta2?: number; delta?: number } = {}): Optimiser {
  optionsArgument("adam", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => adamOps);
  const { lr = 0.001, beta1 = 0.9, beta2 = 0.999, delta = 1e-8 } = options;
  checkStepSize("adam", lr);
  check("adam", "beta1", beta1, fraction, "in [0, 1)");
  check("adam", "beta2", beta2, fraction, "in [0, 1)");
  check("adam", "delta", delta, positive, "> 0");
  return optimiser(
    `adam(${typeof lr === "number" ? lr : lr.name})`,
    [{ suffix: "m" }, { suffix: "v", domain: "nonnegative" }, { suffix: "t", shape: () => [1], domain: "count" }],
    (_ops, _s, p) => p,
    (ops, [m, v, t], p, d) => ops.adamStep(m!, v!, t!, p, d, lr, beta1, beta2, delta),
  );
}
