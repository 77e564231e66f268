// Folds over lists: a list algebra of the endofunctor 1 + A x - in Para is a
// pair of Para maps nil : I -> S and cons : A x S -> S, and the fold is the
// unique algebra homomorphism out of lists (Gavranović et al. 2024, "Folds
// as algebra homomorphisms"):
//
//   fold(Nil)         = nil(p)
//   fold(Cons(a, as)) = cons(p, a, fold(as))
//
// so the head of the list is read last. For lists of length T this unrolls to
// nil followed by T uses of cons, all with the same parameter: built untied,
// then shared by copying (share.ts).
//
// Plans are compiled for one list length (the length is part of the input
// shape [T, ...A]); sequences of different lengths use one plan per length,
// all bound to the same parameter tensors (see StructuredLearner).
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import { type Wire, diagram } from "../algebra/diagram.ts";
import { share, withStart } from "./share.ts";
import { checkShapes, unstack } from "../ops/wire-lenses.ts";

/**
 * An algebra of 1 + A x - in Para: what to do with the empty list and with an item in front of a folded rest.
 *
 * @category Recursion
 */
export interface ListAlgebra<A extends Shape = Shape, S extends Wires = Wires> {
  /** I -> S: the value of the empty list (run once and copied to every example, see withStart). */
  readonly nil: Para<readonly [], S>;
  /** A x S -> S: the value of Cons(a, as) from a and the value of as. */
  readonly cons: Para<readonly [A, ...S], S>;
}

/**
 * A fold over lists of items A into state S, unrolled for a given length.
 *
 * @category Recursion
 */
export interface Fold<A extends Shape = Shape, S extends Wires = Wires> {
  readonly name: string;
  readonly item: A;
  readonly state: S;
  readonly algebra: ListAlgebra<A, S>;
  /** The fold over lists of `length` items: [length, ...A] -> S. Parameters "nil.*" and "cons.*", shared by every use. */
  at(length: number): Para<readonly [Shape], S>;
  /**
   * The same unrolling with a parameter per use: "nil.*", then "cons@t.*" for
   * the item at position t, applied from the last item (t = length - 1) to the
   * first. Its gradients, summed over the uses, are the gradients of at(length).
   */
  untied(length: number): Para<readonly [Shape], S>;
}

/**
 * fold({ nil, cons }): the list fold of an algebra of 1 + A x -.
 *
 * @example
 * ```ts
 * const rnn = fold({ nil: point([8]), cons: elman(1, 8) });
 * const model = seq(rnn.at(5), dense(8, 1));   // lists of 5 numbers -> one number
 * ```
 *
 * @category Recursion
 */
export function fold<A extends Shape, S extends Wires>(algebra: ListAlgebra<A, S>): Fold<A, S> {
  optionsArgument("fold", algebra, "the algebra");
  const { nil, cons } = algebra;
  paraArgument("fold", nil, "nil");
  paraArgument("fold", cons, "cons");
  if (nil.dom.length !== 0) throw new ParalensError(`fold: nil must take no input wires, but ${nil.name} takes ${fmtWires(nil.dom)}`);
  const S = nil.cod;
  if (cons.dom.length !== S.length + 1) {
    throw new ParalensError(`fold: cons must take an item and the state ${fmtWires(S)}, but ${cons.name} takes ${fmtWires(cons.dom)}`);
  }
  const item = cons.dom[0]! as A;
  checkShapes(`fold: the state of cons (${cons.name} after its item)`, cons.dom.slice(1), S);
  checkShapes(`fold: the output of cons (${cons.name})`, cons.cod, S);
  const name = `fold(${nil.name}, ${cons.name})`;

  const untied = (length: number): Para<readonly [Shape], S> => {
    if (!Number.isInteger(length) || length < 0) throw new ParalensError(`${name}: a list length must be a whole number >= 0, got ${describe(length)}`);
    return diagram<readonly [Shape], S>(`${name} over ${length}`, [[length, ...item]], (d, [list]) => {
      const start = d.apply(withStart(list!.shape, nil), [list!], "nil");
      const items = d.apply(unstack(length, item), [list!]);
      let state: Wire[] = start;
      for (let t = length - 1; t >= 0; t--) state = d.apply(cons, [items[t]!, ...state], `cons@${t}`);
      return state;
    });
  };

  return {
    name,
    item,
    state: S,
    algebra,
    untied,
    at(length) {
      const f = untied(length);
      const uses = [0, ...Array.from({ length }, () => 1)];
      return { ...share(f, [{ prefix: "nil", params: nil.params }, { prefix: "cons", params: cons.params }], uses), name: `${name} over ${length}` };
    },
  };
}
