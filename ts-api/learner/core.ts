// What every learner shares, whatever it trains (a model over the reals, a
// family of structured models, a Boolean circuit): the tensors of its closed
// lens's parameter wires, initialised from one seed; the model's parameters
// among them, read and written by name; compiled plans kept in bounded caches;
// and dispose, which frees all of it. A learner extends LearnerCore with what
// is its own: its data, its steps and how it scores.
import type { ParamSpec } from "../algebra/para.ts";
import { engine } from "../engine/engine.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import type { Loss } from "../losses/losses.ts";
import { type Rate, constantRate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";
import { sgd } from "../optimisers/optimisers.ts";
import { PlanCache } from "./plan-cache.ts";
import type { LearningParts } from "./supervised.ts";

export interface SupervisedOptions {
  loss: Loss;
  /** Default: sgd(). */
  optimiser?: Optimiser;
  /** A rate lens, or a number for constantRate(number). Default 0.01. */
  rate?: Rate | number;
  /** Seeds the parameters' initialisers. Default 0. */
  seed?: number;
}

/** The learning rate given as options give it: a lens, a number for constantRate(number), or nothing for constantRate(0.01). */
export function resolveRate(rate: Rate | number | undefined): Rate {
  return typeof rate === "number" ? constantRate(rate) : (rate ?? constantRate(0.01));
}

/** The loss, optimiser (default sgd()) and rate of supervised options, as supervisedLens takes them. */
export function learningParts(options: SupervisedOptions): LearningParts {
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
 *   class MyLearner extends LearnerCore<Tensor, Float32Array> {
 *     constructor(model: Para, options: SupervisedOptions) {
 *       super({ what: "MyLearner", model, specs: supervisedLens(model, learningParts(options)).params, seed: options.seed, kind: floatTensors });
 *     }
 *   }
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
    const rng = new Rng(setup.seed ?? 0);
    // Model parameters are initialised in model order from one stream, so a
    // seed gives the same model whatever the optimiser; state follows, in
    // lens order, from the same stream.
    const initial = new Map(model.params.map((p) => [p.name, p.init(p.shape, rng)]));
    this.state = specs.map((s) => kind.make(s, initial.get(s.name) ?? s.init(s.shape, rng)));
    const byName = new Map(specs.map((s, i) => [s.name, this.state[i]!]));
    this.params = model.params.map((p) => byName.get(p.name)!);
  }

  /** Copies of the model's parameters, by name. */
  parameters(): Record<string, R> {
    return Object.fromEntries(this.modelParams.map((p, i) => [p.name, this.kind.read(this.params[i]!)]));
  }

  /** Sets the model's parameters by name; every name and size is checked before any value is written. */
  setParameters(values: Readonly<Record<string, ArrayLike<number>>>): void {
    const known = new Set(this.modelParams.map((p) => p.name));
    for (const name of Object.keys(values)) {
      if (!known.has(name)) throw new ParalensError(`setParameters: ${this.modelName} has no parameter "${name}"`);
    }
    this.modelParams.forEach((p, i) => {
      const v = values[p.name];
      if (v === undefined) throw new ParalensError(`setParameters: missing parameter "${p.name}"`);
      const size = this.kind.size(this.params[i]!);
      if (v.length !== size) throw new ParalensError(`setParameters: "${p.name}" is ${fmtShape(p.shape)} (${size} values), got ${v.length}`);
    });
    this.modelParams.forEach((p, i) => this.kind.write(this.params[i]!, values[p.name]!));
  }

  /** Frees the plans and the parameters; the learner cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const cache of this.caches) cache.clear();
    for (const t of this.state) t.dispose();
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
