import { type AnyShape, anyShape } from "../algebra/para.ts";
import { diagram } from "../algebra/diagram.ts";
import { elementwise } from "../ops/binary.ts";
import { sigmoid } from "../ops/activations.ts";

/**
 * silu(x) = x sigmoid(x), elementwise (Elfwing, Uchibe and Doya, 2018; also
 * called swish). Composed from sigmoid and a product; x feeds both, so its
 * two changes add on the way back.
 *
 * @example
 * ```ts
 * const mlp = seq(dense(8, 32), layers.silu, dense(32, 8));
 * ```
 *
 * @category Layers
 */
export const silu: AnyShape<true> = anyShape("silu", true, (dom) =>
  diagram("silu", dom, (d, [x]) => [d.apply1(elementwise("mul", x!.shape, x!.shape), [x!, d.apply1(sigmoid, [x!])])]),
);
