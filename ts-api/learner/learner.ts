// A Learner holds a model, its closed supervised lens, and the lens's
// parameters (the optimiser's state and the model's parameters) as tensors in
// the arena. Plans are compiled once per batch size and share those tensors.
import { par, seqOf } from "../algebra/compose.ts";
import type { Para, ParamSpec } from "../algebra/para.ts";
import { type Shape, type Wires } from "../algebra/shapes.ts";
import { id, tap } from "../algebra/structure.ts";
import { type Compiled, compile } from "../backend/compile.ts";
import { engine } from "../engine/engine.ts";
import { ParalensError, fmtShape, fmtWires } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import type { Loss } from "../losses/losses.ts";
import { type Rate, constantRate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";
import { sgd } from "../optimisers/optimisers.ts";
import { type Data, correct, gather, labels, rows } from "./data.ts";
import { decodeLearnerInto, encodeLearner } from "../io/learner-file.ts";
import { PlanCache } from "./plan-cache.ts";
import { supervisedLens } from "./supervised.ts";

export interface SupervisedOptions {
  loss: Loss;
  /** Default: sgd(). */
  optimiser?: Optimiser;
  /** A rate lens, or a number for constantRate(number). Default 0.01. */
  rate?: Rate | number;
  /** Seeds the parameters' initialisers. Default 0. */
  seed?: number;
}

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

export class Learner<A extends Wires = Wires, B extends Wires = Wires> {
  /** The closed lens (optimiser ; model) x id ; loss ; rate. */
  readonly lens: Para<Wires, readonly []>;
  /** Its parameter wires: optimiser state and model parameters. */
  readonly specs: readonly ParamSpec[];
  /** The tensors of those wires, in the same order. */
  readonly state: readonly Tensor[];
  /** The model's own parameters, in model.params order (a subset of state). */
  readonly params: readonly Tensor[];
  private readonly inShape: Shape;
  private readonly outShape: Shape;
  private readonly evalLens: Para<Wires, Wires>;
  // a fit uses at most two batch sizes (full batches and the remainder)
  private readonly train = new PlanCache<number, Compiled>(4);
  private readonly infer = new PlanCache<number, Compiled>(4);
  private readonly scoring = new PlanCache<number, Compiled>(4);
  private disposed = false;

  constructor(
    readonly model: Para<A, B>,
    options: SupervisedOptions,
  ) {
    if (model.dom.length !== 1 || model.cod.length !== 1) {
      throw new ParalensError(`supervised: the model must take one wire and give one, but ${model.name} is ${fmtWires(model.dom)} -> ${fmtWires(model.cod)}`);
    }
    this.inShape = model.dom[0]!;
    this.outShape = model.cod[0]!;
    const rate = typeof options.rate === "number" ? constantRate(options.rate) : (options.rate ?? constantRate(0.01));
    this.lens = supervisedLens(model, { loss: options.loss, optimiser: options.optimiser ?? sgd(), rate });
    this.specs = this.lens.params;
    const rng = new Rng(options.seed ?? 0);
    const e = engine();
    // Model parameters are initialised in model order from one stream, so a
    // seed gives the same model whatever the optimiser; state follows.
    const initial = new Map(model.params.map((p) => [p.name, p.init(p.shape, rng)]));
    this.state = this.specs.map((s) => e.tensor(s.shape, initial.get(s.name) ?? s.init(s.shape, rng)));
    const byName = new Map(this.specs.map((s, i) => [s.name, this.state[i]!]));
    this.params = model.params.map((p) => {
      const t = byName.get(p.name);
      if (t === undefined) throw new ParalensError(`supervised: the optimiser does not pass parameter "${p.name}" through`);
      return t;
    });
    const pair = [this.outShape, this.outShape];
    this.evalLens = seqOf([par(model, id([this.outShape]) as Para<Wires, Wires>), tap(["prediction", "label"], pair), options.loss.at(pair)]) as Para<Wires, Wires>;
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

  /** The model's outputs for some examples, as rows of the output shape. */
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
      const plan = this.plan(this.scoring, n, () => compile(this.evalLens, { batch: n, params: this.params, changes: "none" }));
      plan.inputs[0]!.data.set(xs.subarray(from * inWidth, (from + n) * inWidth));
      plan.inputs[1]!.data.set(ys.subarray(from * outWidth, (from + n) * outWidth));
      plan.forward();
      lossSum += sum(plan.outputs[0]!.data);
      hits += correct(plan.observed.get("prediction")!.data, plan.inputs[1]!.data, n, outWidth);
    }
    return { loss: lossSum / count, accuracy: hits / count };
  }

  /** Copies of the model's parameters, by name. */
  parameters(): Record<string, Float32Array> {
    return Object.fromEntries(this.model.params.map((p, i) => [p.name, this.params[i]!.toArray()]));
  }

  /** Sets the model's parameters by name; every name and size is checked before any value is written. */
  setParameters(values: Readonly<Record<string, ArrayLike<number>>>): void {
    const known = new Set(this.model.params.map((p) => p.name));
    for (const name of Object.keys(values)) {
      if (!known.has(name)) throw new ParalensError(`setParameters: ${this.model.name} has no parameter "${name}"`);
    }
    this.model.params.forEach((p, i) => {
      const v = values[p.name];
      if (v === undefined) throw new ParalensError(`setParameters: missing parameter "${p.name}"`);
      if (v.length !== this.params[i]!.size) {
        throw new ParalensError(`setParameters: "${p.name}" is ${fmtShape(p.shape)} (${this.params[i]!.size} values), got ${v.length}`);
      }
    });
    this.model.params.forEach((p, i) => this.params[i]!.set(values[p.name]!));
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
    if (this.disposed) throw new ParalensError("learner: used after dispose()");
    decodeLearnerInto(this, bytes);
  }

  /** Frees the plans and the parameters. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const cache of [this.train, this.infer, this.scoring]) cache.clear();
    for (const t of this.state) t.dispose();
  }

  private plan(cache: PlanCache<number, Compiled>, batch: number, make: () => Compiled): Compiled {
    if (this.disposed) throw new ParalensError("learner: used after dispose()");
    return cache.get(batch, make);
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
