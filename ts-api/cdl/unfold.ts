// Unfolds: a coalgebra of O x - in Para is a cell S -> O x S (an output and
// the next state), and the unfold is the coalgebra homomorphism into streams
// of O (Gavranović et al. 2024, "Coalgebras"): from a state it gives the
// stream o(s), o(n(s)), o(n(n(s))), ... A Stream here is lazy: nothing is
// built until take(k), which unrolls exactly k uses of the cell (sharing its
// parameters by copying) and stacks their outputs. Its laws:
//
//   head(unfold(x)) = o(x)          tail(unfold(x)) = unfold(n(x))
import { type Para, paraArgument } from "../algebra/para.ts";
import { type Shape, type Wires, countArgument } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import { type Wire, diagram } from "../algebra/diagram.ts";
import { share } from "./share.ts";
import { checkShapes, stack } from "../ops/wire-lenses.ts";
import { reshape } from "../layers/reshape.ts";

/**
 * A stream of O unfolded from a state S; `skip` steps are run (and their outputs dropped) before the first output.
 *
 * @category Recursion
 */
export interface Stream<S extends Wires = Wires, O extends Shape = Shape> {
  readonly name: string;
  /** The coalgebra S -> O x S. */
  readonly cell: Para<S, Wires>;
  readonly output: O;
  readonly skip: number;
  /** The first k outputs from a state: S -> [k, ...O], k (+ skip) uses of the cell with one shared parameter. */
  take(k: number): Para<S, readonly [Shape]>;
  /** The same with a parameter per use ("step@i.*"). */
  untied(k: number): Para<S, readonly [Shape]>;
  /** The first output: S -> O. */
  head(): Para<S, readonly [O]>;
  /** The stream after one step (lazy: builds nothing). */
  tail(): Stream<S, O>;
}

/**
 * unfold(cell): the stream coalgebra homomorphism of cell : S -> O x S.
 *
 * @example
 * ```ts
 * const wave = unfold(seq(dense(8, 8, "tanh"), wires.wire([[8]], [0, 0]), par(dense(8, 1), wires.id([8]))));
 * const first20 = wave.take(20);   // [8] -> [20, 1]
 * ```
 *
 * @category Recursion
 */
export function unfold<S extends Wires, O extends Shape = Shape>(cell: Para<S, Wires>, skip = 0): Stream<S, O> {
  paraArgument("unfold", cell, "the cell");
  countArgument("unfold", skip, "skip");
  const S = cell.dom;
  if (cell.cod.length !== S.length + 1) {
    throw new ParalensError(`unfold: the cell must give an output and the state ${fmtWires(S)}, but ${cell.name} gives ${fmtWires(cell.cod)}`);
  }
  checkShapes(`unfold: the next state of ${cell.name}`, cell.cod.slice(1), S);
  const O = cell.cod[0]! as O;
  const name = `unfold(${cell.name})`;

  const untied = (k: number): Para<S, readonly [Shape]> => {
    if (!Number.isInteger(k) || k < 1) throw new ParalensError(`${name}: take needs a whole number of steps >= 1, got ${describe(k)}`);
    return diagram<S, readonly [Shape]>(`${name}${skip ? ` after ${skip}` : ""} take ${k}`, S, (d, start) => {
      let state: Wire[] = start;
      const outs: Wire[] = [];
      for (let i = 0; i < skip + k; i++) {
        const [o, ...next] = d.apply(cell, state, `step@${i}`);
        if (i >= skip) outs.push(o!);
        state = next;
      }
      return [d.apply1(stack(k, O), outs)];
    });
  };
  const take = (k: number): Para<S, readonly [Shape]> => {
    const f = untied(k);
    return { ...share(f, [{ prefix: "", params: cell.params }], Array.from({ length: skip + k }, () => 0)), name: f.name };
  };

  return {
    name,
    cell,
    output: O,
    skip,
    take,
    untied,
    head: () => diagram<S, readonly [O]>(`head(${name})`, S, (d, s) => [d.apply1(reshape(O).at([[1, ...O]]), [d.apply1(take(1), s)])]),
    tail: () => unfold<S, O>(cell, skip + 1),
  };
}
