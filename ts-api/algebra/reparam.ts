// Reparameterisation: precomposing a Para's parameter wires with a lens
// Q -> P (a 2-cell of Para). Optimisers are reparameterisations by lenses
// S x P -> P; weight tying is reparameterisation by copying: P -> P x P,
// whose reverse adds the two gradients.
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import type { Carrier } from "./category.ts";
import { type Lens, type Para, type ParamSpec, paraArgument } from "./para.ts";
import { type Wires, sameWires } from "./shapes.ts";
import { wire } from "./structure.ts";
import type { RealOps } from "../ops/index.ts";

/**
 * A lens Q -> P on the parameter wire, with the specs of the new wires Q.
 *
 * @category Composition
 */
export interface Reparameterisation<K extends Carrier = RealOps> {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly lens: Lens<Wires, Wires, K>;
}

/**
 * f with its parameter wires P fed by r : Q -> P; the result has parameters Q.
 *
 * @example
 * ```ts
 * const trained = reparam(dense(4, 3), adam());  // the optimiser on the parameter wire
 * trained.params.map((p) => p.name);  // the state wires, then weight and bias
 * ```
 *
 * @category Composition
 */
export function reparam<A extends Wires, B extends Wires, K extends Carrier>(
  f: Para<A, B, K>,
  r: Reparameterisation<K> | ((params: readonly ParamSpec[]) => Reparameterisation<K>),
): Para<A, B, K> {
  paraArgument("reparam", f);
  const rp = typeof r === "function" ? r(f.params) : r;
  const lens = (rp as Partial<Reparameterisation<K>> | null)?.lens as Partial<Para> | undefined;
  if (typeof rp !== "object" || rp === null || !Array.isArray(rp.params) || typeof lens !== "object" || lens === null || !Array.isArray(lens.params)) {
    throw new ParalensError(`reparam: r must be a reparameterisation (adam(), frozen, ...) or a function making one from the parameters, got ${describe(r)}`);
  }
  const P = f.params.map((p) => p.shape);
  const Q = rp.params.map((p) => p.shape);
  if (rp.lens.params.length > 0) throw new ParalensError(`reparam: ${rp.name} must be a lens (it has parameters)`);
  if (!sameWires(rp.lens.cod, P)) {
    throw new ParalensError(`reparam: ${rp.name} gives ${fmtWires(rp.lens.cod)} but ${f.name} has parameters ${fmtWires(P)}`);
  }
  if (!sameWires(rp.lens.dom, Q)) {
    throw new ParalensError(`reparam: ${rp.name} takes ${fmtWires(rp.lens.dom)} but declares parameters ${fmtWires(Q)}`);
  }
  return {
    kind: "para",
    name: `${f.name} @ ${rp.name}`,
    dom: f.dom,
    cod: f.cod,
    params: rp.params,
    forward(ops, q, x) {
      const [p, rr] = rp.lens.forward(ops, [], q);
      const [y, rf] = f.forward(ops, p, x);
      return [y, [rr, rf]];
    },
    reverse(ops, residual, dy) {
      const [rr, rf] = residual as [unknown, unknown];
      const [dp, dx] = f.reverse(ops, rf, dy);
      const [, dq] = rp.lens.reverse(ops, rr, dp);
      return [dq, dx];
    },
  };
}

/**
 * Weight tying: each group of parameter names becomes one parameter, copied
 * to every place in the group; its gradient is the sum of the copies'. The
 * tied parameter keeps the name and initialiser of the group's first member.
 *
 * @example
 * ```ts
 * const shared = tie(seq(dense(8, 8), layers.tanh, dense(8, 8)), [["0.weight", "2.weight"]]);
 * ```
 *
 * @category Composition
 */
export function tie<A extends Wires, B extends Wires, K extends Carrier>(f: Para<A, B, K>, groups: readonly (readonly string[])[]): Para<A, B, K> {
  paraArgument("tie", f);
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === "string"))) {
    throw new ParalensError(`tie: groups must be an array of arrays of parameter names ([["0.weight", "2.weight"]]), got ${describe(groups)}`);
  }
  const index = new Map(f.params.map((p, i) => [p.name, i]));
  const source = f.params.map((_, i) => i); // which original wire feeds wire i
  for (const group of groups) {
    if (group.length < 2) throw new ParalensError(`tie: a group needs at least two parameter names, got [${group.join(", ")}]`);
    const [lead, ...rest] = group.map((name) => {
      const i = index.get(name);
      if (i === undefined) throw new ParalensError(`tie: ${f.name} has no parameter "${name}" (it has ${[...index.keys()].join(", ")})`);
      return i;
    });
    for (const i of rest) {
      if (!sameWires([f.params[i]!.shape], [f.params[lead!]!.shape])) {
        throw new ParalensError(
          `tie: "${f.params[i]!.name}" is ${fmtWires([f.params[i]!.shape])} but "${f.params[lead!]!.name}" is ${fmtWires([f.params[lead!]!.shape])}`,
        );
      }
      if (source[i] !== i) throw new ParalensError(`tie: "${f.params[i]!.name}" is in two groups`);
      source[i] = lead!;
    }
  }
  const kept = f.params.map((_, i) => i).filter((i) => source[i] === i);
  const Q = kept.map((i) => f.params[i]!);
  const sources = source.map((s) => kept.indexOf(s));
  return reparam(f, { name: "tie", params: Q, lens: wire<K>(Q.map((p) => p.shape), sources, "tie") });
}
