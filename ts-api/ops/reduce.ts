// Reductions along one axis of each example, as lenses: the reduced axis is
// kept with size 1, so the result broadcasts straight back against the input
// (x - mean(x), x / sum(x)). Their kernels are the broadcast ops' sumTo and
// maxTo; their reverses are broadcasts.
import type { Value } from "../algebra/category.ts";
import { type AnyShape, lens, anyShape } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";

type Kind = "sum" | "mean" | "max";

function reduction(kind: Kind, axis: number): AnyShape<false> {
  const name = `reduce${kind[0]!.toUpperCase()}${kind.slice(1)}`;
  if (!Number.isInteger(axis)) throw new ParalensError(`${name}: axis must be a whole number, got ${describe(axis)}`);
  const label = `${name}(${axis})`;
  return anyShape(label, false, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`${label}: acts on one wire, got ${fmtWires(dom)}`);
    const shape = dom[0]!;
    const at = axis < 0 ? shape.length + axis : axis;
    if (at < 0 || at >= shape.length) throw new ParalensError(`${label}: the input ${fmtWires(dom)} has no axis ${axis}`);
    const out: Shape = shape.map((d, i) => (i === at ? 1 : d));
    const count = shape[at]!;
    return lens<Wires, Wires, { x: Value; y: Value }>({
      name: label,
      dom,
      cod: [out],
      forward(ops, [x]) {
        const n = ops.shape(x!)[0]!;
        const y = kind === "max" ? ops.maxTo(x!, [n, ...out]) : ops.sumTo(x!, [n, ...out]);
        return [[kind === "mean" ? ops.scale(y, 1 / count) : y], { x: x!, y }];
      },
      reverse(ops, { x, y }, [dy]) {
        const full = ops.shape(x);
        if (kind === "sum") return [ops.broadcastTo(dy!, full)];
        if (kind === "mean") return [ops.broadcastTo(ops.scale(dy!, 1 / count), full)];
        // every element equal to the maximum takes the change (each of tied ones in full)
        return [ops.mul(ops.equal(x, y), dy!)];
      },
    });
  });
}

/**
 * The sum along `axis` of each example (default the last), kept as an axis of size 1. Reverse: the change repeated.
 *
 * @example
 * ```ts
 * layers.reduceSum(-1).at([2, 3]).forward(backends.reference, [], [backends.refTensor([1, 2, 3], [1, 2, 3, 4, 5, 6])])[0][0]!.data;  // Float64Array [6, 15]
 * ```
 *
 * @category Layers
 */
export const reduceSum = (axis = -1): AnyShape<false> => reduction("sum", axis);
/**
 * The mean along `axis` (default the last), kept as an axis of size 1. Reverse: the change repeated and divided by the count.
 *
 * @example
 * ```ts
 * layers.reduceMean(0).at([2, 3]).forward(backends.reference, [], [backends.refTensor([1, 2, 3], [1, 2, 3, 4, 5, 6])])[0][0]!.data;  // Float64Array [2.5, 3.5, 4.5]
 * ```
 *
 * @category Layers
 */
export const reduceMean = (axis = -1): AnyShape<false> => reduction("mean", axis);
/**
 * The maximum along `axis` (default the last), kept as an axis of size 1.
 * Reverse: the change goes to the elements equal to the maximum (all of them
 * on a tie, where the derivative does not exist).
 *
 * @example
 * ```ts
 * layers.reduceMax().at([3]).forward(backends.reference, [], [backends.refTensor([1, 3], [1, 7, 3])])[0][0]!.data;  // Float64Array [7]
 * ```
 *
 * @category Layers
 */
export const reduceMax = (axis = -1): AnyShape<false> => reduction("max", axis);
