// Sequential and parallel composition of Para maps. Parameters multiply: the
// composite's parameter wires are its parts' wires side by side. Where more
// than one part has parameters, each name is prefixed with its part's
// position ("0.weight", "2.weight") so names stay unique; wrapping a model
// in parameter-free parts leaves its names as they were.
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import type { Carrier, Change, Value } from "./category.ts";
import { type Layer, type Lens, type Para, type ParamSpec, type AnyShape, anyShape, isLayer, resolve } from "./para.ts";
import { type Parts, inPart } from "./parts.ts";
import { type Wires, type WiresAgree, sameWires } from "./shapes.ts";
import type { RealOps } from "../ops/index.ts";

// ---- types: following shapes through a chain of layers ---------------------

type AnyPara = Para<any, any, any>;
type AnyLens = Lens<any, any, any>;
type Next<Prev extends Wires, L> =
  L extends Para<infer A, infer B, any> ? (WiresAgree<Prev, A> extends true ? B : never)
  : L extends AnyShape<true, any> ? Prev
  : L extends AnyShape<boolean, any> ? Wires
  : never;

// A mismatch replaces the part that does not fit with a string type that says
// why, so tsc's message names both shapes and the part's position:
//   Type 'Para<...>' is not assignable to type '"seq: part 1 takes [21] but part 0 gives [20]"'.
type CheckRest<Prev extends Wires, Ls extends readonly unknown[], At extends readonly unknown[]> = Ls extends readonly [infer L, ...infer Rest]
  ? [Next<Prev, L>] extends [never]
    ? [ShapeMismatch<At["length"], Prev, L extends Para<infer A, any, any> ? A : Wires>, ...Rest]
    : [L, ...CheckRest<Next<Prev, L>, Rest, [...At, L]>]
  : [];

/**
 * The message of a shape mismatch in seq, as a type: part `At` takes `A` but the part before gives `Prev`.
 *
 * @category Types
 */
export type ShapeMismatch<At extends number, Prev extends Wires, A extends Wires> =
  `seq: part ${At} takes ${ShowWires<A>} but part ${Minus1[At & keyof Minus1] & number} gives ${ShowWires<Prev>}`;

type Minus1 = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
type ShowDims<S> = S extends readonly [infer D extends number, ...infer R] ? (R extends readonly [] ? `${D}` : `${D}, ${ShowDims<R>}`) : S extends readonly [] ? "" : "...";
type ShowWires<W> = W extends readonly [infer S, ...infer R]
  ? R extends readonly [] ? `[${ShowDims<S>}]` : `[${ShowDims<S>}] x ${ShowWires<R>}`
  : W extends readonly [] ? "I" : "wires";

type CodOfChain<Prev extends Wires, Ls extends readonly unknown[]> = Ls extends readonly [infer L, ...infer Rest]
  ? CodOfChain<Next<Prev, L>, Rest>
  : Prev;

/**
 * The layers of a seq, with the first part that does not fit its predecessor replaced by an error type.
 *
 * @category Types
 */
export type Chain<Ls extends readonly unknown[]> = Ls extends readonly [infer F extends AnyPara, ...infer Rest]
  ? [F, ...CheckRest<F["cod"], Rest, [F]>]
  : Ls;

type CarrierOf<L> = L extends Para<any, any, infer K> ? K : L extends AnyShape<boolean, infer K> ? K : RealOps;
type Tail<Ls extends readonly unknown[]> = Ls extends readonly [unknown, ...infer R] ? R : [];

/**
 * The type of seq(...Ls) when the first part is a Para: from its input wires to the output wires of the chain, over its carrier.
 *
 * @category Types
 */
export type Seq<Ls extends readonly [AnyPara, ...Layer<any>[]]> = Para<
  Ls[0]["dom"],
  CodOfChain<Ls[0]["cod"], Tail<Ls>>,
  CarrierOf<Ls[0]>
>;

/**
 * The type of seq(...Ls): a Para from the first part's input to the last part's output, or an AnyShape if the first part is one.
 *
 * @category Types
 */
