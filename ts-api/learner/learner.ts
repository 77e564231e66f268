// A Learner holds a model, its closed supervised lens, and the lens's
// parameters (the optimiser's state and the model's parameters) as tensors in
// the arena (see core.ts). Plans are compiled once per batch size and share
// those tensors: training runs the closed lens, evaluation its scoring part.
import { type Para, isLayer } from "../algebra/para.ts";
import { parameterLabels } from "../algebra/parts.ts";
import type { Shape, Times, Wires } from "../algebra/shapes.ts";
import { type Compiled, compile } from "../backend/compile.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import { type Data, type LabelRange, checkRange, correct, correctIndices, describe, gather, labels, refuseNonFinite, rows } from "./data.ts";
import { type Evaluation, type FitOptions, type History, Yielder, emptyHistory, fitOptions, recordEpoch } from "./reports.ts";
import { binaryCrossEntropy, softmaxCrossEntropy } from "../losses/losses.ts";
import { DivergenceError, LossSpikeError, Snapshot, UpdateGuard, allFinite } from "./divergence.ts";
import { LearnerCore, type SupervisedOptions, floatTensors, learningParts } from "./core.ts";
import { scoringLens, supervisedLens } from "./supervised.ts";

export type { SupervisedOptions } from "./core.ts";

export type { BatchReport, CommonFitOptions, EpochReport, Evaluation, FitOptions, History } from "./reports.ts";

const PREDICT_BATCH = 256;
/** fit copies the state this often (in steps), so that a diverging step is found by replaying at most this many. */
const SNAPSHOT_EVERY = 256;

/**
 * A model trained by its closed supervised lens (optimiser ; model ; loss ;
 * rate, Cruttwell et al. section 3): the lens's parameters (optimiser state and
 * model parameters) live in the arena, plans are compiled once per batch size,
 * and one call of the lens's reverse pass is one training step. Make one with
 * `supervised(model, options)`.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(2, 1), { loss: mse, optimiser: sgd(), rate: 0.1 });
 * await learner.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [2]], { epochs: 3 });
 * learner.predict([[1, 1]]).length;  // 1
 * learner.dispose();
 * ```
 *
 * @category Learners
 */
export class Learner<A extends Wires = Wires, B extends Wires = Wires> extends LearnerCore<Tensor, Float32Array> {
  /** The closed lens (reparam(model, optimiser) x id) ; tap ; loss ; tap ; rate. */
  readonly lens: Para<Times<A, B>, readonly []>;
  /** The names of the parts around the model: its loss, optimiser and learning rate (for printing and diagrams). */
  readonly parts: { readonly loss: string; readonly optimiser: string; readonly rate: string };
  private readonly inShape: Shape;
  private readonly outShape: Shape;
  /** The shape of one example's labels: the output's, or its class indices' (labels: "indices"). */
  private readonly labelShape: Shape;
  /** The scoring part of the lens, on the bare model: model x id ; tap ; loss. */
  private readonly scoreLens: Para<Times<A, B>, Wires>;
  // a fit uses at most two batch sizes (full batches and the remainder)
  private readonly train = this.planCache<number, Compiled>(4);
  private readonly infer = this.planCache<number, Compiled>(4);
  private readonly scoring = this.planCache<number, Compiled>(4);
  /** What range labels must lie in, from the loss. */
  private readonly labelRange: LabelRange;
  /** Steps taken by step(), for messages. */
  private steps = 0;
  /** step(): undoes an update that wrote a non-finite value; see UpdateGuard. */
  private readonly guard = new UpdateGuard("step", this.specs.map((s) => s.name), this.state);

