// A Learner holds a model, its closed supervised lens, and the lens's
// parameters (the optimiser's state and the model's parameters) as tensors in
// the arena (see core.ts). Plans are compiled once per batch size and share
// those tensors: training runs the closed lens, evaluation its scoring part.
import type { Para } from "../algebra/para.ts";
import type { Shape, Times, Wires } from "../algebra/shapes.ts";
import { type Compiled, compile } from "../backend/compile.ts";
import { ParalensError, fmtShape, fmtWires } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import { type Data, correct, gather, labels, rows } from "./data.ts";
import { decodeLearnerInto, encodeLearner } from "../io/learner-file.ts";
import { LearnerCore, type SupervisedOptions, floatTensors, learningParts } from "./core.ts";
import { scoringLens, supervisedLens } from "./supervised.ts";

export type { SupervisedOptions } from "./core.ts";

export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training accuracy over the epoch, measured on the batches as they were trained. */
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
  examplesPerSecond: number;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  /** Mean loss of this batch. */
  loss: number;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the examples every epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling. Default 0. */
  seed?: number;
  validation?: { x: Data; y: Data };
  onBatchEnd?: (report: BatchReport) => void;
  onEpochEnd?: (report: EpochReport) => void;
  /** Stops training between two steps; fit then rejects with the signal's reason. Parameters keep the last completed step. */
  signal?: AbortSignal;
}

export interface History {
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

const PREDICT_BATCH = 256;

export class Learner<A extends Wires = Wires, B extends Wires = Wires> extends LearnerCore<Tensor, Float32Array> {
  /** The closed lens (reparam(model, optimiser) x id) ; tap ; loss ; tap ; rate. */
  readonly lens: Para<Times<A, B>, readonly []>;
  private readonly inShape: Shape;
  private readonly outShape: Shape;
  /** The scoring part of the lens, on the bare model: model x id ; tap ; loss. */
  private readonly scoreLens: Para<Times<A, B>, Wires>;
  // a fit uses at most two batch sizes (full batches and the remainder)
  private readonly train = this.planCache<number, Compiled>(4);
  private readonly infer = this.planCache<number, Compiled>(4);
  private readonly scoring = this.planCache<number, Compiled>(4);

  constructor(
    readonly model: Para<A, B>,
    options: SupervisedOptions,
  ) {
    if (model.dom.length !== 1 || model.cod.length !== 1) {
      throw new ParalensError(`supervised: the model must take one wire and give one, but ${model.name} is ${fmtWires(model.dom)} -> ${fmtWires(model.cod)}`);
    }
    const parts = learningParts(options);
    const lens = supervisedLens(model, parts);
    super({ what: "learner", model, specs: lens.params, seed: options.seed, kind: floatTensors });
    this.lens = lens;
    this.inShape = model.dom[0]!;
    this.outShape = model.cod[0]!;
    this.scoreLens = scoringLens(model, parts.loss);
  }

  /** One training step on a batch (its size is the number of rows given); returns the batch's mean loss. */
  step(x: Data, y: Data): number {
    const { values: xs, count } = rows("step x", x, this.inShape);
    const ys = labels("step y", y, this.outShape, count);
    const plan = this.plan(this.train, count, () => compile(this.lens, { batch: count, params: this.state, changes: "params" }));
    plan.inputs[0]!.set(xs);
    plan.inputs[1]!.set(ys);
    plan.forward();
    plan.reverse();
    return mean(plan.observed.get("loss")!.data);
  }

