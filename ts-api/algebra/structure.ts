// The structure maps every base category has: identity, copy, discard, swap,
// and the addition of two wires. The first four are one primitive, `wire`: a
// re-routing of wires in which an input may be used any number of times.
// Its reverse sums the changes of every use (one use: passed through; two:
// added, so copy's reverse is +; none: zero, so discard's reverse is 0).
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import type { Carrier, Change, Value } from "./category.ts";
import { type Lens, lens } from "./para.ts";
import { type AsWires, type Shape, type Times, type Wires, asWires, sameShape, shapeArgument, wiresArgument } from "./shapes.ts";
import type { RealOps } from "../ops/index.ts";

/**
 * The lens A -> B with output j = input sources[j]. Reverse: input i receives
 * the sum of the changes of the outputs that copied it (zero if none did).
 *
 * @example
 * ```ts
 * const [[a, b]] = wires.wire([[2], [3]], [1, 0]).forward(backends.reference, [], [backends.refTensor([1, 2]), backends.refTensor([1, 3])]);
 * [a!.shape, b!.shape];  // [[1, 3], [1, 2]]
 * ```
 *
 * @category Composition
 */
export function wire<K extends Carrier = RealOps>(dom: Wires, sources: readonly number[], name = "wire"): Lens<Wires, Wires, K> {
  wiresArgument(name, dom, "dom");
  if (!Array.isArray(sources)) throw new ParalensError(`${name}: sources must be an array of wire indices, got ${describe(sources)}`);
  for (const s of sources) {
    if (!Number.isInteger(s) || s < 0 || s >= dom.length) {
      throw new ParalensError(`${name}: source ${describe(s)} is not one of the ${dom.length} input wires of ${fmtWires(dom)}`);
    }
  }
  return lens<Wires, Wires, null, K>({
    name,
    dom,
    cod: sources.map((s) => dom[s]!),
    forward: (_ops, x) => [sources.map((s) => x[s]!), null],
    reverse(ops, _r, dy) {
      // zero (null) changes are skipped, not added: routing costs nothing
      const dx: Change[] = dom.map(() => null);
      sources.forEach((s, j) => {
        const [prev, d] = [dx[s], dy[j] as Change];
        if (d != null) dx[s] = prev == null ? d : ops.add(prev, d);
      });
      return dx;
    },
    passesZeros: true,
  });
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

// The structure maps take one shape ([3]) or a list of wires ([[3], [2]]).

/**
 * id : A -> A
 *
 * @example
 * ```ts
 * wires.id([3]).forward(backends.reference, [], [backends.refTensor([1, 3], [1, 2, 3])])[0][0]!.data;  // Float64Array [1, 2, 3]
 * ```
 *
 * @category Composition
 */
export function id<const X extends Shape | Wires, K extends Carrier = RealOps>(dom: X): Lens<AsWires<X>, AsWires<X>, K> {
  wiresArgument("id", dom, "dom");
  const w = asWires(dom);
  return wire<K>(w, range(w.length), `id(${fmtWires(w)})`) as unknown as Lens<AsWires<X>, AsWires<X>, K>;
}

/**
 * copy : A -> A x A, whose reverse adds the two changes.
 *
 * @example
 * ```ts
 * const twice = seq(wires.copy([3]), wires.add([3]));  // x -> 2x
 * twice.forward(backends.reference, [], [backends.refTensor([1, 3], [1, 2, 3])])[0][0]!.data;  // Float64Array [2, 4, 6]
 * ```
 *
 * @category Composition
 */
export function copy<const X extends Shape | Wires, K extends Carrier = RealOps>(dom: X): Lens<AsWires<X>, Times<AsWires<X>, AsWires<X>>, K> {
  wiresArgument("copy", dom, "dom");
  const w = asWires(dom);
  return wire<K>(w, [...range(w.length), ...range(w.length)], `copy(${fmtWires(w)})`) as unknown as Lens<AsWires<X>, Times<AsWires<X>, AsWires<X>>, K>;
}

/**
 * discard : A -> I, whose reverse is the zero change.
 *
 * @example
 * ```ts
 * wires.discard([3]).cod;  // []
 * ```
 *
 * @category Composition
 */
export function discard<const X extends Shape | Wires, K extends Carrier = RealOps>(dom: X): Lens<AsWires<X>, readonly [], K> {
  wiresArgument("discard", dom, "dom");
  const w = asWires(dom);
  return wire<K>(w, [], `discard(${fmtWires(w)})`) as unknown as Lens<AsWires<X>, readonly [], K>;
}

/**
 * swap : A x B -> B x A
 *
 * @example
 * ```ts
 * wires.swap([2], [3]).cod;  // [[3], [2]]
 * ```
 *
 * @category Composition
 */
export function swap<const X extends Shape | Wires, const Y extends Shape | Wires, K extends Carrier = RealOps>(
  a: X,
  b: Y,
): Lens<Times<AsWires<X>, AsWires<Y>>, Times<AsWires<Y>, AsWires<X>>, K> {
  wiresArgument("swap", a, "a");
  wiresArgument("swap", b, "b");
  const wa: Wires = asWires(a);
  const wb: Wires = asWires(b);
  const sources = [...range(wb.length, wa.length), ...range(wa.length)];
  return wire<K>([...wa, ...wb], sources, `swap(${fmtWires(wa)}, ${fmtWires(wb)})`) as unknown as Lens<
    Times<AsWires<X>, AsWires<Y>>,
    Times<AsWires<Y>, AsWires<X>>,
    K
  >;
}

/**
 * add : S x S -> S, pointwise; its reverse copies the change to both inputs.
 *
 * @example
 * ```ts
 * wires.add([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, 2]), backends.refTensor([1, 2], [10, 20])])[0][0]!.data;  // Float64Array [11, 22]
 * ```
 *
 * @category Composition
 */
export function add<const S extends Shape, K extends Carrier = RealOps>(shape: S): Lens<readonly [S, S], readonly [S], K> {
  shapeArgument("add", shape);
  return lens<readonly [S, S], readonly [S], null, K>({
    name: `add(${fmtWires([shape])})`,
    dom: [shape, shape],
    cod: [shape],
    forward: (ops, [a, b]) => [[ops.add(a!, b!)], null],
    reverse: (_ops, _r, [dy]) => [dy!, dy!],
  });
}

/**
 * The identity, which on the forward pass hands its values to the backend
 * under names (a compiled plan records them, so a caller can read predictions
 * or losses out of a closed lens without changing what it computes). One name
 * per wire, or one name for a single wire.
 *
 * @example
 * ```ts
 * const plan = compile(seq(dense(2, 3), wires.tap("hidden", [3]), dense(3, 1)), { batch: 1 });
 * plan.forward();
 * plan.observed.get("hidden")!.shape;  // [1, 3]
 * plan.dispose();
 * ```
 *
 * @category Composition
 */
export function tap<const X extends Shape | Wires, K extends Carrier = RealOps>(names: string | readonly string[], dom: X): Lens<AsWires<X>, AsWires<X>, K> {
  type A = AsWires<X>;
  wiresArgument("tap", dom, "dom");
  const w: Wires = asWires(dom);
  const list = typeof names === "string" ? [names] : names;
  if (!Array.isArray(list) || !list.every((n) => typeof n === "string")) throw new ParalensError(`tap: names must be a string or an array of strings, got ${describe(names)}`);
  if (list.length !== w.length) throw new ParalensError(`tap: ${list.length} name(s) for ${w.length} wire(s) ${fmtWires(w)}`);
  return lens<A, A, null, K>({
    name: `tap(${list.join(", ")})`,
    dom: w as A,
    cod: w as A,
    forward(ops, x) {
      x.forEach((v, i) => ops.observe?.(list[i]!, v));
      return [x as Value[], null];
    },
    reverse: (_ops, _r, dy) => dy as Change[],
  });
}
