import type { Value } from "../algebra/category.ts";
import type { AnyShape } from "../algebra/para.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import { pointwise } from "../ops/pointwise.ts";

/**
 * affine(a, b): x -> a x + b elementwise, for constants a and b (a shift, a
 * scale, or both). Reverse: a dy.
 *
 * @example
 * ```ts
 * const halfPlusOne = layers.affine(0.5, 1);
 * ```
 *
 * @category Layers
 */
export function affine(a: number, b = 0): AnyShape<true> {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new ParalensError(`affine: a and b must be finite numbers, got ${describe(a)} and ${describe(b)}`);
  const shift = new Float32Array([b]);
  return pointwise(
    `affine(${a}, ${b})`,
    "x",
    (ops, x): Value => {
      const scaled = a === 1 ? x : ops.scale(x, a);
      return b === 0 ? scaled : ops.plus(scaled, ops.constant(shift, []));
    },
    (ops, _x, dy) => (a === 1 ? dy : ops.scale(dy, a)),
  );
}