export type SeqOf<Ls extends readonly unknown[]> = Ls[0] extends AnyShape<boolean, infer K>
  ? AnyShape<false, K>
  : Ls extends readonly [AnyPara, ...Layer<any>[]] ? Seq<Ls> : never;

// ---- sequential composition -------------------------------------------------

/**
 * f ; g ; ...: the output of each part feeds the next. Shapes are checked as
 * the parts are joined (at compile time where they are literal); a mismatch
 * names both parts and both shapes. Shape-polymorphic layers (activations)
 * take the shape they are fed. If the first part is polymorphic, so is the
 * result.
 *
 * @example
 * ```ts
 * const model = seq(dense(4, 20), layers.sigmoid, dense(20, 3), layers.sigmoid);
 * ```
 *
 * @category Composition
 */
export function seq<const Ls extends readonly [Layer<any>, ...Layer<any>[]]>(...layers: Ls & Chain<Ls>): SeqOf<Ls>;
export function seq(...layers: readonly Layer<any>[]): Para<Wires, Wires, any> | AnyShape<boolean, any> {
  return seqOf(layers);
}

/**
 * seq of a list built at run time (shapes are then checked at run time only):
 * a Para, or a AnyShape if the first layer is shape-polymorphic.
 *
 * @example
 * ```ts
 * const layers = [dense(4, 8, "relu"), dense(8, 3)];
 * (seqOf(layers) as Para).cod;  // [[3]]
 * ```
 *
 * @category Composition
 */
export function seqOf<K extends Carrier = RealOps>(layers: readonly Layer<K>[]): Para<Wires, Wires, K> | AnyShape<boolean, K> {
  if (!Array.isArray(layers)) throw new ParalensError(`seqOf: layers must be an array of layers, got ${describe(layers)}`);
  if (layers.length === 0) throw new ParalensError("seq: needs at least one part");
  const bad = layers.findIndex((l) => !isLayer(l));
  if (bad >= 0) throw new ParalensError(`seq: part ${bad} must be a layer (dense(4, 3), relu, ...), got ${describe(layers[bad])}`);
  const first = layers[0]!;
  if (first.kind === "anyShape") {
    return anyShape(`seq(${layers.map((l) => l.name).join(", ")})`, false, (dom) => seqOf<K>([first.at(dom), ...layers.slice(1)]) as Para<Wires, Wires, K>);
  }
  const parts: Para<Wires, Wires, K>[] = [first];
  for (const layer of layers.slice(1)) {
    const prev = parts[parts.length - 1]!;
    const next = resolve(layer, prev.cod);
    if (!sameWires(prev.cod, next.dom)) {
      throw new ParalensError(
        `seq: the output of ${prev.name} is ${fmtWires(prev.cod)} but ${next.name} takes ${fmtWires(next.dom)}`,
      );
    }
    parts.push(next);
  }
  return parts.length === 1 ? parts[0]! : sequence(parts);
}

function sequence<K extends Carrier>(parts: Para<Wires, Wires, K>[]): Para<Wires, Wires, K> {
  const { params, offsets } = prefixed(parts);
  const name = joinNames(parts, " ; ");
  const kept: Parts<K> = { kind: "seq", of: parts, name };
  return {
    kind: "para",
    name,
    dom: parts[0]!.dom,
    cod: parts[parts.length - 1]!.cod,
    params,
    parts: kept,
    forward(ops, p, x) {
      const residuals: unknown[] = [];
      let v: Value[] = x as Value[];
      parts.forEach((f, i) => {
        const input = v;
        const [y, r] = inPart(ops, kept, i, () => f.forward(ops, p.slice(offsets[i], offsets[i + 1]), input));
        residuals.push(r);
        v = y;
      });
      return [v, residuals];
    },
    reverse(ops, residual, dy) {
      const residuals = residual as unknown[];
      const dps: Change[][] = [];
      let d: Change[] = dy as Change[];
      for (let i = parts.length - 1; i >= 0; i--) {
        const [dp, dx] = parts[i]!.reverse(ops, residuals[i], d);
        dps[i] = dp;
        d = dx;
      }
      return [dps.flat(), d];
    },
  };
}

