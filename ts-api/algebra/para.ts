// Para(Lens): a lens P x A -> B whose parameter wires P are kept apart from
// its data wires A. forward(p, a) returns the output and a residual (what the
// reverse pass needs, so nothing is recomputed); reverse(residual, db) returns
// the changes (dp, da). A plain lens is a Para with no parameter wires.
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import type { Initialiser } from "../init/initialisers.ts";
import type { Carrier, Change, Value } from "./category.ts";
import { type Shape, type Wires, asWires, wiresArgument } from "./shapes.ts";
import type { Parts } from "./parts.ts";
import type { RealOps } from "../ops/index.ts";

/**
 * A parameter wire: its name, shape (no batch axis) and how to choose its first value.
 *
 * @category Types
 */
export interface ParamSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly init: Initialiser;
  /**
   * "parameter": a model parameter; "state": an optimiser's state (saved with a learner, not with a model);
   * "statistic": a model parameter its own layer updates (batchNorm's running statistics): the change its
   * layer's reverse emits is added as it is, p + d, never passed through the optimiser (`statisticsApart`).
   */
  readonly role: "parameter" | "state" | "statistic";
  /**
   * What values a state may hold, checked when a learner loads a file: "count" a whole number >= 0
   * (a step count), "nonnegative" a number >= 0 (a second moment); absent, any finite number.
   */
  readonly domain?: "count" | "nonnegative";
}

/**
 * A parametric lens P x A -> B (Cruttwell et al., "Categorical Foundations of
 * Gradient-Based Learning", section 2): parameter wires `params`, input wires
 * `dom`, output wires `cod`, and the forward and reverse passes side by side.
 * Make one with `para({...})`, or compose them with `seq`, `par`, `reparam`.
 *
 * @example
 * ```ts
 * const f = dense(4, 3);
 * [f.dom, f.cod, f.params.map((p) => p.name)];  // [[[4]], [[3]], ["weight", "bias"]]
 * ```
 *
 * @category Types
 */
export interface Para<A extends Wires = Wires, B extends Wires = Wires, K extends Carrier = RealOps> {
  readonly kind: "para";
  /** For messages and printing, e.g. "dense(4 -> 3)". */
  readonly name: string;
  /** Input wires (shapes without the batch axis). */
  readonly dom: A;
  /** Output wires (shapes without the batch axis). */
  readonly cod: B;
  /** Parameter wires, in the order forward and reverse take them. */
  readonly params: readonly ParamSpec[];
  /** For a composite of seq or par (and a layer built from one): its parts, whose parameter wires are its own in order (parts.ts). */
  readonly parts?: Parts<K>;
  /** Computes the outputs from parameters p and inputs x (batch axis first), and a residual: what reverse needs, so nothing is recomputed. */
  forward(ops: K, p: readonly Value[], x: readonly Value[]): [y: Value[], residual: unknown];
  /** The reverse derivative: from the residual and the output changes dy, the parameter and input changes (null is a zero change). */
  reverse(ops: K, residual: unknown, dy: readonly Change[]): [dp: Change[], dx: Change[]];
}

/**
 * A lens: a Para whose parameter wires are none, at the type level too.
 *
 * @category Types
 */
export interface Lens<A extends Wires = Wires, B extends Wires = Wires, K extends Carrier = RealOps> extends Para<A, B, K> {
  readonly params: readonly [];
}

/**
 * A shape-polymorphic layer (an activation, say): it becomes a Para once the
 * shape it is fed is known, which seq supplies. `same` marks layers whose
 * output shape is their input shape, so types can follow them.
 *
 * @category Types
 */
export interface AnyShape<Same extends boolean = boolean, K extends Carrier = RealOps> {
  readonly kind: "anyShape";
  readonly name: string;
  readonly same: Same;
  /** The layer at a given input: one shape ([3]) or a list of wires ([[3], [2]]). */
  at<A extends Wires>(dom: A | Shape): Para<Same extends true ? A : Wires, Same extends true ? A : Wires, K>;
}

/**
 * Anything seq accepts as a part: a Para with fixed wires, or a shape-polymorphic AnyShape.
 *
 * @category Types
 */
export type Layer<K extends Carrier = RealOps> = Para<any, any, K> | AnyShape<boolean, K>;

/**
 * How a primitive is defined: shapes, parameters and its two passes side by side.
 *
 * @category Types
 */