  constructor(
    readonly model: Para<A, B>,
    options: SupervisedOptions,
  ) {
    if (!isLayer(model) || model.kind !== "para") throw new ParalensError(`supervised: the model must be a layer of fixed shape (dense(4, 3), seq(...)), got ${isLayer(model) ? `${model.name}, whose shape is set by its input: give it one with .at([n])` : describe(model)}`);
    if (model.dom.length !== 1 || model.cod.length !== 1) {
      throw new ParalensError(`supervised: the model must take one wire and give one, but ${model.name} is ${fmtWires(model.dom)} -> ${fmtWires(model.cod)}`);
    }
    const parts = learningParts(options);
    const out = model.cod[0]!;
    const indices = indexShape(options, out);
    const lens = supervisedLens(model, indices === undefined ? parts : { ...parts, labels: [indices] });
    super({ what: "learner", model, lens, specs: lens.params, seed: options.seed, kind: floatTensors });
    this.lens = lens;
    this.parts = { loss: parts.loss.name, optimiser: options.optimiser?.optimiserName ?? "sgd", rate: parts.rate.name };
    this.inShape = model.dom[0]!;
    this.outShape = out;
    this.labelShape = indices ?? out;
    this.scoreLens = scoringLens(model, parts.loss, [this.labelShape]);
    // class indices pick one of the values of a row: as many as the output has per index
    this.labelRange = indices ? size(out) / size(indices) : parts.loss === softmaxCrossEntropy ? "distribution" : parts.loss === binaryCrossEntropy ? "unit" : "real";
  }

  /**
   * One training step on a batch (its size is the number of rows given); returns the batch's mean loss.
   * If the loss is not finite, or the update made a parameter non-finite (found at the next step),
   * throws a DivergenceError and leaves the learner with the parameters from before that update.
   */
  step(x: Data, y: Data): number {
    this.checkLive();
    this.checkIdle("step");
    // the batch is checked finite where it is copied to, in the engine's memory (a SIMD pass
    // there costs a fraction of a JavaScript loop over the caller's array)
    const { values: xs, count } = rows("step x", x, this.inShape, false);
    if (count === 0) throw new ParalensError("step: no examples");
    const ys = this.labels("step y", y, count);
    const plan = this.trainPlan(count);
    if (!plan.inputs[0]!.set(xs).allFinite()) refuseNonFinite("step x", xs, x, xs.length / count);
    plan.inputs[1]!.set(ys);
    plan.forward();
    const losses = plan.observed.get("loss")!.data;
    this.steps++;
    this.guard.beforeUpdate(plan, count, undefined, this.steps, () => this.trainPlan(count), [xs, ys]);
    plan.reverse();
    return mean(losses);
  }

  /** Sets the model's parameters by name; every name, size and value is checked before any is written. */
  override setParameters(values: Readonly<Record<string, ArrayLike<number>>>): void {
    super.setParameters(values);
    // step()'s copy is of the parameters these replace
    this.guard.forget();
  }

  protected override forgetCopies(): void {
    this.guard.forget();
  }

  /**
   * Trains for some epochs of mini-batches. Resolves with the loss and accuracy per epoch.
   * A step whose loss or update is not finite rejects with a DivergenceError naming the epoch, the
   * step and where the first non-finite value was written; the learner then holds the parameters
   * and optimiser state from before that step.
   */
  fit(x: Data, y: Data, options: FitOptions = {}): Promise<History> {
    return this.exclusive("fit", () => this.fitting(x, y, options));
  }

