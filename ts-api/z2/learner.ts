// A learner for reverse derivative ascent: a Z2 model, its closed RDA lens
// (learning.ts) and the model's parameter bits in the arena (the learner core
// sets them up from the seed, as for every learner). What is its own: data as
// rows of bits, packed 128 examples to a word; a training step is one
// reverse() of the compiled closed lens; accuracy is counted on bit-sliced
// batches by the kernel (popcount of the rows with an error). It cannot
// diverge: parameters are bits and an update XORs bits into them, so every
// value stays 0 or 1 whatever the data, and there is nothing non-finite to
// check for (the float learners' DivergenceError has no counterpart here).
import { seq } from "../algebra/compose.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import { type Engine } from "../engine/engine.ts";
import { engine } from "../engine/init.ts";
import { ParalensError, fmtShape, fmtWires, optionsArgument } from "../engine/errors.ts";
import { Rng, checkSeed } from "../init/random.ts";
import { LearnerCore, type TensorKind } from "../learner/core.ts";
import { describe } from "../learner/data.ts";
import { type CommonFitOptions, type Evaluation, type History, Yielder, commonFitOptions, emptyHistory, recordEpoch } from "../learner/reports.ts";
import { scoringLens } from "../learner/supervised.ts";
import { BitTensor } from "./bits.ts";
import { type Z2Plan, compileZ2 } from "./compile.ts";
import { anyBit, rdaLens, xorLoss } from "./learning.ts";
import type { Z2Ops } from "./ops.ts";
import { z2Kernels } from "./kernels.ts";

type Bits = readonly [readonly [number]];
type Model = Para<Bits, Bits, Z2Ops>;
/**
 * Bits, one example after another: a flat array of count * width numbers, each 0 or 1, or one array per example.
 *
 * @category Learning
 */
export type BitRows = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/**
 * Options of RdaLearner.fit: those of every learner's fit (batchSize defaults to 1, the paper's
 * online RDA; a parameter's change is the XOR over the batch), and keeping the best parameters.
 *
 * @category Learning
 */
export interface RdaFitOptions extends CommonFitOptions<{ x: BitRows; y: BitRows }> {
  /** With validation: keep, at the end, the parameters that scored best on it (checked every validateEvery steps). */
  keepBest?: boolean;
  /** Steps between validations for keepBest (default 1). */
  validateEvery?: number;
}

/**
 * What RdaLearner.fit resolves with: every learner's History, where an example's loss is 0 if
 * every output bit is right and 1 if not (so loss is 1 - accuracy), and what RDA adds.
 *
 * @category Learning
 */
export interface RdaHistory extends History {
  /** With keepBest: the best validation accuracy and the step after which it was reached (0: before training). */
  best?: { valAccuracy: number; step: number };
  steps: number;
}

/**
 * A Z2 model with its parameters and compiled RDA plans; made by rda(model).
 *
 * @example
 * ```ts
 * const learner = rda(lut(2, 1), { seed: 3 });
 * learner instanceof RdaLearner;  // true
 * learner.dispose();
 * ```
 *
 * @category Learning
 */
export class RdaLearner extends LearnerCore<BitTensor, Uint8Array> {
  /** The closed lens (rdaUpdate ; model) x id ; xorLoss ; identityRate; its parameters are the model's. */
  readonly lens: Para<readonly [...Bits, ...Bits], readonly [], Z2Ops>;
  readonly inputs: number;
  readonly outputs: number;
  private readonly train = this.planCache<number, Z2Plan>(4);
  private readonly scoring = this.planCache<number, Scoring>(4);
  private readonly infer = this.planCache<number, Z2Plan>(4);
  /** The scoring lens then the OR of the error bits: one bit per example, set where any output is wrong. */
  private readonly scoreLens: Para<readonly [...Bits, ...Bits], Bits, Z2Ops>;

  constructor(
    readonly model: Model,
    options: { seed?: number } = {},
  ) {
    paraArgument("rda", model);
    optionsArgument("rda", options);
    if (model.dom.length !== 1 || model.cod.length !== 1) {
      throw new ParalensError(`rda: the model must take one wire and give one, but ${model.name} is ${fmtWires(model.dom)} -> ${fmtWires(model.cod)}`);
    }
    const lens = rdaLens(model);
    if (options.seed !== undefined) checkSeed("rda", options.seed);
    super({ what: "rda", model, lens, specs: lens.params, seed: options.seed, kind: bitTensors(engine()) });
    this.lens = lens;
    this.inputs = model.dom[0]![0]!;
    this.outputs = model.cod[0]![0]!;
    this.scoreLens = seq(scoringLens(model, xorLoss), anyBit(this.outputs));
  }