export interface ParaSpec<A extends Wires, B extends Wires, R, K extends Carrier> {
  name: string;
  dom: A;
  cod: B;
  params?: readonly ParamSpec[];
  /** Computes the outputs and the residual R that reverse receives. */
  forward(ops: K, p: readonly Value[], x: readonly Value[]): [Value[], R];
  /** Receives no null: a zero change is materialised first (unless all are zero, see `linear`). */
  reverse(ops: K, residual: R, dy: readonly Value[]): [Change[], Change[]];
  /**
   * Reverse derivatives are linear in the change (R[f](x, 0) = 0), so by
   * default an all-zero change skips the reverse pass and returns zero.
   * Update lenses (optimisers) are not linear and set this to false.
   */
  linear?: boolean;
  /**
   * By default a null (zero) change among several is materialised as zeros
   * before reverse runs. Structure maps that only route changes set this to
   * true: their reverse then receives the nulls as they are (typed Value[],
   * so it must check) and can pass them on at no cost.
   */
  passesZeros?: boolean;
}

/** Refuses a spec that is not one before a Para is made of it: a name, dom and cod wires, forward and reverse functions. */
function checkSpec(what: string, spec: unknown): void {
  const s = spec as Partial<ParaSpec<Wires, Wires, unknown, RealOps>> | null;
  if (typeof spec !== "object" || s === null) throw new ParalensError(`${what}: the spec must be an object { name, dom, cod, forward, reverse }, got ${describe(spec)}`);
  if (typeof s.name !== "string") throw new ParalensError(`${what}: the spec's name must be a string, got ${describe(s.name)}`);
  for (const side of ["dom", "cod"] as const) {
    const w = s[side] as unknown;
    if (!Array.isArray(w) || !w.every((x: unknown) => Array.isArray(x))) throw new ParalensError(`${what} ${s.name}: ${side} must be a list of wires ([[3]]), got ${describe(w)}`);
    wiresArgument(`${what} ${s.name}`, w, side);
  }
  if (typeof s.forward !== "function" || typeof s.reverse !== "function") throw new ParalensError(`${what} ${s.name}: forward and reverse must be functions`);
  if (s.params !== undefined && !Array.isArray(s.params)) throw new ParalensError(`${what} ${s.name}: params must be an array of parameter specs, got ${describe(s.params)}`);
}

interface Wrapped<R> {
  readonly inner: R;
  readonly outShapes: Shape[];
}

/**
 * Defines a primitive Para.
 *
 * @example
 * ```ts
 * const scale = para({
 *   name: "scale", dom: [[2]], cod: [[2]],
 *   params: [{ name: "w", shape: [2], init: initialisers.constant(3), role: "parameter" }],
 *   forward: (ops, [w], [x]) => [[ops.mul(x!, w!)], { w: w!, x: x! }],
 *   reverse: (ops, { w, x }, [dy]) => [[ops.sumTo(ops.mul(dy!, x), [2])], [ops.mul(dy!, w)]],
 * });
 * scale.forward(backends.reference, [backends.refTensor([2], [3, 3])], [backends.refTensor([1, 2], [1, 2])])[0][0]!.data;  // Float64Array [3, 6]
 * ```
 *
 * @category Composition
 */
/* @__NO_SIDE_EFFECTS__ */
export function para<A extends Wires, B extends Wires, R, K extends Carrier = RealOps>(
  spec: ParaSpec<A, B, R, K>,
): Para<A, B, K> {
  checkSpec("para", spec);
  const params = spec.params ?? [];
  const linear = spec.linear ?? true;
  const { name, dom, cod } = spec;
  return {
    kind: "para",
    name,
    dom,
    cod,
    params,
    forward(ops, p, x) {
      arity(name, "parameter", params.length, p.length);
      arity(name, "input", dom.length, x.length);
      const [y, inner] = ops.within ? ops.within(name, () => spec.forward(ops, p, x)) : spec.forward(ops, p, x);
      arity(name, "output", cod.length, y.length);
      const wrapped: Wrapped<R> = { inner, outShapes: y.map((v) => ops.shape(v)) };
      return [y, wrapped];
    },
    reverse(ops, residual, dy) {
      const { inner, outShapes } = residual as Wrapped<R>;
      arity(name, "output change", cod.length, dy.length);
      if (linear && dy.every((d) => d === null)) return [params.map(() => null), dom.map(() => null)];
      const filled = spec.passesZeros ? (dy as Value[]) : dy.map((d, i) => d ?? ops.zeros(outShapes[i]!));
      const [dp, dx] = spec.reverse(ops, inner, filled);
      arity(name, "parameter change", params.length, dp.length);
      arity(name, "input change", dom.length, dx.length);
      return [dp, dx];
    },
  };
}

