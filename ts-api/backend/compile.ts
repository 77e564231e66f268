// Compiling a Para for a batch size: run both passes once on a Planner, which
// lays out every activation, residual, change and update in the arena and
// records the kernel calls; keep only the calls the requested results need;
// hand back the two call lists. Running a pass is then a loop over closures:
// no JavaScript allocation and no shape logic per step.
import type { Change, Value } from "../algebra/category.ts";
import type { Para } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { type Engine, engine as currentEngine } from "../engine/engine.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { Rng } from "../init/random.ts";
import type { RealOps } from "../ops/index.ts";
import { type Step, planner as makePlanner } from "./planner.ts";
import { layout } from "./liveness.ts";

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
}

export interface Compiled {
  readonly batch: number;
  readonly params: readonly Tensor[];
  /** Write the batch here before forward(). */
  readonly inputs: readonly Tensor[];
  /** Read the results here after forward(). */
  readonly outputs: readonly Tensor[];
  /** Write the output changes here before reverse(). */
  readonly outputChanges: readonly Tensor[];
  /** After reverse(): the parameter changes (null: zero or not requested). For an update lens these are the new values. */
  readonly paramChanges: readonly (Tensor | null)[];
  readonly inputChanges: readonly (Tensor | null)[];
  /** Values recorded by tap lenses on the forward pass. */
  readonly observed: ReadonlyMap<string, Tensor>;
  /** Runs the forward pass. */
  forward(): void;
  /** Runs the reverse pass; needs the residuals of the last forward(). */
  reverse(): void;
  /**
   * Kernel calls per pass; arena bytes the plan holds (parameters excluded),
   * and what its own tensors would take if none shared memory.
   */
  readonly stats: { forwardCalls: number; reverseCalls: number; bytes: number; unsharedBytes: number; kernels: readonly string[] };
  /** Frees the plan's memory (and its parameters, if it allocated them). */
  dispose(): void;
}

/** Allocates the parameter tensors of a Para and initialises them from a seeded generator. */
export function initParams(f: Para<Wires, Wires, RealOps>, seed = 0, e: Engine = currentEngine()): Tensor[] {
  const rng = new Rng(seed);
  return f.params.map((p) => e.tensor(p.shape, p.init(p.shape, rng)));
}

export function compile(f: Para<Wires, Wires, RealOps>, options: CompileOptions): Compiled {
  const e = currentEngine();
  const { batch } = options;
  const changes = options.changes ?? "all";
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`compile: batch must be a whole number >= 1, got ${batch}`);
  const ownsParams = options.params === undefined;
  const params = options.params ? [...options.params] : initParams(f, options.seed, e);
  if (params.length !== f.params.length) {
    throw new ParalensError(`compile: ${f.name} has ${f.params.length} parameter(s), got ${params.length} tensor(s)`);
  }
  f.params.forEach((spec, i) => {
    const t = params[i]!;
    if (t.shape.length !== spec.shape.length || t.shape.some((d, j) => d !== spec.shape[j])) {
      throw new ParalensError(`compile: parameter "${spec.name}" of ${f.name} is ${fmtShape(spec.shape)}, got a tensor ${fmtShape(t.shape)}`);
    }
  });

  const { ops, recording: planner } = makePlanner(e, changes !== "none");
  const V = (t: Tensor): Value => t as unknown as Value;
  const T = (v: Change): Tensor | null => v as unknown as Tensor | null;
  const inputs = f.dom.map((s) => e.tensor([batch, ...s]));
  const [ys, residual] = f.forward(ops, params.map(V), inputs.map(V));
  const outputs = ys.map((y) => T(y)!);
  const boundary = planner.steps.length;
  const outputChanges = changes === "none" ? [] : f.cod.map((s) => e.tensor([batch, ...s]));
  const [dp, dx] = changes === "none" ? [[], []] : f.reverse(ops, residual, outputChanges.map(V));
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
  const block = e.tensor([plan.bytes / 4]);
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
    stats: { forwardCalls: fwd.length, reverseCalls: rev.length, bytes, unsharedBytes: plan.unsharedBytes, kernels: [...forwardSteps, ...reverseSteps].map((s) => s.name) },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of [...owned, block, ...planner.constants, ...inputs, ...outputChanges]) t.dispose();
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
