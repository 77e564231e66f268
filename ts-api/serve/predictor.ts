// Serving a model: predict(row) calls that arrive close together run as one
// compiled forward pass (see batcher.ts). A plan is compiled for each power
// of two up to maxBatch (and maxBatch itself), and a batch runs on the
// smallest that holds it, the rest zero rows: at most twice the rows, from
// about log2(maxBatch) plans, where a plan per size would compile maxBatch of
// them and one plan of maxBatch would make a lone row pay for a full batch.
// Measured on the MNIST MLP (784-128-10) for maxBatch 64, the mean forward
// pass over batch sizes 1..64 takes 481 us with a plan per size, 650 us with
// these 7 plans and 931 us with one plan of 64; the 64 plans take 0.6 s to
// compile and ~16x the activation memory of these 7.
// Each row's outputs are computed from its own inputs only, in an order that
// does not depend on the batch (the kernels' contract, checked by the tests),
// so a row gets the same bits alone or in any batch.
import { type Para, isLayer } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { type Compiled, compile } from "../backend/compile.ts";
import { engine } from "../engine/init.ts";
import { ParalensError, describe, fmtShape, fmtWires } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Learner } from "../learner/learner.ts";
import { Batcher } from "./batcher.ts";
import { checkRow } from "./rows.ts";
import { type BatchingOptions, batching } from "./options.ts";

/**
 * A model and its parameters by name (as `learner.parameters()` gives them), to serve without a Learner.
 *
 * @category Serving
 */
export interface ModelWithParameters<A extends Wires = Wires, B extends Wires = Wires> {
  /** A layer of fixed shape taking one wire and giving one. */
  model: Para<A, B>;
  /** Every parameter of the model, by name, row-major. */
  parameters: Readonly<Record<string, ArrayLike<number>>>;
}

/**
 * What a predictor has done so far (for a server's metrics).
 *
 * @category Serving
 */
export interface PredictorStats {
  /** predict() calls taken into the queue. */
  requests: number;
  /** predict() calls refused because the queue was full (bad rows are not counted). */
  refused: number;
  /** Forward passes run. */
  batches: number;
  /** Rows answered: rows / batches is the mean batch. */
  rows: number;
  /** Zero rows run to fill a plan larger than its batch. */
  paddedRows: number;
  /** Rows waiting now. */
  queued: number;
}

/**
 * Answers rows one call at a time, running the calls that arrive within
 * `maxDelayMs` of each other (up to `maxBatch`) as one forward pass. Make one
 * with `predictor(learner, options)`.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(2, 1), { loss: mse });
 * const p = predictor(learner, { maxBatch: 8 });
 * const [a, b] = await Promise.all([p.predict([1, 2]), p.predict([3, 4])]);  // one batch of 2
 * a.length;  // 1
 * await p.close();
 * learner.dispose();
 * ```
 *
 * @category Serving
 */
export class Predictor {
  /** How many values one input row holds. */
  readonly inWidth: number;
  /** How many values one output row holds. */
  readonly outWidth: number;
  private readonly inShape: Shape;
  private readonly plans: Compiled[] = [];
  private readonly batcher: Batcher<Float32Array, Float32Array>;
  private paddedRows = 0;
  private disposed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly model: Para,
    private readonly params: readonly Tensor[],
    /** Tensors made for this predictor (from given parameters), freed by close(). */
    private readonly owned: readonly Tensor[],
    options: BatchingOptions,
  ) {
    const settings = batching("predictor", options);
    this.inShape = model.dom[0]!;
    this.inWidth = size(this.inShape);
    this.outWidth = size(model.cod[0]!);
    // every plan compiled now: a model too large for the arena is refused here, not at the first request
    try {
      for (const n of planSizes(settings.maxBatch)) this.plans.push(compile(model, { batch: n, params, changes: "none" }));
    } catch (err) {
      this.release();
      throw err;
    }
    this.batcher = new Batcher("predictor", settings, (rows) => this.forward(rows), "rows");
  }

  /**
   * The model's outputs for one row (its input's values, row-major: `inWidth` finite numbers).
   * Rejects only this call if the row is not valid, if the queue is full (maxQueue) or after close().
   */
  predict(row: ArrayLike<number>): Promise<Float32Array> {
    let values: Float32Array;
    try {
      if (this.disposed || this.batcher.closed) throw new ParalensError("predictor: closed; no new calls are taken after close()");
      this.checkParams();
      values = checkRow("predict", row, this.inShape);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.batcher.submit(values);
  }

  /** What has been done so far and what waits now. */
  stats(): PredictorStats {
    const c = this.batcher.counts;
    return { requests: c.accepted, refused: c.refused, batches: c.batches, rows: c.items, paddedRows: this.paddedRows, queued: this.batcher.queued };
  }

  /** Answers every row waiting, then refuses new calls and frees the plans. Resolves when done; calling it again gives the same promise. */
  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(() => this.release());
    return this.closing;
  }

  /** Throws if the parameters were freed under the plans (the learner disposed before the predictor was closed). */
  private checkParams(): void {
    if (this.params.some((t) => t.isDisposed)) throw new ParalensError("predictor: the model's parameters were disposed (learner.dispose()); close() the predictor before disposing its learner");
  }

  /** One forward pass for a batch: the smallest plan that holds it, the rows after it zero. */
  private forward(rows: readonly Float32Array[]): Float32Array[] {
    this.checkParams();
    const plan = this.plans.find((p) => p.batch >= rows.length)!;
    const input = plan.inputs[0]!.data;
    rows.forEach((r, i) => input.set(r, i * this.inWidth));
    input.fill(0, rows.length * this.inWidth);
    this.paddedRows += plan.batch - rows.length;
    plan.forward();
    const out = plan.outputs[0]!.data;
    return rows.map((_, i) => out.slice(i * this.outWidth, (i + 1) * this.outWidth));
  }

  private release(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.plans) p.dispose();
    for (const t of this.owned) t.dispose();
  }
}