  /** One RDA step on a batch of examples; returns how many of them the model got wrong before the update. */
  step(x: BitRows, y: BitRows): number {
    const xs = flat("step x", x, this.inputs);
    const count = xs.length / this.inputs;
    const ys = flat("step y", y, this.outputs, count);
    if (count === 0) throw new ParalensError("step: no examples");
    const plan = this.plan(this.train, count, () => compileZ2(this.lens, { batch: count, params: this.params, changes: "params", update: true }));
    plan.inputs[0]!.write(xs);
    plan.inputs[1]!.write(ys);
    plan.reverse();
    return wrongRows(plan.observed.get("loss")!);
  }

  /**
   * Trains for some epochs (see RdaFitOptions); resolves with the accuracy of every epoch, counted
   * on each batch just before training on it. RDA cannot diverge: an update XORs bits.
   */
  fit(x: BitRows, y: BitRows, options: RdaFitOptions = {}): Promise<RdaHistory> {
    return this.exclusive("fit", () => this.fitting(x, y, options));
  }

  private async fitting(x: BitRows, y: BitRows, options: RdaFitOptions): Promise<RdaHistory> {
    const { epochs, batchSize, shuffle, signal, validation, must } = commonFitOptions(options, "RdaLearner", 1);
    const { keepBest = false, validateEvery = 1 } = options;
    must("validateEvery", Number.isInteger(validateEvery) && validateEvery >= 1, "a whole number >= 1", validateEvery);
    must("keepBest", typeof keepBest === "boolean", "true or false", keepBest);
    const xs = flat("fit x", x, this.inputs);
    const count = xs.length / this.inputs;
    const ys = flat("fit y", y, this.outputs, count);
    if (count === 0) throw new ParalensError("fit: no examples");
    if (keepBest && !validation) throw new ParalensError("fit: keepBest needs validation data");
    // scoring the validation data checks it before any step; keepBest starts from that score
    const scoreBefore = validation === undefined ? undefined : this.evaluate(validation.x, validation.y).accuracy;
    const rng = new Rng(options.seed ?? 0);
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    const history: RdaHistory = { ...emptyHistory(), steps: 0 };
    const t0 = performance.now();
    const yielder = new Yielder(signal);
    signal?.throwIfAborted();
    let best = keepBest ? { valAccuracy: scoreBefore!, step: 0, bits: this.snapshot() } : null;
    const bx = new Uint8Array(batchSize * this.inputs);
    const by = new Uint8Array(batchSize * this.outputs);
    const batches = Math.ceil(count / batchSize);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      if (shuffle) rng.shuffle(order);
      let wrong = 0;
      for (let b = 0; b < batches; b++) {
        const from = b * batchSize;
        const n = Math.min(batchSize, count - from);
        for (let r = 0; r < n; r++) {
          const e = order[from + r]!;
          bx.set(xs.subarray(e * this.inputs, (e + 1) * this.inputs), r * this.inputs);
          by.set(ys.subarray(e * this.outputs, (e + 1) * this.outputs), r * this.outputs);
        }
        const batchWrong = this.step(bx.subarray(0, n * this.inputs), by.subarray(0, n * this.outputs));
        wrong += batchWrong;
        history.steps++;
        if (best && history.steps % validateEvery === 0) {
          const v = this.evaluate(validation!.x, validation!.y).accuracy;
          if (v > best.valAccuracy) best = { valAccuracy: v, step: history.steps, bits: this.snapshot() };
        }
        options.onBatchEnd?.({ epoch, batch: b + 1, batches, loss: batchWrong / n });
        await yielder.between();
      }
      const validate = validation === undefined ? undefined : () => this.evaluate(validation.x, validation.y);
      recordEpoch(history, { epoch, loss: wrong / count, accuracy: 1 - wrong / count, examples: count, started }, validate, options.onEpochEnd);
    }
    if (best) {
      this.restore(best.bits);
      history.best = { valAccuracy: best.valAccuracy, step: best.step };
    }
    history.seconds = (performance.now() - t0) / 1000;
    return history;
  }

  /** The model's outputs, one row of bits per example. */
  predict(x: BitRows): Uint8Array {
    const xs = flat("predict x", x, this.inputs);
    const count = xs.length / this.inputs;
    if (count === 0) return new Uint8Array(0);
    const plan = this.plan(this.infer, count, () => compileZ2(this.model, { batch: count, params: this.params, changes: "none" }));
    plan.inputs[0]!.write(xs);
    plan.forward();
    return plan.outputs[0]!.read();
  }

  /**
   * The fraction of examples whose every output bit is right (accuracy), the fraction that are
   * not (loss, as fit counts it) and how many are wrong. Passing the same arrays again reuses their
   * packed bits (so scoring after every step is cheap): pass new arrays after changing data.
   */
  evaluate(x: BitRows, y: BitRows): Evaluation & { wrong: number } {
    const xs = flat("evaluate x", x, this.inputs);
    const count = xs.length / this.inputs;
    if (count === 0) throw new ParalensError("evaluate: no examples");
    const entry = this.plan(this.scoring, count, () => new Scoring(compileZ2(this.scoreLens, { batch: count, params: this.params, changes: "none" })));
    const { plan } = entry;
    // the same data as last time stays packed in the plan's inputs
    if (entry.x !== x || entry.y !== y) {
      plan.inputs[0]!.write(xs);
      plan.inputs[1]!.write(flat("evaluate y", y, this.outputs, count));
      [entry.x, entry.y] = [x, y];
    }
    plan.forward();
    const out = plan.outputs[0]!;
    const wrong = z2Kernels(engine()).z2Count(out.wire(0), out.words, count);
    return { loss: wrong / count, accuracy: 1 - wrong / count, wrong };
  }

  private snapshot(): Uint32Array[] {
    return this.params.map((t) => t.u32.slice());
  }

  private restore(bits: Uint32Array[]): void {
    this.params.forEach((t, i) => t.u32.set(bits[i]!));
  }
}

