// Compiling a Para for a batch size: run both passes once on a Planner, which
// lays out every activation, residual, change and update in the arena and
// records the kernel calls; keep only the calls the requested results need;
// hand back the two call lists. Running a pass is then a loop over closures:
// no JavaScript allocation and no shape logic per step.
import type { Plan } from "./plan.ts";
import type { Change, Value } from "../algebra/category.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { Engine } from "../engine/engine.ts";
import { engine as currentEngine } from "../engine/init.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import { Tensor } from "../engine/tensor.ts";
import { Rng, checkSeed } from "../init/random.ts";
import type { RealOps } from "../ops/index.ts";
import { type Step, planner as makePlanner } from "./planner.ts";
import { layout } from "./liveness.ts";

/**
 * Options of `compile`: the batch size, parameters to bind, the seed, which changes the reverse pass makes.
 *
 * @category Backends
 */
export interface CompileOptions {
  /** Examples per run: every data wire gets this as its first axis. */
  batch: number;
  /** Parameter tensors to bind (shared, not copied). If omitted, they are allocated and initialised from `seed`. */
  params?: readonly Tensor[];
  /** Seed for initialising parameters that were not given (default 0). */
  seed?: number;
  /**
   * Which changes the reverse pass must produce: "all" (parameters and inputs),
   * "params" (parameters only: what training needs), or "none" (a forward-only
   * plan). Calls that feed nothing requested are dropped.
   */
  changes?: "all" | "params" | "none";
  /**
   * Let the plan's own tensors share memory when their lives do not overlap
   * (default true; see liveness.ts). Results are the same bits either way.
   */
  reuseMemory?: boolean;
  /**
   * How messages (locateNonFinite) name each parameter, by its name; a learner
   * passes its model's, "2: dense(16 -> 3).weight" for "2.weight" (parts.ts).
   * Default: the names themselves.
   */
  labels?: ReadonlyMap<string, string>;
}

/**
 * A plan: a Para laid out in the arena for one batch size, with its forward and reverse passes as flat lists of kernel calls. Write `inputs` (and `outputChanges`), run, read `outputs` (and `paramChanges`, `inputChanges`). reverse() needs the residuals of the last forward().
 *
 * @category Backends
 */
export interface Compiled extends Plan<Tensor, CompiledStats> {
  /**
   * Runs one pass call by call, checking what each call writes, and returns
   * the first call that wrote a non-finite value (undefined if none did).
   * Slow: for finding where a diverging step went wrong, not for training.
   */
  locateNonFinite(pass: "forward" | "reverse"): NonFiniteSite | undefined;
}

/**
 * Kernel calls per pass; arena bytes the plan holds (parameters excluded),
 * what its own tensors would take if none shared memory, and the bytes kept
 * for its parameters (packed weights), shared with every plan over them.
 *
 * @category Backends
 */
export interface CompiledStats {
  readonly forwardCalls: number;
  readonly reverseCalls: number;
  readonly bytes: number;
  readonly unsharedBytes: number;
  readonly keptBytes: number;
  readonly kernels: readonly string[];
}

/**
 * Where a pass first wrote a non-finite value.
 *
 * @category Backends
 */
export interface NonFiniteSite {
  readonly pass: "forward" | "reverse";
  /** The kernel call (0-based) among the pass's `calls`. */
  readonly call: number;
  readonly calls: number;
  readonly kernel: string;
  /** The value written (NaN, Infinity or -Infinity). */
  readonly value: number;
  /**
   * In plain words, the part of the lens that call belongs to: "the model's output (prediction)",
   * "the loss", "the update of 0.weight", or "a call reading 2.weight" (the nearest parameter read at or before it).
   */
  readonly where: string;
}

/**
 * Allocates the parameter tensors of a Para and initialises them from a seeded generator.
 *
 * @example
 * ```ts
 * const [weight, bias] = backends.initParams(dense(4, 3), 7);
 * [weight!.shape, bias!.shape];  // [[4, 3], [3]]
 * weight!.dispose(); bias!.dispose();
 * ```
 *
 * @category Backends
 */
export function initParams(f: Para<Wires, Wires, RealOps>, seed = 0, e: Engine = currentEngine()): Tensor[] {
  paraArgument("initParams", f);
  checkSeed("initParams", seed);
  if (!(e instanceof Engine)) throw new ParalensError(`initParams: the engine must be one from init() (engine()), got ${describe(e)}`);
  const made: Tensor[] = [];
  try {
    return initParamsInto(f, seed, e, made);
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
}

/** initParams, pushing each tensor to `made` as soon as it exists (so a failure part way can free them). */
function initParamsInto(f: Para<Wires, Wires, RealOps>, seed: number, e: Engine, made: Tensor[]): Tensor[] {
  const bytes = f.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1) * 4, 0);
  e.checkFits(bytes, `the ${f.params.length} parameter(s) of ${f.name}`);
  const rng = new Rng(seed);
  return f.params.map((p) => {
    const t = e.tensor(p.shape, p.init(p.shape, rng));
    made.push(t);
    return t;
  });
}

