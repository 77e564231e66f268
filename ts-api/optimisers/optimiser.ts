// Optimisers are lenses S x P -> P on the parameter wire (Cruttwell et al.,
// section 3.4): the forward pass reads the parameter the model should use,
// the reverse pass takes the change arriving on the parameter wire (the
// gradient scaled by the learning rate) and returns the new state and
// parameter. For many parameter wires the optimiser is the parallel product
// of one such lens per wire, with state wires [s.., p] for each in turn.
import type { Value } from "../algebra/category.ts";
import { par, seqOf } from "../algebra/compose.ts";
import { type Lens, type ParamSpec, lens } from "../algebra/para.ts";
import type { Reparameterisation } from "../algebra/reparam.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { wire } from "../algebra/structure.ts";
import type { RealOps } from "../ops/index.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";

/**
 * Builds the reparameterisation S x P -> P for a model's parameters.
 *
 * @category Optimisers
 */
export type Optimiser = ((params: readonly ParamSpec[]) => Reparameterisation) & { readonly optimiserName: string };

/**
 * One state wire of a per-parameter optimiser: a suffix for its name and its shape given the parameter's.
 *
 * @category Optimisers
 */
export interface StateWire {
  suffix: string;
  /** The state's shape given the parameter's (default: the same shape). */
  shape?: (p: Shape) => Shape;
  init?: Initialiser;
  /** What values it may hold (see ParamSpec.domain). */
  domain?: "count" | "nonnegative";
}

/**
 * Defines an optimiser from its per-parameter lens S x P -> P:
 * `read(ops, state, p)` is the forward pass (the value the model sees) and
 * `update(ops, state, p, d)` the reverse (new state and parameter).
 *
 * @example
 * ```ts
 * // plain gradient descent: no state, read p as it is, step p + d (d already carries -eta)
 * const plain = optimisers.optimiser("plain", [], (_ops, _s, p) => p, (ops, _s, p, d) => [ops.add(p, d)]);
 * supervised(dense(4, 1), { loss: mse, optimiser: plain }).dispose();
 * ```
 *
 * @category Optimisers
 */
export function optimiser(
  name: string,
  state: readonly StateWire[],
  read: (ops: RealOps, s: readonly Value[], p: Value) => Value,
  update: (ops: RealOps, s: readonly Value[], p: Value, d: Value) => Value[],
): Optimiser {
  const perWire = (p: ParamSpec): { specs: ParamSpec[]; lens: Lens<Wires, Wires> } => {
    const specs: ParamSpec[] = [
      ...state.map((w) => ({ name: `${p.name}.${w.suffix}`, shape: w.shape?.(p.shape) ?? p.shape, init: w.init ?? zeros, role: "state" as const, ...(w.domain && { domain: w.domain }) })),
      p,
    ];
    const l = lens<Wires, Wires, Value[]>({
      name: `${name}(${p.name})`,
      dom: specs.map((s) => s.shape),
      cod: [p.shape],
      forward: (ops, sp) => [[read(ops, sp.slice(0, -1), sp[sp.length - 1]!)], sp as Value[]],
      reverse: (ops, sp, [d]) => update(ops, sp.slice(0, -1), sp[sp.length - 1]!, d!),
      // an update runs even when no change arrives (momentum keeps moving)
      linear: false,
    });
    return { specs, lens: l };
  };
  const build = (params: readonly ParamSpec[]): Reparameterisation => {
    const wires = params.map(perWire);
    const lenses = wires.map((w) => w.lens);
    return {
      name,
      params: wires.flatMap((w) => w.specs),
      lens: lenses.length === 0 ? lens({ name, dom: [], cod: [], forward: () => [[], null], reverse: () => [] }) : par(...(lenses as [Lens, ...Lens[]])),
    };
  };
  return Object.assign(build, { optimiserName: name });
}

/** The parameter-wire lens builder an optimiser, a gradient transformation or `frozen` is. */
type Build = (params: readonly ParamSpec[]) => Reparameterisation;

/** p + d on each parameter (the change already carries -eta): `sgd()`'s update, and a statistic's. */
export function plainStep(name: string): Optimiser {
  return optimiser(name, [], (_ops, _s, p) => p, (ops, _s, p, d) => [ops.sgdStep(p, d)]);
}

/**
 * `params` in groups (`labels[i]` names parameter i's), each built by its own
 * builder and the groups side by side (in the order `groups` lists them); a
 * wire puts the parameters back in the model's order. The builds by group
 * come back too, for their names.
 */
export function inGroups(
  params: readonly ParamSpec[], labels: readonly string[], groups: Readonly<Record<string, Build>>, name: string,
): { built: Readonly<Record<string, Reparameterisation>>; params: ParamSpec[]; lens: Lens<Wires, Wires> } {
  const names = Object.keys(groups);
  const order = names.flatMap((g) => params.flatMap((_, i) => (labels[i] === g ? [i] : [])));
  const built: Record<string, Reparameterisation> = {};
  for (const g of names) {
    const mine = params.filter((_, i) => labels[i] === g);
    if (mine.length > 0) built[g] = groups[g]!(mine);
  }
  const parts = Object.values(built);
  // par of the groups' lenses gives the parameters group by group; a wire puts them back in the model's order
  const grouped = par(...(parts.map((r) => r.lens) as [Lens, ...Lens[]])) as unknown as Lens<Wires, Wires>;
  const back = wire(order.map((i) => params[i]!.shape), params.map((_, i) => order.indexOf(i)), name);
  return { built, params: parts.flatMap((r) => r.params), lens: seqOf([grouped, back]) as Lens<Wires, Wires> };
}

/**
 * An optimiser with the model's statistic parameters (role "statistic":
 * batchNorm's running statistics) taken apart from it: the optimiser is
 * built for the other parameters, and a statistic is updated by plain
 * addition, p + d. Why: such a layer's reverse emits on a statistic wire
 * momentum (batch statistic - running), one step of gradient descent on
 * (1/2) |running - batch statistic|^2 with step size momentum, which is the
 * exponential moving average. That step is already the whole update: a
 * learning rate, Adam's moments or weight decay would make it another
 * average. Learners apply it to every optimiser (sgd, adam, chain, partition,
 * one's own), so none needs to know of statistics; a model without them gets
 * the optimiser as it is, and one with them keeps the optimiser's name.
 */
export function statisticsApart(build: Build): Build {
  return (params) => {
    if (!params.some((p) => p.role === "statistic")) return build(params);
    const labels = params.map((p) => (p.role === "statistic" ? "statistics" : "learned"));
    const g = inGroups(params, labels, { learned: build, statistics: plainStep("statistics") }, "statisticsApart");
    return { name: g.built["learned"]?.name ?? "statistics", params: g.params, lens: g.lens };
  };
}
