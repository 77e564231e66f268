// What every learner shares, whatever it trains (a model over the reals, a
// family of structured models, a Boolean circuit): the tensors of its closed
// lens's parameter wires, initialised from one seed; the model's parameters
// among them, read and written by name; compiled plans kept in bounded caches;
// and dispose, which frees all of it. A learner extends LearnerCore with what
// is its own: its data, its steps and how it scores.
import type { ParamSpec } from "../algebra/para.ts";
import { engine } from "../engine/engine.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng, checkSeed } from "../init/random.ts";
import type { Loss } from "../losses/losses.ts";
import { type Rate, constantRate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";
import { sgd } from "../optimisers/optimisers.ts";
import { isLayer } from "../algebra/para.ts";
import { PlanCache } from "./plan-cache.ts";

interface Held {
  readonly state: readonly { dispose(): void }[];
  readonly caches: readonly { clear(): void }[];
}

function release(held: Held): void {
  for (const cache of held.caches) cache.clear();
  for (const t of held.state) t.dispose();
}

const reclaim = new FinalizationRegistry<Held>(release);
import type { LearningParts } from "./supervised.ts";

/**
 * Options of `supervised`: the loss, optimiser, learning rate and seed of a learner.
 *
 * @category Learners
 */
export interface SupervisedOptions {
  /** The loss lens, e.g. softmaxCrossEntropy() or mse(). */
  loss: Loss;
  /** Default: sgd(). */
  optimiser?: Optimiser;
  /** A rate lens, or a number for constantRate(number). Default 0.01. */
  rate?: Rate | number;
  /** Seeds the parameters' initialisers. Default 0. */
  seed?: number;
  /**
   * "values" (default): labels shaped like the model's output (one-hot or
   * soft rows, targets). "indices": class indices, with softmaxCrossEntropy
   * one per example and with tokenCrossEntropy one per token, and no one-hot
   * row is ever made.
   */
  labels?: "values" | "indices";
}

/** The learning rate given as options give it: a lens, a number for constantRate(number), or nothing for constantRate(0.01). */
export function resolveRate(rate: Rate | number | undefined): Rate {
  if (rate !== undefined && typeof rate !== "number" && (typeof rate !== "object" || rate === null || (rate as { kind?: unknown }).kind !== "para")) {
    throw new ParalensError(`rate: expected a number or a rate lens (constantRate(0.1)), got ${describe(rate)}`);
  }
  return typeof rate === "number" ? constantRate(rate) : (rate ?? constantRate(0.01));
}

/** The loss, optimiser (default sgd()) and rate of supervised options, as supervisedLens takes them. */
export function learningParts(options: SupervisedOptions, what = "supervised"): LearningParts {
  if (typeof options !== "object" || options === null || options.loss === undefined) throw new ParalensError(`${what}: the options must name a loss ({ loss: softmaxCrossEntropy, ... })`);
  if (!isLayer(options.loss)) throw new ParalensError(`${what}: loss must be a loss lens (mse, softmaxCrossEntropy, ...), got ${describe(options.loss)}`);
  if (options.optimiser !== undefined && typeof options.optimiser !== "function") throw new ParalensError(`${what}: optimiser must be an optimiser (sgd(), adam(), ...), got ${describe(options.optimiser)}`);
  if (options.seed !== undefined) checkSeed(what, options.seed);
  return { loss: options.loss, optimiser: options.optimiser ?? sgd(), rate: resolveRate(options.rate) };
}

/** How a learner's parameter tensors are made, read and written: float tensors, bit tensors. */
export interface TensorKind<T extends { dispose(): void }, R> {
  /** A tensor for a parameter wire, holding its initial values. */
  make(spec: ParamSpec, values: ArrayLike<number>): T;
  /** A copy of a tensor's values. */
  read(t: T): R;
  /** How many values a tensor holds. */
  size(t: T): number;
  write(t: T, values: ArrayLike<number>): void;
}

/** Float tensors in the current engine's arena. */
export const floatTensors: TensorKind<Tensor, Float32Array> = {
  make: (spec, values) => engine().tensor(spec.shape, values),
  read: (t) => t.toArray(),
  size: (t) => t.size,
  write: (t, values) => t.set(values),
};

/** What a learner is made from: the model's parameter wires and those of its closed lens. */
export interface CoreSetup<T extends { dispose(): void }, R> {
  /** Names this learner in its messages ("StructuredLearner: used after dispose()"). */
  what: string;
  /** The model (its name and parameter wires, in model order). */
  model: { readonly name: string; readonly params: readonly ParamSpec[] };
  /** The closed lens's parameter wires (optimiser state and the model's parameters), in lens order. */
  specs: readonly ParamSpec[];
  seed?: number;
  kind: TensorKind<T, R>;
}

/**
 * The state of a learner and what is done with it whatever the learner: a
 * subclass passes its model, its closed lens's parameter wires and the kind
 * of tensor they live in, and keeps its plans in planCache()s.
 *
 * @example
 * ```ts
 * class MyLearner extends LearnerCore<Tensor, Float32Array> {
 *   constructor(model: Para, options: SupervisedOptions) {
 *     super({ what: "MyLearner", model, specs: supervisedLens(model, learningParts(options)).params, seed: options.seed, kind: floatTensors });
 *   }
 * }
 * ```
 */
export class LearnerCore<T extends { dispose(): void }, R> {
  /** The closed lens's parameter wires: optimiser state and model parameters. */
  readonly specs: readonly ParamSpec[];
  /** The tensors of those wires, in the same order. */
  readonly state: readonly T[];
  /** The model's own parameters, in model order (a subset of state). */
  readonly params: readonly T[];
  private readonly what: string;
  private readonly modelName: string;
  private readonly modelParams: readonly ParamSpec[];
  private readonly kind: TensorKind<T, R>;
  private readonly caches: { clear(): void }[] = [];
  private disposed = false;
  /** What is running now ("fit"), if anything: a second call meanwhile would interleave its steps with the first's. */
  private busy: string | undefined;

  constructor(setup: CoreSetup<T, R>) {
    const { what, model, specs, kind } = setup;
    this.what = what;
    this.modelName = model.name;
    this.modelParams = model.params;
    this.kind = kind;
    this.specs = specs;
    const passed = new Set(specs.map((s) => s.name));
    for (const p of model.params) {
      if (!passed.has(p.name)) throw new ParalensError(`${what}: the optimiser does not pass parameter "${p.name}" through`);
    }
    // A model larger than the arena can ever hold is refused with its size
    // before its initial values are drawn (which would fail with a bare RangeError).
    const bytes = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    engine().checkFits(bytes, `the parameters and optimiser state of ${model.name} (${specs.length} tensors)`);
    const rng = new Rng(setup.seed ?? 0);
    // Model parameters are initialised in model order from one stream, so a
    // seed gives the same model whatever the optimiser; state follows, in
    // lens order, from the same stream.
    const initial = new Map(model.params.map((p) => [p.name, p.init(p.shape, rng)]));
    const state: T[] = [];
    try {
      for (const s of specs) state.push(kind.make(s, initial.get(s.name) ?? s.init(s.shape, rng)));
    } catch (err) {
      // running out of memory half way: what was made has no other handle
      for (const t of state) t.dispose();
      throw err;
    }
    this.state = state;
    const byName = new Map(specs.map((s, i) => [s.name, this.state[i]!]));
    this.params = model.params.map((p) => byName.get(p.name)!);
    // A learner dropped without dispose() gives its memory back when it is
    // collected: the registry holds the tensors and plan caches, not the learner.
    reclaim.register(this, { state: this.state, caches: this.caches }, this);
  }

  /** Copies of the model's parameters, by name. */
  parameters(): Record<string, R> {
    return Object.fromEntries(this.modelParams.map((p, i) => [p.name, this.kind.read(this.params[i]!)]));
  }

  /** Sets the model's parameters by name; every name and size is checked before any value is written. */
  setParameters(values: Readonly<Record<string, ArrayLike<number>>>): void {
    if (typeof values !== "object" || values === null) throw new ParalensError(`setParameters: values must be an object of parameter values by name (as parameters() gives), got ${describe(values)}`);
    const known = new Set(this.modelParams.map((p) => p.name));
    for (const name of Object.keys(values)) {
      if (!known.has(name)) throw new ParalensError(`setParameters: ${this.modelName} has no parameter "${name}"`);
    }
    this.modelParams.forEach((p, i) => {
      const v = values[p.name];
      if (v === undefined) throw new ParalensError(`setParameters: missing parameter "${p.name}"`);
      const size = this.kind.size(this.params[i]!);
      if (v.length !== size) throw new ParalensError(`setParameters: "${p.name}" is ${fmtShape(p.shape)} (${size} values), got ${v.length}`);
      for (let j = 0; j < v.length; j++) {
        if (typeof v[j] !== "number" || !Number.isFinite(v[j])) throw new ParalensError(`setParameters: "${p.name}" value ${j} is ${describe(v[j])}; parameters must be finite`);
      }
    });
    this.checkIdle("setParameters");
    this.modelParams.forEach((p, i) => this.kind.write(this.params[i]!, values[p.name]!));
  }

  /** Frees the plans and the parameters; the learner cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.checkIdle("dispose");
    this.disposed = true;
    reclaim.unregister(this);
    release({ state: this.state, caches: this.caches });
  }

  /** Runs `body` as the one operation of this learner in progress; another started meanwhile throws (see checkIdle). */
  protected async exclusive<X>(what: string, body: () => Promise<X>): Promise<X> {
    this.checkLive();
    this.checkIdle(what);
    this.busy = what;
    try {
      return await body();
    } finally {
      this.busy = undefined;
    }
  }

  /** Throws if a fit() is running: it yields between steps, so a call that changes the learner would interleave with it (reading is safe). */
  protected checkIdle(what: string): void {
    if (this.busy !== undefined) {
      throw new ParalensError(`${this.what}: ${what}() called while ${this.busy}() is running on this learner; await it first (or abort it with its signal)`);
    }
  }

  /** A cache of compiled plans that dispose() frees. */
  protected planCache<K, P extends { dispose(): void }>(limit: number): PlanCache<K, P> {
    const cache = new PlanCache<K, P>(limit);
    this.caches.push(cache);
    return cache;
  }

  /** The plan for `key` in a cache, made by `make` if it is not there. */
  protected plan<K, P extends { dispose(): void }>(cache: PlanCache<K, P>, key: K, make: () => P): P {
    this.checkLive();
    return cache.get(key, make);
  }

  /** Throws if dispose() was called. */
  protected checkLive(): void {
    if (this.disposed) throw new ParalensError(`${this.what}: used after dispose()`);
  }
}
