// What training with a learner takes and gives back, the same for every
// learner: the options of fit (and their checks), the reports it sends to its
// callbacks after each step and epoch, and the history and evaluations it
// resolves with.
import { ParalensError, describe } from "../engine/errors.ts";
import { checkSeed } from "../init/random.ts";
import type { Data } from "./data.ts";

/**
 * What `Learner.fit` reports after each epoch (to `onEpochEnd`).
 *
 * @category Learners
 */
export interface EpochReport {
  /** The epoch just finished, counting from 1. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training accuracy over the epoch, measured on the batches as they were trained. */
  accuracy: number;
  /** Mean loss on `validation`, when given. */
  valLoss?: number;
  /** Accuracy on `validation`, when given. */
  valAccuracy?: number;
  /** Wall time of the epoch, in seconds. */
  seconds: number;
  /** Training examples per second over the epoch. */
  examplesPerSecond: number;
}

/**
 * What `Learner.fit` reports after each step (to `onBatchEnd`).
 *
 * @category Learners
 */
export interface BatchReport {
  epoch: number;
  /** The step within the epoch, counting from 1. */
  batch: number;
  /** Steps per epoch. */
  batches: number;
  /** Mean loss of this batch. */
  loss: number;
}

/**
 * What every learner's fit takes (Learner, StructuredLearner, RdaLearner): epochs, batch size,
 * shuffling, validation data (`V`: examples as that learner takes them), callbacks and cancellation.
 *
 * @category Learners
 */
export interface CommonFitOptions<V> {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step (default 32; RdaLearner: 1); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Shuffle the examples every epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling. Default 0. */
  seed?: number;
  /** Examples scored (loss and accuracy) after every epoch, not trained on. */
  validation?: V;
  /** Called after every step with its loss. */
  onBatchEnd?: (report: BatchReport) => void;
  /** Called after every epoch; the place to save a learner. */
  onEpochEnd?: (report: EpochReport) => void;
  /** Stops training between two steps; fit then rejects with the signal's reason. Parameters keep the last completed step. */
  signal?: AbortSignal;
}

/**
 * Options of `Learner.fit`: those of every learner, and resuming in the middle of a run and a guard against loss spikes.
 *
 * @category Learners
 */
export interface FitOptions extends CommonFitOptions<{ x: Data; y: Data }> {
  /**
   * Epochs already trained, for resuming a saved learner: training runs epochs
   * initialEpoch + 1 .. epochs, with the shuffles of the epochs before replayed,
   * so a fit saved after epoch k (onEpochEnd) and loaded elsewhere continues
   * with { initialEpoch: k } exactly as if it had not stopped. Default 0.
   */
  initialEpoch?: number;
  /**
   * Steps (batches) of epoch initialEpoch + 1 already trained, for resuming a
   * learner saved in the middle of an epoch (from onBatchEnd: { epoch, batch }
   * resumes with { initialEpoch: epoch - 1, initialStep: batch }): that epoch
   * continues from the next batch of its shuffled order, and its report covers
   * the batches trained in this fit. Default 0.
   */
  initialStep?: number;
  /**
   * Stops a run whose loss climbs though it stays finite: a batch whose mean loss exceeds `factor`
   * (a number > 1) times the lowest batch loss of this fit so far rejects with a LossSpikeError
   * before its update, and the learner holds the parameters and optimiser state from before it.
   * Batch losses <= 0 set no bound. Off by default.
   */
  guard?: { factor: number };
}

/**
 * What `Learner.fit` returns: one entry per epoch trained (validation ones only when `validation` was given).
 *
 * @category Learners
 */
export interface History {
  /** Mean training loss of each epoch. */
  loss: number[];
  /** Training accuracy of each epoch. */
  accuracy: number[];
  /** Validation loss of each epoch. */
  valLoss: number[];
  /** Validation accuracy of each epoch. */
  valAccuracy: number[];
  /** Wall time of the whole fit, in seconds. */
  seconds: number;
}

/**
 * What `Learner.evaluate` returns: the mean loss and the accuracy over the examples.
 *
 * @category Learners
 */
export interface Evaluation {
  /** Mean loss per example. */
  loss: number;
  /** Fraction of examples whose prediction is right: the argmax matches for several outputs, the side of 0.5 for one; a non-finite prediction is wrong. */
  accuracy: number;
}