/** The batch sizes a predictor compiles plans for: the powers of two below maxBatch, and maxBatch. */
export function planSizes(maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let n = 1; n < maxBatch; n *= 2) sizes.push(n);
  sizes.push(maxBatch);
  return sizes;
}

/**
 * A Predictor for a learner (its parameters as they are at each batch: a
 * step taken meanwhile is seen whole by the next batch) or for a model with
 * its parameters by name. Options: maxBatch (default 32), maxDelayMs
 * (default 0) and maxQueue (default 1024); see BatchingOptions.
 *
 * @example
 * ```ts
 * const model = dense(2, 1);
 * const p = predictor({ model, parameters: { weight: [0.5, -1], bias: [0] } }, { maxDelayMs: 0 });
 * (await p.predict([2, 1]))[0];  // 0
 * await p.close();
 * ```
 *
 * @category Serving
 */
export function predictor(source: Learner | ModelWithParameters, options: BatchingOptions = {}): Predictor {
  if (source instanceof Learner) return new Predictor(source.model, source.params, [], options);
  if (typeof source !== "object" || source === null || !("model" in source) || !("parameters" in source)) {
    throw new ParalensError(`predictor: expected a Learner or { model, parameters }, got ${describe(source)}`);
  }
  const { model, parameters } = source;
  if (!isLayer(model) || model.kind !== "para") throw new ParalensError(`predictor: the model must be a layer of fixed shape (dense(4, 3), seq(...)), got ${describe(model)}`);
  if (model.dom.length !== 1 || model.cod.length !== 1) throw new ParalensError(`predictor: the model must take one wire and give one, but ${model.name} is ${fmtWires(model.dom)} -> ${fmtWires(model.cod)}`);
  if (typeof parameters !== "object" || parameters === null) throw new ParalensError(`predictor: parameters must be an object of arrays by name, got ${describe(parameters)}`);
  const known = new Set(model.params.map((p) => p.name));
  for (const name of Object.keys(parameters)) {
    if (!known.has(name)) throw new ParalensError(`predictor: ${model.name} has no parameter "${name}" (its parameters: ${[...known].join(", ")})`);
  }
  for (const p of model.params) {
    const v = parameters[p.name];
    if (v === undefined) throw new ParalensError(`predictor: missing parameter "${p.name}"`);
    if (typeof v !== "object" || v === null || typeof v.length !== "number") throw new ParalensError(`predictor: parameter "${p.name}" must be an array of numbers, got ${describe(v)}`);
    if (v.length !== size(p.shape)) throw new ParalensError(`predictor: "${p.name}" is ${fmtShape(p.shape)} (${size(p.shape)} values), got ${v.length}`);
    for (let j = 0; j < v.length; j++) {
      if (typeof v[j] !== "number" || !Number.isFinite(v[j])) throw new ParalensError(`predictor: "${p.name}" value ${j} is ${describe(v[j])}; parameters must be finite`);
    }
  }
  // options are checked before any tensor is made
  batching("predictor", options);
  const tensors: Tensor[] = [];
  try {
    for (const p of model.params) tensors.push(engine().tensor(p.shape, parameters[p.name]!));
  } catch (err) {
    for (const t of tensors) t.dispose();
    throw err;
  }
  return new Predictor(model, tensors, tensors, options);
}

function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}