/** Parameter bits in the engine's arena: each a bit vector [n], broadcast to every example. */
function bitTensors(e: Engine): TensorKind<BitTensor, Uint8Array> {
  return {
    make(spec, values) {
      if (spec.shape.length !== 1) throw new ParalensError(`rda: parameter "${spec.name}" is ${fmtShape(spec.shape)}; Z2 parameters are bit vectors [n]`);
      return BitTensor.alloc(e, spec.shape).write(values);
    },
    read: (t) => t.read(),
    size: (t) => t.width,
    write: (t, values) => void t.write(values),
    floats: (t) => Float32Array.from(t.read()),
    setFloats(t, values, name) {
      const bad = values.findIndex((v) => v !== 0 && v !== 1);
      if (bad >= 0) throw new ParalensError(`load: the file's ${name}[${bad}] is ${values[bad]}; a bit is 0 or 1`);
      t.write(values);
    },
  };
}

/** A scoring plan and the data last packed into its inputs (kept there between evaluate calls). */
class Scoring {
  x?: BitRows;
  y?: BitRows;

  constructor(readonly plan: Z2Plan) {}

  dispose(): void {
    this.plan.dispose();
  }
}

/**
 * A learner for a Z2 model by reverse derivative ascent, its parameters initialised from the seed.
 *
 * @example
 * ```ts
 * const learner = rda(lut(2, 1));
 * await learner.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 2 });
 * learner.dispose();
 * ```
 *
 * @category Learning
 */
export function rda(model: Model, options: { seed?: number } = {}): RdaLearner {
  return new RdaLearner(model, options);
}

/**
 * Flattens bit rows of a given width into 0/1 bytes; checks the count against
 * `count` if given. Every value must be the number 0 or 1: 2, -1, true or "1"
 * would have to be guessed into a bit, so they are refused with their row.
 */
export function flat(what: string, data: BitRows, width: number, count?: number): Uint8Array {
  if (!isList(data)) throw new ParalensError(`${what}: expected an array or a typed array of bits, got ${describe(data)}`);
  let out: Uint8Array;
  if (data.length > 0 && typeof data[0] === "object" && data[0] !== null) {
    const rows = data as ArrayLike<unknown>;
    out = new Uint8Array(rows.length * width);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!isList(row)) throw new ParalensError(`${what}: row ${r} is ${describe(row)}, but row 0 is an array: give every example as an array`);
      if (row.length !== width) throw new ParalensError(`${what}: row ${r} has ${row.length} bits, expected ${width}`);
      for (let i = 0; i < width; i++) out[r * width + i] = bit(what, row[i], r, i);
    }
  } else {
    const values = data as ArrayLike<unknown>;
    if (values.length % width !== 0) throw new ParalensError(`${what}: ${values.length} bits do not split into examples of ${width}`);
    if (values instanceof Uint8Array) {
      // the common case (what bit datasets give) is checked without a copy
      for (let i = 0; i < values.length; i++) if (values[i]! > 1) bit(what, values[i], Math.floor(i / width), i % width);
      out = values;
    } else {
      out = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = bit(what, values[i], Math.floor(i / width), i % width);
    }
  }
  if (count !== undefined && out.length / width !== count) throw new ParalensError(`${what}: ${out.length / width} rows for ${count} examples`);
  return out;
}

/** A value that must be a bit: 0 or 1, as a number. */
function bit(what: string, v: unknown, row: number, index: number): number {
  if (v === 0 || v === 1) return v;
  throw new ParalensError(`${what}: row ${row}, bit ${index} is ${describe(v)}; bits must be the numbers 0 or 1`);
}

const isList = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array));

function wrongRows(loss: BitTensor): number {
  const u = loss.u32;
  const stride = loss.words * 4;
  const batch = loss.batch!;
  let wrong = 0;
  for (let w = 0; w * 32 < batch; w++) {
    let any = 0;
    for (let j = 0; j < loss.width; j++) any |= u[j * stride + w]!;
    const valid = batch - w * 32;
    if (valid < 32) any &= (1 << valid) - 1;
    wrong += popcount32(any);
  }
  return wrong;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