/**
 * Defines a primitive lens (no parameters).
 *
 * @example
 * ```ts
 * const double = lens({
 *   name: "double", dom: [[2]], cod: [[2]],
 *   forward: (ops, [x]) => [[ops.scale(x!, 2)], null],
 *   reverse: (ops, _r, [dy]) => [ops.scale(dy!, 2)],
 * });
 * double.forward(backends.reference, [], [backends.refTensor([1, 2], [1, 2])])[0][0]!.data;  // Float64Array [2, 4]
 * ```
 *
 * @category Composition
 */
/* @__NO_SIDE_EFFECTS__ */
export function lens<A extends Wires, B extends Wires, R, K extends Carrier = RealOps>(
  spec: Omit<ParaSpec<A, B, R, K>, "params" | "forward" | "reverse"> & {
    forward(ops: K, x: readonly Value[]): [Value[], R];
    reverse(ops: K, residual: R, dy: readonly Value[]): Change[];
  },
): Lens<A, B, K> {
  checkSpec("lens", spec);
  const f = para<A, B, R, K>({
    ...spec,
    forward: (ops, _p, x) => spec.forward(ops, x),
    reverse: (ops, r, dy) => [[], spec.reverse(ops, r, dy)],
  });
  return { ...f, params: [] };
}

/**
 * Defines a shape-polymorphic layer from a function of its input wires.
 *
 * @example
 * ```ts
 * const twice = anyShape("twice", true, (dom) => seq(wires.copy(dom), wires.sumWires(2, dom[0]!)));
 * twice.at([3]).cod;  // [[3]]
 * ```
 *
 * @category Composition
 */
/* @__NO_SIDE_EFFECTS__ */
export function anyShape<Same extends boolean, K extends Carrier = RealOps>(
  name: string,
  same: Same,
  at: (dom: Wires) => Para<Wires, Wires, K>,
): AnyShape<Same, K> {
  if (typeof name !== "string" || typeof at !== "function") throw new ParalensError(`anyShape: takes a name and a function from input wires to a Para, got ${describe(name)} and ${describe(at)}`);
  return { kind: "anyShape", name, same, at: ((dom: Shape | Wires) => {
      wiresArgument(`${name}.at`, dom, "its input");
      return at(asWires(dom) as Wires);
    }) as AnyShape<Same, K>["at"] };
}

/** Whether a value is a layer (a Para or a shape-polymorphic AnyShape): what seq and supervised check their parts with. */
export function isLayer(x: unknown): x is Layer<any> {
  const kind = typeof x === "object" && x !== null ? (x as { kind?: unknown }).kind : undefined;
  return kind === "para" || kind === "anyShape";
}

/**
 * Refuses anything but a Para (a layer of fixed shape) where a user passes a model, naming the
 * argument: checked before anything is built from it, so a wrong value is never met as a TypeError.
 *
 * @example
 * ```ts
 * paraArgument("compile", dense(4, 3));  // fine; paraArgument("compile", relu) throws (its shape is not set)
 * ```
 */
export function paraArgument(what: string, f: unknown, name = "the model"): asserts f is Para<Wires, Wires, any> {
  const p = f as Partial<Para> | null;
  if (typeof f !== "object" || p === null || p.kind !== "para" || !Array.isArray(p.dom) || !Array.isArray(p.cod) || !Array.isArray(p.params)) {
    const shapeless = isLayer(f) && f.kind === "anyShape" ? `${f.name}, whose shape is set by its input: give it one with .at([n])` : describe(f);
    throw new ParalensError(`${what}: ${name} must be a layer of fixed shape (dense(4, 3), seq(...)), got ${shapeless}`);
  }
}

/** As paraArgument, for a layer of any shape (relu, dense(4, 3)). */
export function layerArgument(what: string, f: unknown, name = "the layer"): asserts f is Layer<any> {
  if (!isLayer(f)) throw new ParalensError(`${what}: ${name} must be a layer (dense(4, 3), relu, ...), got ${describe(f)}`);
}

/**
 * The Para a layer denotes at a given input.
 *
 * @example
 * ```ts
 * resolve(layers.relu, [[5]]).cod;  // [[5]]
 * ```
 *
 * @category Composition
 */
export function resolve<K extends Carrier>(layer: Layer<K>, dom: Wires): Para<Wires, Wires, K> {
  layerArgument("resolve", layer);
  wiresArgument("resolve", dom, "dom");
  return layer.kind === "anyShape" ? layer.at(dom) : layer;
}

function arity(name: string, what: string, expected: number, got: number): void {
  if (expected !== got) throw new ParalensError(`${name}: expected ${expected} ${what} value(s), got ${got}`);
}
