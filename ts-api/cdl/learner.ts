// Training models whose shape depends on the data: a fold per list length, a
// tree fold per tree shape, a set model per set size. A compiled plan is
// static (one length, one shape, one batch size), so a StructuredLearner
// keeps one model per structure key and one plan per (key, batch size), all
// bound to the same parameter and optimiser-state tensors: the models of
// different keys have the same parameters (the cells'), so every plan trains
// the one shared set. Batches are formed within a key (bucketing), which
// keeps results exact: no padding, no masks, nothing computed that the
// structure does not contain.
import type { Para } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { type Compiled, compile } from "../backend/compile.ts";
import { ParalensError, fmtShape, fmtWires } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import { LearnerCore, type SupervisedOptions, floatTensors, learningParts } from "../learner/core.ts";
import { type LabelRange, checkRange, correct, describe, rows as validRows } from "../learner/data.ts";
import { UpdateGuard } from "../learner/divergence.ts";
import { binaryCrossEntropy, softmaxCrossEntropy } from "../losses/losses.ts";
import type { PlanCache } from "../learner/plan-cache.ts";
import { type LearningParts, scoringLens, supervisedLens } from "../learner/supervised.ts";
import { type CommonFitOptions, type Evaluation, type History, Yielder, commonFitOptions, emptyHistory, recordEpoch } from "../learner/reports.ts";

/**
 * Examples of one structure: a flat array per model input wire, and the labels.
 *
 * @category Learners
 */
export interface Bucket {
  readonly key: string | number;
  readonly x: readonly ArrayLike<number>[];
  readonly y: ArrayLike<number>;
}

/**
 * Options of StructuredLearner.fit: those of every learner's fit, with buckets as the validation data.
 *
 * @category Learners
 */
export type StructuredFitOptions = CommonFitOptions<readonly Bucket[]>;

/**
 * Options of `StructuredLearner`: those of `supervised`, the structure key whose model fixes the parameters, and the plan cache size.
 *
 * @category Learners
 */
export interface StructuredOptions extends SupervisedOptions {
  /** Any structure key: its model fixes the parameters, which the models of every other key must have too. */
  key: string | number;
  /** How many compiled plans to keep (least recently used ones are freed). Default 64. */
  maxPlans?: number;
}

/** The model of one structure key and its closed supervised lens. */
interface Structure {
  readonly model: Para<Wires, Wires>;
  readonly lens: Para<Wires, readonly []>;
}

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const PREDICT_BATCH = 256;

/**
 * A learner for a family of models, one per structure key, sharing one set of parameters.
 *
 * @example
 * ```ts
 * const rnn = fold({ nil: point([16]), cons: gru(1, 16) });
 * const learner = new StructuredLearner((T) => seq(rnn.at(Number(T)), dense(16, 1)), { key: 5, loss: mse, optimiser: adam() });
 * const x = learner.model(5).dom.map((s) => new Float32Array(2 * s.reduce((a, b) => a * b, 1)));
 * learner.step(5, x, [0, 0]);   // a batch of two lists of length 5, as one array per input wire
 * learner.dispose();
 * ```
 *
 * @category Learners
 */
export class StructuredLearner extends LearnerCore<Tensor, Float32Array> {
  /** The model of the first key: every other key's model must have its parameters. */
  private readonly first: Para<Wires, Wires>;
  private readonly parts: LearningParts;
  private readonly models = new Map<string, Structure>();
  private readonly plans: PlanCache<string, Compiled>;
  /** What range labels must lie in, from the loss. */
  private readonly labelRange: LabelRange;
  /** Undoes an update that wrote a non-finite value; see UpdateGuard. */
  private readonly guard: UpdateGuard;
  /** Steps taken by step(), for messages. */
  private steps = 0;

  constructor(
    private readonly build: (key: string) => Para<Wires, Wires>,
    options: StructuredOptions,
  ) {
    const parts = learningParts(options, "StructuredLearner");
    const first = structure(build, String(options.key), parts);
    super({ what: "StructuredLearner", model: first.model, lens: first.lens, specs: first.lens.params, seed: options.seed, kind: floatTensors });
    this.first = first.model;
    this.parts = parts;
    this.models.set(String(options.key), first);
    this.plans = this.planCache(options.maxPlans ?? 64);
    this.labelRange = parts.loss === softmaxCrossEntropy ? "distribution" : parts.loss === binaryCrossEntropy ? "unit" : "real";
    this.guard = new UpdateGuard("StructuredLearner", this.specs.map((s) => s.name), this.state);
  }

  /** The model of a structure key. */
  model(key: string | number): Para<Wires, Wires> {
    return this.entry(String(key)).model;
  }

  /**
   * One training step on a batch of one structure; returns the batch's mean loss.
   * If the loss is not finite, or the last update made a parameter non-finite (found here),
   * throws a DivergenceError and leaves the learner with the state from before that update.
   */
  step(key: string | number, x: readonly ArrayLike<number>[], y: ArrayLike<number>): number {
    const batch = this.checked("step", this.model(key), x, y);
    this.steps++;
    return this.train(key, batch.n, undefined, this.steps, (inputs) => {
      batch.x.forEach((v, i) => inputs[i]!.set(v));
      inputs[x.length]!.set(batch.y);
    }).loss;
  }

