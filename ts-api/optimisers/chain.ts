// Optimisers that compose. A gradient transformation is a lens S x P -> P on
// the parameter wire, as an optimiser is (Cruttwell et al., section 3.4), but
// its reverse hands a change on instead of writing a new parameter: the
// change arriving from the model goes in, a transformed change (and the new
// state) comes out. `chain(t1, ..., tk, opt)` composes them by seq on the
// parameter wire, opt farthest from the model, so the change meets t1 first
// and opt last, as optax's chain applies its transformations (Babuschkin et
// al. 2020). Each state wire sits beside the stages it does not belong to.
import type { Value } from "../algebra/category.ts";
import { par, seqOf } from "../algebra/compose.ts";
import { type Lens, type ParamSpec, lens } from "../algebra/para.ts";
import type { Reparameterisation } from "../algebra/reparam.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { id } from "../algebra/structure.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import { zeros } from "../init/initialisers.ts";
import type { RealOps } from "../ops/index.ts";
import type { Optimiser } from "./optimiser.ts";

/**
 * A gradient transformation: for a model's parameters, a lens S x P -> P whose reverse returns the new S and the change handed on.
 *
 * @category Optimisers
 */
export type Transform = ((params: readonly ParamSpec[]) => Reparameterisation) & { readonly transformName: string };

/**
 * Defines a transformation from its state wires and its reverse pass:
 * `reverse(ops, state, params, changes)` returns the new state and the changes
 * handed on (one per parameter). The forward pass reads the parameters as they are.
 *
 * @example
 * ```ts
 * // halve every change
 * const halve = optimisers.transform("halve", () => [], (ops, _s, _p, ds) => [[], ds.map((d) => ops.scale(d, 0.5))]);
 * optimisers.chain(halve, sgd()).optimiserName;  // "chain(halve, sgd)"
 * ```
 *
 * @category Optimisers
 */
export function transform(
  name: string,
  state: (params: readonly ParamSpec[]) => ParamSpec[],
  reverse: (ops: RealOps, state: readonly Value[], params: readonly Value[], changes: readonly Value[]) => [state: Value[], changes: Value[]],
): Transform {
  const build = (params: readonly ParamSpec[]): Reparameterisation => {
    const specs = state(params);
    const k = specs.length;
    const shapes = params.map((p) => p.shape);
    return {
      name,
      params: [...specs, ...params],
      lens: lens<Wires, Wires, readonly Value[]>({
        name,
        dom: [...specs.map((s) => s.shape), ...shapes],
        cod: shapes,
        forward: (_ops, sp) => [sp.slice(k), sp],
        reverse: (ops, sp, ds) => {
          const [s, d] = reverse(ops, sp.slice(0, k), sp.slice(k), ds);
          return [...s, ...d];
        },
        // a state moves even when no change arrives
        linear: false,
      }),
    };
  };
  return Object.assign(build, { transformName: name });
}

/**
 * The state wires `suffixes` for each parameter, named `<parameter>.<suffix>`, all zeros; a suffix "t"
 * is a step count of shape [1] and "v" a second moment (>= 0).
 */
export function perParameter(params: readonly ParamSpec[], suffixes: readonly string[]): ParamSpec[] {
  const domain = (s: string) => (s === "t" ? { domain: "count" as const } : s === "v" ? { domain: "nonnegative" as const } : {});
  return params.flatMap((p) => suffixes.map((s) => ({ name: `${p.name}.${s}`, shape: s === "t" ? [1] : p.shape, init: zeros, role: "state" as const, ...domain(s) })));
}

const beside = (shapes: readonly Shape[], f: Lens<Wires, Wires>): Lens<Wires, Wires> =>
  shapes.length === 0 ? f : (par(id<Wires>(shapes), f) as unknown as Lens<Wires, Wires>);

/**
 * The transformations t1, ..., tk then the optimiser opt, composed by seq on
 * the parameter wire: the change from the model passes t1 first, opt writes
 * the new parameters. The state wires are the transformations' (in order),
 * then the optimiser's.
 *
 * @example
 * ```ts
 * const opt = optimisers.chain(optimisers.clipByGlobalNorm(1), adam({ lr: 1e-3 }));
 * supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: opt, rate: 1 }).dispose();
 * ```
 *
 * @category Optimisers
 */
export function chain(...parts: [...Transform[], Optimiser]): Optimiser {
  const last = parts[parts.length - 1];
  if (typeof last !== "function" || !("optimiserName" in last)) {
    throw new ParalensError(`chain: the last part must be an optimiser (sgd(), adam(), ...), got ${describePart(last)}`);
  }
  const ts = parts.slice(0, -1) as Transform[];
  ts.forEach((t, i) => {
    if (typeof t !== "function" || !("transformName" in t)) {
      throw new ParalensError(`chain: part ${i} must be a gradient transformation (clipByGlobalNorm(1), weightDecay(0.01), ...), got ${describePart(t)}`);
    }
  });
  const name = `chain(${[...ts.map((t) => t.transformName), last.optimiserName].join(", ")})`;
  const build = (params: readonly ParamSpec[]): Reparameterisation => {
    const opt = last(params);
    const built = ts.map((t) => t(params));
    const states = built.map((b) => b.params.slice(0, b.params.length - params.length));
    const specs = [...states.flat(), ...opt.params];
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw new ParalensError(`${name}: two parts name a state wire "${s.name}"`);
      seen.add(s.name);
    }
    const before = (j: number): Shape[] => states.slice(0, j).flat().map((s) => s.shape);
    // farthest from the model first: opt, then tk, ..., t1
    const stages = [beside(before(ts.length), opt.lens), ...built.map((b, j) => beside(before(j), b.lens)).reverse()];
    return { name, params: specs, lens: seqOf(stages) as Lens<Wires, Wires> };
  };
  return Object.assign(build, { optimiserName: name });
}

/** A part of a chain as messages show it: an optimiser or transformation by its name, anything else as errors.ts describes it. */
function describePart(x: unknown): string {
  const named = x as { optimiserName?: string; transformName?: string } | undefined;
  return (typeof x === "function" ? named?.optimiserName ?? named?.transformName : undefined) ?? describe(x);
}