  private async fitting(x: Data, y: Data, options: FitOptions): Promise<History> {
    // every argument and option is checked here, before the first step changes anything
    const { xs, ys, count, batchSize, epochs, initialEpoch, initialStep, batches, shuffle, signal, factor } = this.fitArguments(x, y, options);
    const rng = new Rng(options.seed ?? 0);
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    const inWidth = xs.length / count;
    const outWidth = ys.length / count;
    // data given as nested arrays (or converted) was copied when checked; a Float32Array is read where it lies
    const live = xs === x || ys === y;
    const history = emptyHistory();
    const started = now();
    const yielder = new Yielder(signal);
    signal?.throwIfAborted();
    // Loads batch b of the epoch's order into its plan and runs the forward pass.
    const forward = (b: number): Compiled => {
      const from = b * batchSize;
      const to = Math.min(count, from + batchSize);
      const plan = this.trainPlan(to - from);
      gather(plan.inputs[0]!.data, xs, order, from, to, inWidth);
      gather(plan.inputs[1]!.data, ys, order, from, to, outWidth);
      // a Float32Array is read where it lies, batch by batch (a copy would double the memory of a
      // large set): a value changed after the call is refused as bad data, naming its row, not taken for divergence
      if (live) this.checkBatch(plan, x, y, count);
      plan.forward();
      return plan;
    };
    const snapshot = new Snapshot(this.state);
    // step()'s copy is of a state this fit is about to change
    this.guard.forget();
    // the order of epoch e depends on every shuffle before it
    if (shuffle) for (let e = 1; e <= initialEpoch; e++) rng.shuffle(order);

    let best = Infinity;
    for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
      const t0 = now();
      if (shuffle) rng.shuffle(order);
      let lossSum = 0;
      let hits = 0;
      // a resumed epoch starts after the steps it had already trained
      const first = epoch === initialEpoch + 1 ? initialStep : 0;
      // saved after its last step: reported by the fit that trained it
      if (first === batches) continue;
      const seen = count - Math.min(count, first * batchSize);
      let snapshotAt = first;
      snapshot.take(this.state);
      for (let b = first; b < batches; b++) {
        const plan = forward(b);
        const n = plan.batch;
        const losses = plan.observed.get("loss")!.data;
        if (!allFinite(losses, n)) this.diverged(epoch, b, snapshot, snapshotAt, forward);
        const batchLoss = sum(losses);
        // checked before the update: the learner keeps the state from before the spiking step
        if (factor !== undefined && best > 0 && batchLoss / n > factor * best) throw new LossSpikeError(epoch, b + 1, batchLoss / n, best, factor);
        best = Math.min(best, batchLoss / n);
        if (b - snapshotAt >= SNAPSHOT_EVERY) {
          if (!this.stateFinite()) this.diverged(epoch, b, snapshot, snapshotAt, forward);
          snapshot.take(this.state);
          snapshotAt = b;
        }
        plan.reverse();
        lossSum += batchLoss;
        hits += this.correct(plan, n);
        options.onBatchEnd?.({ epoch, batch: b + 1, batches, loss: batchLoss / n });
        await yielder.between();
      }
      // the last update of the epoch has no forward pass after it to show a non-finite parameter
      if (!this.stateFinite()) this.diverged(epoch, batches, snapshot, snapshotAt, forward);
      const v = options.validation;
      const validate = v === undefined ? undefined : () => this.score("fit validation", v.x, v.y);
      recordEpoch(history, { epoch, loss: lossSum / seen, accuracy: hits / seen, examples: seen, started: t0 }, validate, options.onEpochEnd);
    }
    history.seconds = (now() - started) / 1000;
    return history;
  }

  /** fit's arguments and options, each checked (named, with its value) before anything is trained. */
  private fitArguments(x: Data, y: Data, options: FitOptions) {
    const { epochs, batchSize, shuffle, signal, validation, factor, initialEpoch, initialStep, must } = fitOptions(options);
    const { values: xs, count } = rows("fit x", x, this.inShape);
    const ys = this.labels("fit y", y, count);
    if (count === 0) throw new ParalensError("fit: no examples");
    if (validation !== undefined) {
      must("validation", typeof validation === "object" && validation !== null, "{ x, y }", validation);
      const n = rows("fit validation x", validation.x, this.inShape).count;
      this.labels("fit validation y", validation.y, n);
      if (n === 0) throw new ParalensError("fit validation: no examples");
    }
    const batches = Math.ceil(count / batchSize);
    if (initialStep > batches) throw new ParalensError(`fit: initialStep must be in 0..${batches} (the batches of an epoch of ${count} examples in batches of ${batchSize}), got ${initialStep}`);
    return { xs, ys, count, batchSize, epochs, initialEpoch, initialStep, batches, shuffle, signal, factor };
  }

  /**
   * Throws if a batch gathered from fit's data holds a value the call would have refused (the data
   * changed while fit ran): the data is checked again, and the error names the row and the value.
   */
  private checkBatch(plan: Compiled, x: Data, y: Data, count: number): void {
    const ys = plan.inputs[1]!.data;
    try {
      if (plan.inputs[0]!.allFinite() && plan.inputs[1]!.allFinite()) return checkRange("", ys, ys.length / plan.batch, this.labelRange);
    } catch {}
    try {
      rows("fit x", x, this.inShape);
      this.labels("fit y", y, count);
    } catch (err) {
      (err as Error).message += " (checked when fit was called: the data changed while fit ran)";
      throw err;
    }
  }

  /**
   * Finds the first step in [from, upTo] of an epoch whose loss or update is
   * not finite, by replaying from the snapshot taken before step `from`, and
   * throws a DivergenceError for it, leaving the state from before that step.
   */
  private diverged(epoch: number, upTo: number, snapshot: Snapshot, from: number, forward: (b: number) => Compiled): never {
    snapshot.restore(this.state);
    const before = new Snapshot(this.state);
    const kept = "The learner holds the parameters and optimiser state from before that step.";
    for (let b = from; b <= upTo; b++) {
      before.take(this.state);
      const plan = forward(b);
      if (!allFinite(plan.observed.get("loss")!.data, plan.batch)) {
        throw new DivergenceError(epoch, b + 1, plan.locateNonFinite("forward"), "fit", kept);
      }
      plan.reverse();
      if (!this.stateFinite()) {
        before.restore(this.state);
        forward(b);
        const site = plan.locateNonFinite("reverse");
        before.restore(this.state);
        throw new DivergenceError(epoch, b + 1, site, "fit", kept);
      }
    }
    // not reproduced (it cannot be, steps being deterministic): say what is known
    throw new DivergenceError(epoch, upTo + 1, undefined, "fit", "The learner holds the parameters and optimiser state of the last copy taken before it.");
  }

  /** Labels as this learner takes them: rows shaped like the output, or class indices. */
  private labels(what: string, y: Data, count: number): Float32Array {
    return labels(what, y, this.labelShape, count, this.labelRange);
  }

  /** How many of a plan's n examples its predictions got right (shares of their tokens, with class indices). */
  private correct(plan: Compiled, n: number): number {
    const [pred, truth, range] = [plan.observed.get("prediction")!.data, plan.inputs[1]!.data, this.labelRange];
    return typeof range === "number" ? correctIndices(pred, truth, n, range) : correct(pred, truth, n, truth.length / n);
  }

  private stateFinite(): boolean {
    return this.state.every((t) => t.allFinite());
  }

  private trainPlan(n: number): Compiled {
    // a diverging step's message names the layer of a parameter: "2: dense(16 -> 3).weight"
    return this.plan(this.train, n, () => compile(this.lens, { batch: n, params: this.state, changes: "params", labels: parameterLabels(this.model) }));
  }

  /**
   * The model's outputs for some examples, in one flat row-major array: with
   * outputs of size w (the product of the output shape), example i's are
   * `out.subarray(i * w, (i + 1) * w)`.
   */
  predict(x: Data): Float32Array {
    this.checkLive();
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

  /** Mean loss and accuracy on some examples, without training. A row whose prediction is not finite counts as wrong. */
  evaluate(x: Data, y: Data): Evaluation {
    this.checkLive();
    return this.score("evaluate", x, y);
  }

  private score(what: string, x: Data, y: Data): Evaluation {
    const { values: xs, count } = rows(`${what} x`, x, this.inShape);
    const ys = this.labels(`${what} y`, y, count);
    if (count === 0) throw new ParalensError(`${what}: no examples`);
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
      hits += this.correct(plan, n);
    }
    return { loss: lossSum / count, accuracy: hits / count };
  }
}

/**
 * A learner for `model`: its closed supervised lens with parameters initialised from the seed.
 *
 * @example
 * ```ts
 * const learner = supervised(seq(dense(4, 8, "relu"), dense(8, 3)), { loss: softmaxCrossEntropy, optimiser: adam() });
 * await learner.fit([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6, 2.5]], [[1, 0, 0], [0, 0, 1]], { epochs: 2 });
 * learner.dispose();
 * ```
 *
 * @category Learners
 */
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

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** With labels: "indices", the shape of one example's class indices, as the loss declares it. */
function indexShape(options: SupervisedOptions, out: Shape): Shape | undefined {
  const kind = options.labels ?? "values";
  if (kind !== "values" && kind !== "indices") throw new ParalensError(`supervised: labels must be "values" or "indices", got ${describe(kind)}`);
  if (kind === "values") return undefined;
  const shape = options.loss?.indexShape?.(out);
  if (shape === undefined) throw new ParalensError(`supervised: labels "indices" needs the loss softmaxCrossEntropy or tokenCrossEntropy, got ${options.loss?.name}`);
  return shape;
}