  /** Sets the model's parameters by name; every name, size and value is checked before any is written. */
  override setParameters(values: Readonly<Record<string, ArrayLike<number>>>): void {
    super.setParameters(values);
    this.guard.forget();
  }

  protected override forgetCopies(): void {
    this.guard.forget();
  }

  /** Runs one training step of a plan for (key, n), after `fill` has written the batch into its inputs: its mean loss and how many it got right. */
  private train(key: string | number, n: number, epoch: number | undefined, step: number, fill: (inputs: readonly Tensor[]) => void): { loss: number; hits: number } {
    const replan = (): Compiled => this.plan(this.plans, `train ${key} ${n}`, () => compile(this.entry(String(key)).lens, { batch: n, params: this.state, changes: "params" }));
    const plan = replan();
    fill(plan.inputs);
    plan.forward();
    const losses = plan.observed.get("loss")!.data;
    this.guard.beforeUpdate(plan, n, epoch, step, replan);
    const prediction = plan.observed.get("prediction")!.data;
    const label = plan.observed.get("label")!.data;
    const hits = correct(prediction, label, n, label.length / n);
    plan.reverse();
    let s = 0;
    for (let i = 0; i < n; i++) s += losses[i]!;
    return { loss: s / n, hits };
  }

  /**
   * Trains on buckets of examples; resolves with the loss and accuracy of every epoch (as
   * Learner.fit). Batches are formed within a bucket and shuffled across buckets every epoch.
   * A step whose loss or update is not finite rejects with a DivergenceError naming the epoch and
   * the step; the learner then holds the parameters and optimiser state from before that step.
   */
  fit(buckets: readonly Bucket[], options: StructuredFitOptions = {}): Promise<History> {
    return this.exclusive("fit", () => this.fitting(buckets, options));
  }

