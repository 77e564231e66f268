import { type Para, para } from "../algebra/para.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";
import { positive } from "./linear.ts";
import { optionsArgument } from "../engine/errors.ts";

/**
 * bias(n): x -> x + b, with b of shape [n] added to every example.
 * Reverse: dx = dy, db = the sum of dy over the batch.
 *
 * @example
 * ```ts
 * layers.bias(3).forward(backends.reference, [backends.refTensor([3], [1, 2, 3])], [backends.refTensor([1, 3], [0, 0, 0])])[0][0]!.data;  // Float64Array [1, 2, 3]
 * ```
 *
 * @category Layers
 */
export function bias<const N extends number>(n: N, options: { init?: Initialiser } = {}): Para<readonly [readonly [N]], readonly [readonly [N]]> {
  optionsArgument("bias", options);
  positive("bias", n);
  return para<readonly [readonly [N]], readonly [readonly [N]], null>({
    name: `bias(${n})`,
    dom: [[n]],
    cod: [[n]],
    params: [{ name: "bias", shape: [n], init: options.init ?? zeros, role: "parameter" }],
    forward: (ops, [b], [x]) => [[ops.addRowVector(x!, b!)], null],
    reverse: (ops, _r, [dy]) => [[ops.sumRows(dy!)], [dy!]],
  });
}
