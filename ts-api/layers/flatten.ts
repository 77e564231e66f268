import { type AnyShape, anyShape } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";
import { view } from "./reshape.ts";

/**
 * flatten: each example as one row, [h, w, c] -> [h w c] in row-major order
 * (the NHWC image order: pixel by pixel, channels innermost). A view on both
 * passes: nothing is copied.
 *
 * @example
 * ```ts
 * seq(conv2d({ filters: 5, kernel: 3 }), layers.relu, maxPool2d(2), flatten, dense(13 * 13 * 5, 10)).at([28, 28, 1])
 * ```
 *
 * @category Layers
 */
export const flatten: AnyShape<false> = anyShape("flatten", false, (dom: Wires) => {
  if (dom.length !== 1) throw new ParalensError(`flatten: acts on one wire, got ${fmtWires(dom)}`);
  const from = dom[0]!;
  return view("flatten", from, [from.reduce((a, b) => a * b, 1)]);
});
