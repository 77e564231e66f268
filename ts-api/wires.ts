import { diagram } from "./algebra/diagram.ts";
import { wire, id, copy, discard, swap, add, tap } from "./algebra/structure.ts";
import { multiply, subtract, concat, split, stack, unstack, sumWires, scaled } from "./ops/wire-lenses.ts";

/**
 * String diagrams and the structure between layers: drawing a model as a
 * diagram of wires, the identity, copying, discarding, swapping and adding
 * wires, and the products of wires (gated cells, unrolled sequences and blocks
 * are drawn with them).
 *
 * @example
 * ```ts
 * const skip = seq(wires.copy([[4]]), par(dense(4, 4), wires.id([[4]])), wires.add([4]));
 * skip.cod;  // [[4]]
 * ```
 *
 * @namespace
 * @category Composition
 */
export const wires = {
  diagram, wire, id, copy, discard, swap, add, tap, multiply, subtract, concat, split, stack, unstack, sumWires,
  scaled,
};