/**
 * Compiles a Para for a batch size: walks both passes once, lays every
 * activation, residual and change out in the arena, and returns the plan as
 * flat lists of kernel calls. Throws a ParalensError if the batch is not a
 * whole number >= 1 or given parameters do not match the Para's shapes.
 *
 * @example
 * ```ts
 * const plan = compile(dense(2, 1), { batch: 3, seed: 1 });
 * plan.inputs[0]!.set([1, 2, 3, 4, 5, 6]);
 * plan.forward();
 * plan.outputs[0]!.shape;  // [3, 1]
 * plan.dispose();
 * ```
 *
 * @category Backends
 */
export function compile(f: Para<Wires, Wires, RealOps>, options: CompileOptions): Compiled {
  const e = currentEngine();
  paraArgument("compile", f);
  if (typeof options !== "object" || options === null) throw new ParalensError(`compile: options must be an object ({ batch: 32 }), got ${describe(options)}`);
  const { batch } = options;
  const changes = options.changes ?? "all";
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`compile: batch must be a whole number >= 1, got ${describe(batch)}`);
  if (changes !== "all" && changes !== "params" && changes !== "none") throw new ParalensError(`compile: changes must be "all", "params" or "none", got ${describe(changes)}`);
  if (options.labels !== undefined && !(options.labels instanceof Map)) throw new ParalensError(`compile: labels must be a Map from parameter names to labels, got ${describe(options.labels)}`);
  const given = options.params;
  if (given !== undefined && !(Array.isArray(given) && given.every((t) => t instanceof Tensor))) {
    throw new ParalensError(`compile: params must be an array of tensors (initParams(...), a learner's params), got ${describe(given)}`);
  }
  const ownsParams = options.params === undefined;
  // Whatever is allocated before the plan exists is freed if making it fails
  // (a shape error in a lens, or running out of memory half way), and what it
  // shares with other plans is let go.
  const allocated: Tensor[] = [];
  const releases: (() => void)[] = [];
  try {
    return build(f, options, e, changes, ownsParams, allocated, releases);
  } catch (err) {
    for (const release of releases) release();
    for (const t of allocated) if (!t.isDisposed) t.dispose();
    throw err;
  }
}

