import { type Lens, type AnyShape, lens, anyShape } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape, fmtWires } from "../engine/errors.ts";
import { bringOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps];

/**
 * reshape(shape): the same values of each example seen with another shape
 * (row-major order is kept); one axis may be -1, to be inferred. Forward and
 * reverse are views: nothing is copied. The shape given excludes the batch axis.
 *
 * @example
 * ```ts
 * seq(layers.reshape([28, 28, 1]), conv2d({ filters: 8, kernel: 3 })).at([784])
 * ```
 *
 * @category Layers
 */
export function reshape(shape: Shape): AnyShape<false> {
  bringOps(OPS);
  if (!Array.isArray(shape)) throw new ParalensError(`reshape: the shape must be an array of whole numbers (one may be -1), got ${describe(shape)}`);
  const label = `reshape(${fmtShape(shape)})`;
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ParalensError(`${label}: axes must be whole numbers >= 0, with at most one -1 (inferred)`);
  }
  return anyShape(label, false, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`${label}: acts on one wire, got ${fmtWires(dom)}`);
    const from = dom[0]!;
    const size = from.reduce((a, b) => a * b, 1);
    const known = shape.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const to = shape.map((d) => (d === -1 ? size / known : d));
    if (to.reduce((a, b) => a * b, 1) !== size || to.some((d) => !Number.isInteger(d))) {
      throw new ParalensError(`${label}: cannot view ${fmtShape(from)} (${size} values per example) as ${fmtShape(shape)}`);
    }
    return view(label, from, to);
  });
}

/** The lens [from] -> [to] (same size) whose passes are reshapes, keeping the batch axis. */
export function view(name: string, from: Shape, to: Shape): Lens<Wires, Wires> {
  bringOps(OPS);
  return lens<Wires, Wires, null>({
    name,
    dom: [from],
    cod: [to],
    forward: (ops, [x]) => [[ops.reshape(x!, batched(ops.shape(x!), to))], null],
    reverse: (ops, _r, [dy]) => [ops.reshape(dy!, batched(ops.shape(dy!), from))],
  });
}

const batched = (full: Shape, shape: Shape): Shape => [full[0]!, ...shape];