/** The options every learner's fit takes, with their defaults, each checked (named, with its value); `must` checks more the same way. */
export function commonFitOptions<V>(options: CommonFitOptions<V>, learner?: string, defaultBatch = 32) {
  if (typeof options !== "object" || options === null) throw new ParalensError(`fit: options must be an object, got ${describe(options)}`);
  if (learner !== undefined) {
    // options of Learner.fit that this learner does not take are refused, not ignored
    const own = ["initialEpoch", "initialStep", "guard"].filter((k) => (options as Record<string, unknown>)[k] !== undefined);
    if (own.length > 0) throw new ParalensError(`fit: ${own.join(", ")} ${own.length > 1 ? "are options" : "is an option"} of Learner.fit; ${learner} does not take ${own.length > 1 ? "them" : "it"}`);
  }
  const { epochs = 1, batchSize = defaultBatch, shuffle = true, signal, seed, validation } = options;
  const must = (name: string, ok: boolean, expected: string, v: unknown): void => {
    if (!ok) throw new ParalensError(`fit: ${name} must be ${expected}, got ${describe(v)}`);
  };
  must("epochs", Number.isInteger(epochs) && epochs >= 0, "a whole number >= 0", epochs);
  must("batchSize", Number.isInteger(batchSize) && batchSize >= 1, "a whole number >= 1", batchSize);
  must("shuffle", typeof shuffle === "boolean", "true or false", shuffle);
  if (seed !== undefined) checkSeed("fit", seed);
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) must(name, options[name] === undefined || typeof options[name] === "function", "a function", options[name]);
  must("signal", signal === undefined || typeof (signal as Partial<AbortSignal> | null)?.throwIfAborted === "function", "an AbortSignal (new AbortController().signal)", signal);
  return { epochs, batchSize, shuffle, signal, validation, must };
}

/** Learner.fit's options with their defaults, each checked (named, with its value) before anything is trained. */
export function fitOptions(options: FitOptions) {
  const common = commonFitOptions(options);
  const { epochs, must } = common;
  const { guard, initialEpoch = 0, initialStep = 0 } = options;
  must("initialEpoch", Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch <= epochs, `a whole number in 0..epochs (${epochs})`, initialEpoch);
  must("initialStep", Number.isInteger(initialStep) && initialStep >= 0, "a whole number >= 0", initialStep);
  if (initialStep > 0 && initialEpoch === epochs) throw new ParalensError(`fit: initialStep ${initialStep} is a step of epoch ${initialEpoch + 1}, but epochs is ${epochs}`);
  const factor = guard?.factor;
  must("guard.factor", guard === undefined || (typeof factor === "number" && factor > 1 && factor < Infinity), "a finite number > 1", factor ?? guard);
  return { ...common, factor, initialEpoch, initialStep };
}

/**
 * Ends an epoch of a fit, the same for every learner: its loss and accuracy (over `examples`,
 * trained since `started`) and, with `validate`, the validation's go into the history and the
 * report onEpochEnd is given.
 */
export function recordEpoch(
  history: History,
  epoch: { epoch: number; loss: number; accuracy: number; examples: number; started: number },
  validate: (() => Evaluation) | undefined,
  onEpochEnd: ((report: EpochReport) => void) | undefined,
): void {
  const seconds = (performance.now() - epoch.started) / 1000;
  const report: EpochReport = { epoch: epoch.epoch, loss: epoch.loss, accuracy: epoch.accuracy, seconds, examplesPerSecond: epoch.examples / seconds };
  history.loss.push(report.loss);
  history.accuracy.push(report.accuracy);
  if (validate !== undefined) {
    const v = validate();
    report.valLoss = v.loss;
    report.valAccuracy = v.accuracy;
    history.valLoss.push(v.loss);
    history.valAccuracy.push(v.accuracy);
  }
  onEpochEnd?.(report);
}

/** A fit's history before its first epoch. */
export const emptyHistory = (): History => ({ loss: [], accuracy: [], valLoss: [], valAccuracy: [], seconds: 0 });

/**
 * Between two steps of a fit: stops if the signal was aborted, and every 50 ms lets timers
 * (AbortSignal.timeout), rendering and I/O run.
 */
export class Yielder {
  private last = performance.now();

  constructor(private readonly signal: AbortSignal | undefined) {}

  async between(): Promise<void> {
    if (this.signal?.aborted) throw this.signal.reason;
    if (performance.now() - this.last > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.last = performance.now();
      this.signal?.throwIfAborted();
    }
  }
}
