// Message passing on graphs: n nodes with features X [n, d] and an
// adjacency matrix A [n, n] (per example). Relabelling the nodes by a
// permutation P acts by X -> P X and A -> P A P^T; a layer that only sums
// messages over neighbours (A X) and transforms every node with one shared
// parameter commutes with it (Gilmer et al. 2017; Bronstein et al. 2021,
// section 5.3).
import type { Value } from "../algebra/category.ts";
import { type Lens, type Para, lens } from "../algebra/para.ts";
import type { Shape } from "../algebra/shapes.ts";
import { add } from "../algebra/structure.ts";
import { type ActivationName, activationNamed } from "../layers/activations.ts";
import { bias } from "../layers/bias.ts";
import { linear, positive } from "../layers/linear.ts";
import { diagram } from "../algebra/diagram.ts";
import { perElement } from "./sets.ts";

/**
 * aggregate(n, d): (X [n, d], A [n, n]) -> A X [n, d], node i receiving the
 * sum of its neighbours' features weighted by A[i, j].
 * Reverse: dX = A^T dM, dA = dM X^T (one product per example).
 *
 * @example
 * ```ts
 * aggregate(4, 3).cod;  // [[4, 3]]
 * ```
 *
 * @category Layers
 */
export function aggregate(n: number, features: number): Lens<readonly [Shape, Shape], readonly [Shape]> {
  positive("aggregate", n, features);
  return lens<readonly [Shape, Shape], readonly [Shape], [Value, Value]>({
    name: `aggregate(${n}, ${features})`,
    dom: [[n, features], [n, n]],
    cod: [[n, features]],
    forward: (ops, [x, a]) => [[ops.batchMatmul(a!, x!, false, false)], [x!, a!]],
    reverse: (ops, [x, a], [dm]) => [ops.batchMatmul(a, dm!, true, false), ops.batchMatmul(dm!, x, false, true)],
  });
}

/**
 * A message-passing layer: Y = act(X S + (A X) M + b), and the adjacency
 * passed on so layers compose: [n, d] x [n, n] -> [n, h] x [n, n].
 * Parameters "self.weight" [d, h], "neighbours.weight" [d, h], "bias" [h].
 *
 * @example
 * ```ts
 * const gnn = seq(messagePassing(6, 2, 8, "tanh"), messagePassing(6, 8, 8, "tanh"));
 * ```
 *
 * @category Layers
 */
export function messagePassing(n: number, inputs: number, outputs: number, activation?: ActivationName): Para<readonly [Shape, Shape], readonly [Shape, Shape]> {
  positive("messagePassing", n, inputs, outputs);
  return diagram(`messagePassing(${n}, ${inputs} -> ${outputs})`, [[n, inputs], [n, n]], (d, [x, a]) => {
    const own = d.apply1(perElement(linear(inputs, outputs), n), [x!], "self");
    const messages = d.apply1(perElement(linear(inputs, outputs), n), [d.apply1(aggregate(n, inputs), [x!, a!])], "neighbours");
    const z = d.apply1(perElement(bias(outputs), n), [d.apply1(add([n, outputs]), [own, messages])]);
    return [activation ? d.apply1(activationNamed(activation), [z]) : z, a!];
  });
}