function build(
  f: Para<Wires, Wires, RealOps>, options: CompileOptions, e: Engine, changes: "all" | "params" | "none", ownsParams: boolean, allocated: Tensor[], releases: (() => void)[],
): Compiled {
  const { batch } = options;
  if (options.seed !== undefined) checkSeed("compile", options.seed);
  const track = (t: Tensor): Tensor => (allocated.push(t), t);
  const params = options.params ? [...options.params] : f.params.length === 0 ? [] : initParamsInto(f, options.seed ?? 0, e, allocated);
  if (params.length !== f.params.length) {
    throw new ParalensError(`compile: ${f.name} has ${f.params.length} parameter(s), got ${params.length} tensor(s)`);
  }
  f.params.forEach((spec, i) => {
    const t = params[i]!;
    if (t.shape.length !== spec.shape.length || t.shape.some((d, j) => d !== spec.shape[j])) {
      throw new ParalensError(`compile: parameter "${spec.name}" of ${f.name} is ${fmtShape(spec.shape)}, got a tensor ${fmtShape(t.shape)}`);
    }
  });

  const { ops, recording: planner } = makePlanner(e, changes !== "none", params, releases);
  const constantsSeen = (): void => void planner.constants.forEach((t) => !allocated.includes(t) && allocated.push(t));
  const V = (t: Tensor): Value => t as unknown as Value;
  const T = (v: Change): Tensor | null => v as unknown as Tensor | null;
  const inputs = f.dom.map((s) => track(e.tensor([batch, ...s])));
  let ys: Value[];
  let residual: unknown;
  try {
    [ys, residual] = f.forward(ops, params.map(V), inputs.map(V));
  } finally {
    constantsSeen();
  }
  const outputs = ys.map((y) => T(y)!);
  const boundary = planner.steps.length;
  const outputChanges = changes === "none" ? [] : f.cod.map((s) => track(e.tensor([batch, ...s])));
  let dp: Change[] = [];
  let dx: Change[] = [];
  try {
    if (changes !== "none") [dp, dx] = f.reverse(ops, residual, outputChanges.map(V));
  } finally {
    constantsSeen();
  }
  const paramChanges = changes === "none" ? params.map(() => null) : dp.map(T);
  const inputChanges = changes === "all" ? dx.map(T) : inputs.map(() => null);

  const roots = [...outputs, ...planner.observed.values(), ...paramChanges, ...inputChanges].filter((t): t is Tensor => t !== null);
  const kept = prune(planner.steps, roots);
  const forwardSteps = kept.filter((i) => i < boundary).map((i) => planner.steps[i]!);
  const reverseSteps = kept.filter((i) => i >= boundary).map((i) => planner.steps[i]!);

  // Lay out the plan's own tensors in one block, sharing memory between
  // tensors whose lives do not overlap; what no kept call touches gets none.
  const results = new Set<Tensor>(roots.map((t) => t.owner));
  const plan = layout(planner.owned, forwardSteps, reverseSteps, results, options.reuseMemory ?? true);
  const block = track(e.tensor([plan.bytes / 4]));
  for (const t of planner.owned) {
    const at = plan.offsets.get(t);
    if (at === undefined) t.dispose();
    else t.placeIn(block, at);
  }
  const owned = planner.owned.filter((t) => plan.offsets.has(t));
  const fwd = forwardSteps.map((s) => s.run);
  const rev = reverseSteps.map((s) => s.run);
  const bytes = plan.bytes + [...planner.constants, ...inputs, ...outputChanges].reduce((n, t) => n + t.size * 4, 0);
  let disposed = false;
  const names = new Map<Tensor, string>(f.params.map((spec, i) => [params[i]!.owner, options.labels?.get(spec.name) ?? spec.name]));
  const taps = new Map<Tensor, string>([...planner.observed].map(([name, t]) => [t.owner, name]));
  const steps = { forward: forwardSteps, reverse: reverseSteps };
  const describeSite = (list: readonly Step[], at: number, pass: "forward" | "reverse"): string => {
    for (const t of list[at]!.writes) {
      const tap = taps.get(t.owner);
      if (tap !== undefined) return tap === "prediction" ? "the model's output (prediction)" : tap === "loss" ? "the loss" : `the value tapped as "${tap}"`;
      if (pass === "reverse" && names.has(t.owner)) return `the update of ${names.get(t.owner)}`;
    }
    for (let i = at; i >= 0; i--) {
      const read = list[i]!.reads.find((t) => names.has(t.owner));
      if (read !== undefined) return `${i === at ? "a call" : "a call after one"} reading ${names.get(read.owner)}`;
    }
    return "a call reading no parameter (the input or a fixed part of the lens)";
  };

  return {
    batch,
    params,
    inputs,
    outputs,
    outputChanges,
    paramChanges,
    inputChanges,
    observed: planner.observed,
    forward() {
      if (disposed) throw new ParalensError(`compiled ${f.name}: used after dispose()`);
      for (let i = 0; i < fwd.length; i++) fwd[i]!();
    },
    reverse() {
      if (disposed) throw new ParalensError(`compiled ${f.name}: used after dispose()`);
      for (let i = 0; i < rev.length; i++) rev[i]!();
    },
    stats: {
      forwardCalls: fwd.length, reverseCalls: rev.length, bytes, unsharedBytes: plan.unsharedBytes, keptBytes: planner.kept.reduce((n, t) => n + 4 * t.size, 0),
      kernels: [...forwardSteps, ...reverseSteps].map((s) => s.name),
    },
    locateNonFinite(pass) {
      if (pass !== "forward" && pass !== "reverse") throw new ParalensError(`locateNonFinite: the pass must be "forward" or "reverse", got ${describe(pass)}`);
      const list = steps[pass];
      for (let i = 0; i < list.length; i++) {
        const step = list[i]!;
        step.run();
        for (const t of step.writes) {
          const data = t.data;
          for (let j = 0; j < data.length; j++) {
            if (!Number.isFinite(data[j]!)) return { pass, call: i, calls: list.length, kernel: step.name, value: data[j]!, where: describeSite(list, i, pass) };
          }
        }
      }
      return undefined;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of [...owned, block, ...planner.constants, ...inputs, ...outputChanges]) t.dispose();
      for (const release of planner.releases) release();
      if (ownsParams) for (const t of params) t.dispose();
    },
  };
}

/**
 * Dead-call elimination: walking backwards, a call is kept if it has an
 * effect or writes memory that a kept call (or a root) reads. Liveness is per
 * owning tensor, so views and in-place writes are handled conservatively.
 */
function prune(steps: readonly Step[], roots: readonly Tensor[]): number[] {
  const live = new Set<Tensor>(roots.map((t) => t.owner));
  const kept: number[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.effect || s.writes.some((t) => live.has(t.owner))) {
      kept.push(i);
      for (const t of s.reads) live.add(t.owner);
    }
  }
  return kept.reverse();
}
