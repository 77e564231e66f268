// Learning-rate schedules: the step size as a function of the step count k
// (0 at the first update). A schedule is a plain function, not a lens: the
// count it reads is a state wire of the optimiser that uses it, so it is
// saved with the learner and a resumed learner goes on where it stopped.
// The formulas are torch.optim.lr_scheduler's (LinearLR, CosineAnnealingLR,
// StepLR, ExponentialLR, SequentialLR) in closed form, as optax writes them.
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { Schedule, StepSize } from "../ops/optimisers.ts";

export type { Schedule, StepSize };

function finite(what: string, name: string, v: number, ok: (v: number) => boolean = () => true, range = ""): void {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) {
    throw new ParalensError(`${what}: ${name} must be a finite number${range}, got ${describe(v)}`);
  }
}
const nonNegative = (v: number): boolean => v >= 0;
const wholePositive = (v: number): boolean => Number.isInteger(v) && v >= 1;

function schedule(name: string, at: (k: number) => number): Schedule {
  return { kind: "schedule", name, at };
}

/** Whether a value is a schedule (rather than a number). */
export const isSchedule = (s: unknown): s is Schedule => typeof s === "object" && s !== null && (s as { kind?: unknown }).kind === "schedule";

/**
 * The same step size at every step.
 *
 * @example
 * ```ts
 * optimisers.constantSchedule(0.1).at(1000);  // 0.1
 * ```
 *
 * @category Optimisers
 */
export function constantSchedule(value: number): Schedule {
  finite("constantSchedule", "value", value, nonNegative, " >= 0");
  return schedule(`constant(${value})`, () => value);
}

/**
 * From `from` to `to` in a straight line over `steps` updates, then `to`
 * (torch's LinearLR with start_factor = from / to).
 *
 * @example
 * ```ts
 * optimisers.linearWarmup(0, 0.01, 10).at(5);  // 0.005
 * ```
 *
 * @category Optimisers
 */
export function linearWarmup(from: number, to: number, steps: number): Schedule {
  finite("linearWarmup", "from", from, nonNegative, " >= 0");
  finite("linearWarmup", "to", to, nonNegative, " >= 0");
  finite("linearWarmup", "steps", steps, wholePositive, " (a whole number >= 1)");
  return schedule(`linearWarmup(${from}, ${to}, ${steps})`, (k) => from + ((to - from) * Math.min(k, steps)) / steps);
}

/**
 * Half a cosine from `peak` down to `peak * alpha` over `steps` updates, then
 * flat (Loshchilov & Hutter 2017, SGDR without restarts; torch's
 * CosineAnnealingLR with T_max = steps and eta_min = peak * alpha).
 *
 * @example
 * ```ts
 * optimisers.cosineDecay(0.01, 100).at(50);  // 0.005 (to rounding)
 * ```
 *
 * @category Optimisers
 */
export function cosineDecay(peak: number, steps: number, alpha = 0): Schedule {
  finite("cosineDecay", "peak", peak, nonNegative, " >= 0");
  finite("cosineDecay", "steps", steps, wholePositive, " (a whole number >= 1)");
  finite("cosineDecay", "alpha", alpha, (v) => v >= 0 && v <= 1, " in [0, 1]");
  const floor = peak * alpha;
  return schedule(`cosineDecay(${peak}, ${steps}${alpha === 0 ? "" : `, ${alpha}`})`, (k) => floor + ((peak - floor) * (1 + Math.cos((Math.PI * Math.min(k, steps)) / steps))) / 2);
}

/**
 * `initial` times `factor` once every `every` updates (torch's StepLR).
 *
 * @example
 * ```ts
 * optimisers.stepDecay(0.1, 10, 0.5).at(25);  // 0.025
 * ```
 *
 * @category Optimisers
 */
export function stepDecay(initial: number, every: number, factor: number): Schedule {
  finite("stepDecay", "initial", initial, nonNegative, " >= 0");
  finite("stepDecay", "every", every, wholePositive, " (a whole number >= 1)");
  finite("stepDecay", "factor", factor, nonNegative, " >= 0");
  return schedule(`stepDecay(${initial}, ${every}, ${factor})`, (k) => initial * factor ** Math.floor(k / every));
}

/**
 * `initial` times `factor` at every update (torch's ExponentialLR).
 *
 * @example
 * ```ts
 * optimisers.exponentialDecay(1, 0.5).at(3);  // 0.125
 * ```
 *
 * @category Optimisers
 */
export function exponentialDecay(initial: number, factor: number): Schedule {
  finite("exponentialDecay", "initial", initial, nonNegative, " >= 0");
  finite("exponentialDecay", "factor", factor, nonNegative, " >= 0");
  return schedule(`exponentialDecay(${initial}, ${factor})`, (k) => initial * factor ** k);
}

/**
 * One schedule after another: `schedules[i]` runs from update `boundaries[i - 1]`
 * (0 for the first), counting its own steps from 0 there (optax's
 * join_schedules, torch's SequentialLR). Warmup then cosine decay:
 *
 * @example
 * ```ts
 * const lr = optimisers.joinSchedules([optimisers.linearWarmup(0, 1e-3, 100), optimisers.cosineDecay(1e-3, 900)], [100]);
 * lr.at(100);  // 0.001
 * ```
 *
 * @category Optimisers
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every(isSchedule)) {
    throw new ParalensError(`joinSchedules: schedules must be a non-empty list of schedules, got ${describe(schedules)}`);
  }
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    throw new ParalensError(`joinSchedules: ${schedules.length} schedule(s) need ${schedules.length - 1} boundary(ies), got ${Array.isArray(boundaries) ? fmtShape(boundaries) : describe(boundaries)}`);
  }
  boundaries.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1 || (i > 0 && b <= boundaries[i - 1]!)) {
      throw new ParalensError(`joinSchedules: boundaries must be increasing whole numbers >= 1, got [${boundaries.join(", ")}]`);
    }
  });
  return schedule(`join(${schedules.map((s) => s.name).join(", ")} at ${boundaries.join(", ")})`, (k) => {
    let i = 0;
    while (i < boundaries.length && k >= boundaries[i]!) i++;
    return schedules[i]!.at(k - (i === 0 ? 0 : boundaries[i - 1]!));
  });
}