// ---- parallel composition ---------------------------------------------------

type ParDom<Fs extends readonly unknown[]> = Fs extends readonly [Para<infer A, any, any>, ...infer R] ? readonly [...A, ...ParDom<R>] : readonly [];
type ParCod<Fs extends readonly unknown[]> = Fs extends readonly [Para<any, infer B, any>, ...infer R] ? readonly [...B, ...ParCod<R>] : readonly [];

/**
 * f x g x ...: the parts side by side. The input is their inputs
 * concatenated, the output their outputs, the parameters their parameters.
 *
 * @example
 * ```ts
 * const both = par(dense(2, 3), dense(4, 5));
 * [both.dom, both.cod];  // [[[2], [4]], [[3], [5]]]
 * ```
 *
 * @category Composition
 */
export function par<const Fs extends readonly [AnyLens, ...AnyLens[]]>(...fs: Fs): Lens<ParDom<Fs>, ParCod<Fs>, CarrierOf<Fs[0]>>;
export function par<const Fs extends readonly [AnyPara, ...AnyPara[]]>(...fs: Fs): Para<ParDom<Fs>, ParCod<Fs>, CarrierOf<Fs[0]>>;
export function par<K extends Carrier>(...fs: readonly Para<Wires, Wires, K>[]): Para<Wires, Wires, K> {
  if (fs.length === 0) throw new ParalensError("par: needs at least one part");
  for (const [i, f] of (fs as readonly Layer<K>[]).entries()) {
    if (!isLayer(f)) throw new ParalensError(`par: part ${i} must be a layer (dense(4, 3), ...), got ${describe(f)}`);
    if (f.kind === "anyShape") {
      throw new ParalensError(`par: ${f.name} has no fixed shape here; give it one, e.g. ${f.name}.at([n])`);
    }
  }
  if (fs.length === 1) return fs[0]!;
  const { params, offsets } = prefixed(fs);
  const domAt = cumulative(fs.map((f) => f.dom.length));
  const codAt = cumulative(fs.map((f) => f.cod.length));
  const name = joinNames(fs, " x ");
  const kept: Parts<K> = { kind: "par", of: fs, name };
  return {
    kind: "para",
    name,
    dom: fs.flatMap((f) => f.dom),
    cod: fs.flatMap((f) => f.cod),
    params,
    parts: kept,
    forward(ops, p, x) {
      const ys: Value[] = [];
      const residuals = fs.map((f, i) => {
        const [y, r] = inPart(ops, kept, i, () => f.forward(ops, p.slice(offsets[i], offsets[i + 1]), x.slice(domAt[i], domAt[i + 1])));
        ys.push(...y);
        return r;
      });
      return [ys, residuals];
    },
    reverse(ops, residual, dy) {
      const residuals = residual as unknown[];
      const dps: Change[] = [];
      const dxs: Change[] = [];
      fs.forEach((f, i) => {
        const [dp, dx] = f.reverse(ops, residuals[i], dy.slice(codAt[i], codAt[i + 1]));
        dps.push(...dp);
        dxs.push(...dx);
      });
      return [dps, dxs];
    },
  };
}

// ---- helpers ----------------------------------------------------------------

function cumulative(counts: number[]): number[] {
  const at = [0];
  for (const c of counts) at.push(at[at.length - 1]! + c);
  return at;
}

function prefixed(parts: readonly Para<Wires, Wires, any>[]): { params: ParamSpec[]; offsets: number[] } {
  const many = parts.filter((f) => f.params.length > 0).length > 1;
  const params = parts.flatMap((f, i) => f.params.map((p) => (many ? { ...p, name: `${i}.${p.name}` } : p)));
  return { params, offsets: cumulative(parts.map((f) => f.params.length)) };
}

const NAME_LIMIT = 120;
function joinNames(parts: readonly { name: string }[], sep: string): string {
  const name = parts.map((p) => (p.name.includes(";") || p.name.includes(" x ") ? `(${p.name})` : p.name)).join(sep);
  return name.length > NAME_LIMIT ? `${name.slice(0, NAME_LIMIT - 1)}…` : name;
}
