// What every learner shares, whatever it trains (a model over the reals, a
// family of structured models, a Boolean circuit): the tensors of its closed
// lens's parameter wires, initialised from one seed; the model's parameters
// among them, read and written by name; saving all of it as a file and loading
// it back; compiled plans kept in bounded caches; and dispose, which frees all
// of it. A learner extends LearnerCore with what is its own: its data, its
// steps and how it scores.
import type { ParamSpec } from "../algebra/para.ts";
import { engine } from "../engine/init.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { ReadOptions } from "../io/safetensors/header.ts";
import type { LearnerLike } from "../io/learner-file.ts";
import { Rng, checkSeed } from "../init/random.ts";
import type { Loss } from "../losses/losses.ts";
import { type Rate, constantRate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";
import { sgd } from "../optimisers/optimisers.ts";
import { isLayer } from "../algebra/para.ts";
import { PlanCache } from "./plan-cache.ts";
import { firstNonFinite } from "./divergence.ts";

export type LearnerFile = typeof import("../io/learner-file.ts");
/**
 * The learner file format (safetensors), loaded by the first save() or load() (or an online
 * learner that checkpoints): a program that never saves carries none of it, and a bundler can
 * leave it in a chunk of its own.
 */
let learnerFile: LearnerFile | undefined;
let loadingFile: Promise<LearnerFile> | undefined;
export function fileFormat(): Promise<LearnerFile> {
  return (loadingFile ??= import("../io/learner-file.ts").then((m) => (learnerFile = m)));
}
/** The file format if it has loaded (see fileFormat), for work that must be done within a call. */
export const loadedFileFormat = (): LearnerFile | undefined => learnerFile;

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
  /** The values as floats, as a learner file holds them: the tensor's own memory (which load writes into), or a copy. */
  floats(t: T): Float32Array;
  /** For a kind whose floats() are a copy: writes the floats a file gave, after checking each is a value the tensor holds. */
  setFloats?(t: T, values: Float32Array, name: string): void;
}

/** Float tensors in the current engine's arena. */
export const floatTensors: TensorKind<Tensor, Float32Array> = {
  make: (spec, values) => engine().tensor(spec.shape, values),
  read: (t) => t.toArray(),
  size: (t) => t.size,
  write: (t, values) => t.set(values),
  floats: (t) => t.data,
};

/** What a learner is made from: the model's parameter wires and those of its closed lens. */
export interface CoreSetup<T extends { dispose(): void }, R> {
  /** Names this learner in its messages ("StructuredLearner: used after dispose()"). */
  what: string;
  /** The model (its name and parameter wires, in model order). */
  model: { readonly name: string; readonly params: readonly ParamSpec[] };
  /** The closed lens, whose name names the optimiser in a saved file. */
  lens: { readonly name: string };
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
 *     const lens = learning.supervisedLens(model, learningParts(options));
 *     super({ what: "MyLearner", model, lens, specs: lens.params, seed: options.seed, kind: floatTensors });
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
  private readonly lensName: string;
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
    this.lensName = setup.lens.name;
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

  /**
   * The model's parameters and the optimiser's state as a safetensors file (see encodeLearner):
   * load() it into the same model and optimiser rebuilt from code and training resumes exactly.
   * The file holds the state at the call, even while a fit runs on (from onEpochEnd, say).
   * With `{ dtype: "F16" }`, a value beyond F16's range (|x| > 65504) is refused.
   *
   * @example
   * ```ts
   * const learner = supervised(dense(2, 1), { loss: mse, optimiser: adam() });
   * const bytes = await learner.save();
   * await learner.load(bytes);
   * learner.dispose();
   * ```
   */
  async save(options: { dtype?: "F32" | "F16" } = {}): Promise<Uint8Array<ArrayBuffer>> {
    if (learnerFile !== undefined) return this.encode(learnerFile, options);
    // the format loads once; a fit may step meanwhile, so the file is written from a copy taken now
    const now = this.saveable(this.asFile(true));
    return (await fileFormat()).encodeLearner(now, options);
  }

  /**
   * Loads a safetensors file: its checksum (see ReadOptions), header, names and shapes are all
   * checked before any value is written, and its values after: a file holding NaN or Infinity, a
   * negative second moment or a step count that is not a whole number >= 0 (or a bit that is not
   * 0 or 1) is refused and the learner keeps what it had. The first load() of a program waits for
   * the file format to load, and nothing else may run on the learner meanwhile; after that, a
   * load is done when the call returns.
   */
  async load(bytes: Uint8Array, options: ReadOptions = {}): Promise<void> {
    this.checkLive();
    this.checkIdle("load");
    if (!(bytes instanceof Uint8Array)) throw new ParalensError(`load: expected the bytes of a safetensors file (a Uint8Array), got ${describe(bytes)}`);
    if (learnerFile === undefined) {
      // the learner is held while the format loads, and checked again after
      await this.exclusive("load", fileFormat);
      this.checkLive();
      this.checkIdle("load");
    }
    const before = this.state.map((t) => this.kind.read(t));
    const file = this.asFile(false);
    this.forgetCopies();
    try {
      learnerFile!.decodeLearnerInto(file, bytes, "load", options);
      learnerFile!.checkLoaded(file);
      if (this.kind.setFloats !== undefined) this.state.forEach((t, i) => this.kind.setFloats!(t, file.state[i]!.data, this.specs[i]!.name));
    } catch (err) {
      this.state.forEach((t, i) => this.kind.write(t, before[i] as ArrayLike<number>));
      throw err;
    }
  }

  /** save()'s work once the file format has loaded, done during the call (serve/online checkpoints with it within a step). */
  protected encode(file: LearnerFile, options: { dtype?: "F32" | "F16" }): Uint8Array<ArrayBuffer> {
    return file.encodeLearner(this.saveable(this.asFile(false)), options);
  }

  /** The learner as a file sees it: names and float values, the tensors' own (or copies, if `copy`). */
  private asFile(copy: boolean): LearnerLike {
    this.checkLive();
    const state = this.state.map((t) => {
      const data = this.kind.floats(t);
      return { data: copy && this.kind.setFloats === undefined ? data.slice() : data };
    });
    return { model: { name: this.modelName }, lens: { name: this.lensName }, specs: this.specs, state };
  }

  /** `file`, if every value is finite: a learner that has diverged is not saved. */
  private saveable(file: LearnerLike): LearnerLike {
    const bad = firstNonFinite(this.specs.map((s) => s.name), file.state);
    if (bad !== undefined) throw new ParalensError(`save: ${bad.name}[${bad.index}] is ${bad.value}; a learner with non-finite parameters or state is not saved`);
    return file;
  }

  /** Drops copies of the state a subclass keeps (a divergence guard's), which a load makes stale. */
  protected forgetCopies(): void {}

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
