// The wasm backend. Running a lens on a Planner does no arithmetic: every
// operation allocates its output in the arena and appends one kernel call to
// a list. The list, pruned to what the requested results need, is the plan
// that compile() hands back; running it is a loop over prepared closures.
// Each operation's lowering lives with the op (ops/); this file only keeps
// the list and the tensors.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import type { Engine } from "../engine/engine.ts";
import { Tensor, checkShape } from "../engine/tensor.ts";
import type { Kept, Op, PlanContext } from "../ops/op.ts";
import { type RealOps, backendOps, loadedOps } from "../ops/index.ts";

/** One kernel call with the tensors it reads and writes. */
export interface Step {
  readonly name: string;
  readonly run: () => void;
  readonly reads: readonly Tensor[];
  readonly writes: readonly Tensor[];
  /** Writes memory that outlives the plan (an optimiser's in-place update): never pruned. */
  readonly effect: boolean;
}

/** What a plan records while a lens runs on it. */
export interface Recording {
  readonly steps: readonly Step[];
  /** Tensors this plan made (compile() gives them memory, and frees it). */
  readonly owned: readonly Tensor[];
  /** Tensors holding data fixed when the plan was made (index tables), or kept from run to run (packed weights); freed with the plan. */
  readonly constants: readonly Tensor[];
  /** The memory kept for this plan's parameters (PlanContext.kept), shared with other plans over them ... */
  readonly kept: readonly Tensor[];
  /** ... and one call for each, which frees it with the last plan that calls its own. */
  readonly releases: readonly (() => void)[];
  readonly observed: ReadonlyMap<string, Tensor>;
}

/**
 * What plans keep for each parameter (packed weights), by key: shared by the
 * plans over that parameter (a predictor's plans for each batch size), each
 * counted in `users` and freed with the last.
 */
const keptMemory = new WeakMap<Tensor, Map<string, Kept & { users: number }>>();

/**
 * A backend that records kernel calls: the RealOps a lens runs on when it is
 * compiled, and what it recorded. `training`: a reverse pass will be planned.
 * `params`: the parameter tensors the lens runs on.
 */
export function planner(engine: Engine, training = true, params: readonly Tensor[] = [], releases: (() => void)[] = []): { ops: RealOps; recording: Recording } {
  const steps: Step[] = [];
  // a plan that only predicts may keep what it computes from its parameters
  const parameters = new Set(training ? [] : params.map((t) => t.owner));
  const owned: Tensor[] = [];
  const constants: Tensor[] = [];
  const kept: Tensor[] = [];
  const observed = new Map<string, Tensor>();
  const tables = new Map<Int32Array | Float32Array, Tensor>();
  const context: PlanContext = {
    core: engine.core,
    training,
    parts: engine.threads.max,
    // Outputs get their memory when the plan is compiled (compile.ts), so that
    // tensors whose lives do not overlap can share it.
    out(shape) {
      checkShape(shape, "planner");
      const t = Tensor.unplaced(engine, shape);
      owned.push(t);
      return t;
    },
    emit(name, run, reads, writes, effect = false) {
      // memory outside the plan (a parameter an optimiser updates) counts a
      // change at each write, so what another plan (or a later call of this
      // one) packed from it is packed again
      const step = effect ? (): void => (run(), writes.forEach((t) => t.changed())) : run;
      steps.push({ name, run: step, reads, writes, effect });
    },
    fixed: (t) => parameters.has(t.owner),
    kept(of, key, size) {
      let byKey = keptMemory.get(of.owner);
      if (byKey === undefined) keptMemory.set(of.owner, (byKey = new Map()));
      let held = byKey.get(key);
      if (held === undefined) byKey.set(key, (held = { tensor: engine.tensor([size]), packed: -1, users: 0 }));
      const entry = held, map = byKey;
      entry.users++;
      kept.push(entry.tensor);
      releases.push(() => {
        if (--entry.users > 0) return;
        entry.tensor.dispose();
        map.delete(key);
      });
      return entry;
    },
    // Data rather than a result: it gets its memory now, outside the plan's shared block.
    constant(values) {
      let t = tables.get(values);
      if (t === undefined) {
        t = engine.tensor([values.length]);
        const view = values instanceof Int32Array ? new Int32Array(engine.memory.buffer, t.offset, values.length) : t.data;
        view.set(values);
        tables.set(values, t);
        constants.push(t);
      }
      return t;
    },
  };
  const methods = Object.fromEntries(
    Object.entries(loadedOps()).map(([name, op]) => [name, (...args: unknown[]) => (op as Op).plan(context, ...(args as never[]))]),
  );
  const ops = backendOps({
    ...methods,
    shape: (v: Value): Shape => (v as unknown as Tensor).shape,
    observe: (name: string, v: Value): void => void observed.set(name, v as unknown as Tensor),
  }, "compile");
  return { ops, recording: { steps, owned, constants, kept, releases, observed } };
}