  private async fitting(buckets: readonly Bucket[], options: StructuredFitOptions): Promise<History> {
    const { epochs, batchSize, shuffle, signal, validation } = commonFitOptions(options, "StructuredLearner");
    // every bucket is checked before any step is taken
    const checked = this.buckets("fit", buckets);
    if (validation !== undefined) this.buckets("fit validation", validation);
    const rng = new Rng(options.seed ?? 0);
    const history = emptyHistory();
    const started = performance.now();
    const yielder = new Yielder(signal);
    signal?.throwIfAborted();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const batches: { bucket: (typeof checked)[number]; rows: number[] }[] = [];
      for (const bucket of checked) {
        const n = bucket.n;
        const order = Array.from({ length: n }, (_, i) => i);
        if (shuffle) rng.shuffle(order);
        for (let from = 0; from < n; from += batchSize) batches.push({ bucket, rows: order.slice(from, from + batchSize) });
      }
      if (shuffle) rng.shuffle(batches);
      let total = 0;
      let hits = 0;
      let count = 0;
      let step = 0;
      for (const { bucket, rows } of batches) {
        const model = this.model(bucket.key);
        const result = this.train(bucket.key, rows.length, epoch, ++step, (inputs) => {
          bucket.x.forEach((v, i) => pick(inputs[i]!.data, v, rows, size(model.dom[i]!)));
          pick(inputs[bucket.x.length]!.data, bucket.y, rows, size(model.cod[0]!));
        });
        total += result.loss * rows.length;
        hits += result.hits;
        count += rows.length;
        options.onBatchEnd?.({ epoch, batch: step, batches: batches.length, loss: result.loss });
        await yielder.between();
      }
      // the epoch's last update has no forward pass after it to show a non-finite value
      this.guard.settle();
      const validate = validation === undefined ? undefined : () => this.evaluate(validation);
      recordEpoch(history, { epoch, loss: total / count, accuracy: hits / count, examples: count, started: t0 }, validate, options.onEpochEnd);
    }
    history.seconds = (performance.now() - started) / 1000;
    return history;
  }

  /**
   * The mean loss and the accuracy over buckets of examples (as Learner.evaluate: the argmax
   * matches for several outputs, the side of 0.5 for one).
   */
  evaluate(buckets: readonly Bucket[]): Evaluation {
    let loss = 0;
    let hits = 0;
    let count = 0;
    for (const bucket of this.buckets("evaluate", buckets)) {
      const { model } = this.entry(String(bucket.key));
      for (let from = 0; from < bucket.n; from += PREDICT_BATCH) {
        const n = Math.min(PREDICT_BATCH, bucket.n - from);
        const rows = Array.from({ length: n }, (_, i) => from + i);
        const plan = this.plan(this.plans, `score ${bucket.key} ${n}`, () => compile(scoringLens(model, this.parts.loss), { batch: n, params: this.params, changes: "none" }));
        bucket.x.forEach((v, i) => pick(plan.inputs[i]!.data, v, rows, size(model.dom[i]!)));
        pick(plan.inputs[bucket.x.length]!.data, bucket.y, rows, size(model.cod[0]!));
        plan.forward();
        const losses = plan.outputs[0]!.data;
        for (let i = 0; i < n; i++) loss += losses[i]!;
        hits += correct(plan.observed.get("prediction")!.data, plan.observed.get("label")!.data, n, size(model.cod[0]!));
        count += n;
      }
    }
    return { loss: loss / count, accuracy: hits / count };
  }

  /** Buckets checked (each bucket's examples and labels, see checked()), with their keys. */
  private buckets(what: string, buckets: readonly Bucket[]): { key: string | number; n: number; x: Float32Array[]; y: Float32Array }[] {
    if (!Array.isArray(buckets)) throw new ParalensError(`${what}: expected an array of buckets ({ key, x, y }), got ${describe(buckets)}`);
    if (buckets.length === 0) throw new ParalensError(`${what}: no buckets`);
    return buckets.map((bucket, b) => {
      if (typeof bucket !== "object" || bucket === null) throw new ParalensError(`${what}: bucket ${b} is ${describe(bucket)}, expected { key, x, y }`);
      return { key: bucket.key, ...this.checked(`${what} bucket ${b} (key ${String(bucket.key)})`, this.model(bucket.key), bucket.x, bucket.y) };
    });
  }

  /** The model's first output for examples of one structure. */
  predict(key: string | number, x: readonly ArrayLike<number>[]): Float32Array {
    const { model } = this.entry(String(key));
    const count = x[0] ? x[0].length / size(model.dom[0]!) : 0;
    const width = size(model.cod[0]!);
    const out = new Float32Array(count * width);
    for (let from = 0; from < count; from += PREDICT_BATCH) {
      const n = Math.min(PREDICT_BATCH, count - from);
      const plan = this.plan(this.plans, `predict ${key} ${n}`, () => compile(model, { batch: n, params: this.params, changes: "none" }));
      x.forEach((v, i) => {
        const w = size(model.dom[i]!);
        plan.inputs[i]!.set(Float32Array.from({ length: n * w }, (_, j) => v[from * w + j]!));
      });
      plan.forward();
      out.set(plan.outputs[0]!.data, from * width);
    }
    return out;
  }

  private entry(key: string): Structure {
    let found = this.models.get(key);
    if (found === undefined) {
      found = structure(this.build, key, this.parts);
      sameParams(key, found.model, this.first);
      this.models.set(key, found);
    }
    return found;
  }

  /**
   * The number of examples in a batch, after checking it: every input and the labels are
   * flat arrays of finite numbers (nothing coerced), of whole examples, as many of each;
   * labels in the range of the loss.
   */
  private checked(what: string, model: Para<Wires, Wires>, x: readonly ArrayLike<number>[], y: ArrayLike<number>): { n: number; x: Float32Array[]; y: Float32Array } {
    if (!Array.isArray(x)) throw new ParalensError(`${what} x: expected one array per input wire of ${model.name}, got ${describe(x)}`);
    if (x.length !== model.dom.length) throw new ParalensError(`StructuredLearner: ${model.name} takes ${model.dom.length} input wire(s), got ${x.length} arrays`);
    const labels = validRows(`${what} y`, y, model.cod[0]!);
    const n = labels.count;
    const inputs = x.map((v, i) => {
      const width = size(model.dom[i]!);
      if (typeof v === "object" && v !== null && v.length !== n * width) {
        throw new ParalensError(`StructuredLearner: input ${i} of ${model.name} holds ${v.length} values, expected ${n} examples of ${fmtShape(model.dom[i]!)} (from ${y.length} labels)`);
      }
      // a wire of no values (the empty list of a fold) has nothing to check
      return width === 0 ? new Float32Array(0) : validRows(`${what} x[${i}]`, v, model.dom[i]!).values;
    });
    if (n < 1) throw new ParalensError(`${what}: no examples`);
    checkRange(`${what} y`, labels.values, size(model.cod[0]!), this.labelRange);
    return { n, x: inputs, y: labels.values };
  }
}

/** The model of a structure key, which must give one wire, and its closed lens. */
function structure(build: (key: string) => Para<Wires, Wires>, key: string, parts: LearningParts): Structure {
  const model = build(key);
  if (model.cod.length !== 1) throw new ParalensError(`StructuredLearner: the model for "${key}" must give one wire, ${model.name} gives ${fmtWires(model.cod)}`);
  return { model, lens: supervisedLens(model, parts) };
}

function sameParams(key: string, model: Para<Wires, Wires>, first: Para<Wires, Wires>): void {
  const sig = (m: Para<Wires, Wires>): string => m.params.map((p) => `${p.name} ${fmtShape(p.shape)}`).join(", ");
  if (sig(model) !== sig(first)) {
    throw new ParalensError(`StructuredLearner: the model for "${key}" has parameters ${sig(model)}, but the first model has ${sig(first)}; every structure must share one set`);
  }
}

/** Copies the rows `rows` of values (rows of `width`) into dst, in order. */
function pick(dst: Float32Array, values: ArrayLike<number>, rows: readonly number[], width: number): void {
  rows.forEach((r, i) => {
    for (let j = 0; j < width; j++) dst[i * width + j] = values[r * width + j]!;
  });
}