  /** Trains for some epochs of mini-batches. Resolves with the loss and accuracy per epoch. */
  async fit(x: Data, y: Data, options: FitOptions = {}): Promise<History> {
    const { epochs = 1, batchSize = 32, shuffle = true, signal } = options;
    if (!Number.isInteger(epochs) || epochs < 0) throw new ParalensError(`fit: epochs must be a whole number >= 0, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ParalensError(`fit: batchSize must be a whole number >= 1, got ${batchSize}`);
    const { values: xs, count } = rows("fit x", x, this.inShape);
    const ys = labels("fit y", y, this.outShape, count);
    if (count === 0) throw new ParalensError("fit: no examples");
    const validation = options.validation && { x: options.validation.x, y: options.validation.y };
    const rng = new Rng(options.seed ?? 0);
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    const inWidth = xs.length / count;
    const outWidth = ys.length / count;
    const batches = Math.ceil(count / batchSize);
    const history: History = { loss: [], accuracy: [], valLoss: [], valAccuracy: [], seconds: 0 };
    const started = now();
    let lastYield = now();
    signal?.throwIfAborted();

    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = now();
      if (shuffle) rng.shuffle(order);
      let lossSum = 0;
      let hits = 0;
      for (let b = 0; b < batches; b++) {
        const from = b * batchSize;
        const to = Math.min(count, from + batchSize);
        const n = to - from;
        const plan = this.plan(this.train, n, () => compile(this.lens, { batch: n, params: this.state, changes: "params" }));
        gather(plan.inputs[0]!.data, xs, order, from, to, inWidth);
        gather(plan.inputs[1]!.data, ys, order, from, to, outWidth);
        plan.forward();
        plan.reverse();
        const batchLoss = sum(plan.observed.get("loss")!.data);
        lossSum += batchLoss;
        hits += correct(plan.observed.get("prediction")!.data, plan.inputs[1]!.data, n, outWidth);
        options.onBatchEnd?.({ epoch, batch: b + 1, batches, loss: batchLoss / n });
        if (signal?.aborted) throw signal.reason;
        if (now() - lastYield > 50) {
          // let timers (AbortSignal.timeout), rendering and I/O run
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = now();
          signal?.throwIfAborted();
        }
      }
      const seconds = (now() - t0) / 1000;
      const report: EpochReport = { epoch, loss: lossSum / count, accuracy: hits / count, seconds, examplesPerSecond: count / seconds };
      history.loss.push(report.loss);
      history.accuracy.push(report.accuracy);
      if (validation) {
        const v = this.evaluate(validation.x, validation.y);
        report.valLoss = v.loss;
        report.valAccuracy = v.accuracy;
        history.valLoss.push(v.loss);
        history.valAccuracy.push(v.accuracy);
      }
      options.onEpochEnd?.(report);
    }
    history.seconds = (now() - started) / 1000;
    return history;
  }

  /**
   * The model's outputs for some examples, in one flat row-major array: with
   * outputs of size w (the product of the output shape), example i's are
   * `out.subarray(i * w, (i + 1) * w)`.
   */
  predict(x: Data): Float32Array {
    const { values: xs, count } = rows("predict x", x, this.inShape);
    const width = this.outShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count * width);
    const inWidth = xs.length / Math.max(count, 1);
    for (let from = 0; from < count; from += PREDICT_BATCH) {
      const n = Math.min(PREDICT_BATCH, count - from);
      const plan = this.plan(this.infer, n, () => compile(this.model, { batch: n, params: this.params, changes: "none" }));
      plan.inputs[0]!.data.set(xs.subarray(from * inWidth, (from + n) * inWidth));
      plan.forward();
      out.set(plan.outputs[0]!.data, from * width);
    }
    return out;
  }

  /** Mean loss and accuracy on some examples, without training. */
  evaluate(x: Data, y: Data): Evaluation {
    const { values: xs, count } = rows("evaluate x", x, this.inShape);
    const ys = labels("evaluate y", y, this.outShape, count);
    if (count === 0) throw new ParalensError("evaluate: no examples");
    const inWidth = xs.length / count;
    const outWidth = ys.length / count;
    let lossSum = 0;
    let hits = 0;
    for (let from = 0; from < count; from += PREDICT_BATCH) {
      const n = Math.min(PREDICT_BATCH, count - from);
      const plan = this.plan(this.scoring, n, () => compile(this.scoreLens, { batch: n, params: this.params, changes: "none" }));
      plan.inputs[0]!.data.set(xs.subarray(from * inWidth, (from + n) * inWidth));
      plan.inputs[1]!.data.set(ys.subarray(from * outWidth, (from + n) * outWidth));
      plan.forward();
      lossSum += sum(plan.outputs[0]!.data);
      hits += correct(plan.observed.get("prediction")!.data, plan.inputs[1]!.data, n, outWidth);
    }
    return { loss: lossSum / count, accuracy: hits / count };
  }

  /**
   * The model's parameters and the optimiser's state as a safetensors file (see encodeLearner):
   * load() it into the same model and optimiser rebuilt from code and training resumes exactly.
   */
  save(options: { dtype?: "F32" | "F16" } = {}): Uint8Array<ArrayBuffer> {
    return encodeLearner(this, options);
  }

  /** Loads a safetensors file: its header, names and shapes are all checked before any value is written. */
  load(bytes: Uint8Array): void {
    this.checkLive();
    decodeLearnerInto(this, bytes);
  }
}

/** A learner for `model`: its closed supervised lens with parameters initialised from the seed. */
export function supervised<A extends Wires, B extends Wires>(model: Para<A, B>, options: SupervisedOptions): Learner<A, B> {
  return new Learner(model, options);
}

function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

function mean(a: Float32Array): number {
  return a.length === 0 ? 0 : sum(a) / a.length;
}

function now(): number {
  return performance.now();
}
