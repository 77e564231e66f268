import { type AnyShape, anyShape } from "../algebra/para.ts";
import { diagram } from "../algebra/diagram.ts";
import { elementwise } from "../ops/binary.ts";
import { erf } from "../ops/unary.ts";
import { affine } from "./affine.ts";

/**
 * gelu(x) = x Phi(x), Phi the standard normal distribution function:
 * x (1 + erf(x / sqrt 2)) / 2, elementwise (Hendrycks and Gimpel, 2016).
 * Composed from erf, two affine maps and a product: it has no kernel of its
 * own, and its reverse is the parts' reverses (x is used twice, so the two
 * changes add).
 *
 * @example
 * ```ts
 * const mlp = seq(dense(64, 256), layers.gelu, dense(256, 64));
 * ```
 *
 * @category Layers
 */
export const gelu: AnyShape<true> = anyShape("gelu", true, (dom) =>
  diagram("gelu", dom, (d, [x]) => {
    const phi = d.apply1(affine(0.5, 0.5), [d.apply1(erf, [d.apply1(affine(Math.SQRT1_2), [x!])])]);
    return [d.apply1(elementwise("mul", x!.shape, phi.shape), [x!, phi])];
  }),
);
