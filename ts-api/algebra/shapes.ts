// Objects of the category: a wire carries a tensor of some shape (per
// example: the batch axis is added when a lens is run), and an object is a
// list of wires. The product A x B of objects is list concatenation, so it is
// strictly associative and the unit I is the empty list.
//
// The types carry shapes too. Where both sides of a composition have literal
// shapes (dense(4, 3)), a mismatch is a compile error; `number` stands for a
// shape known only at run time and agrees with anything, leaving the check to
// the runtime.
import { ParalensError, describe, fmtShape, fmtWires } from "../engine/errors.ts";

/**
 * The dimensions of one example's value on a wire, without the batch axis: [784], [1, 28, 28], [] for a scalar.
 *
 * @category Types
 */
export type Shape = readonly number[];
/**
 * An object of the category: a list of wires, each with its shape. A lens [[4]] -> [[3]] has one input and one output wire.
 *
 * @category Types
 */
export type Wires = readonly Shape[];

type DimAgrees<X, Y> = number extends X ? true : number extends Y ? true : [X] extends [Y] ? true : false;

/** true when shape X may feed shape Y: same rank and every literal dimension equal (`number` agrees with anything). */
export type ShapeAgrees<X extends Shape, Y extends Shape> = number extends X["length"]
  ? true
  : number extends Y["length"]
    ? true
    : X extends readonly [infer x, ...infer xs extends Shape]
      ? Y extends readonly [infer y, ...infer ys extends Shape]
        ? DimAgrees<x, y> extends true
          ? ShapeAgrees<xs, ys>
          : false
        : false
      : Y extends readonly []
        ? true
        : false;

/**
 * true when wires X may feed wires Y: same count, and every literal dimension equal.
 *
 * @category Types
 */
export type WiresAgree<X extends Wires, Y extends Wires> = number extends X["length"]
  ? true
  : number extends Y["length"]
    ? true
    : X extends readonly [infer x extends Shape, ...infer xs extends Wires]
      ? Y extends readonly [infer y extends Shape, ...infer ys extends Wires]
        ? ShapeAgrees<x, y> extends true
          ? WiresAgree<xs, ys>
          : false
        : false
      : Y extends readonly []
        ? true
        : false;

/**
 * Concatenation of objects at the type level: the product A x B.
 *
 * @category Types
 */
export type Times<A extends Wires, B extends Wires> = readonly [...A, ...B];

/**
 * Refuses anything but a shape (an array of whole numbers >= 0) where a user passes one, naming the
 * argument: a string, a number or [2.5] would otherwise fail later as a TypeError, or build a lens of no size.
 *
 * @example
 * ```ts
 * shapeArgument("multiply", [2, 3]);  // fine; shapeArgument("multiply", "2") throws
 * ```
 */
export function shapeArgument(what: string, shape: unknown, name = "shape"): asserts shape is Shape {
  if (!Array.isArray(shape) || !isShape(shape)) throw new ParalensError(`${what}: ${name} must be an array of whole numbers >= 0, got ${fmtShape(shape as Shape)}`);
}

/** A bound far past any model's on a count of wires, gates, inputs or elements, so that a count like 1e300 or 2^31 is refused rather than met as a RangeError or an out-of-memory crash. */
export const MAX_COUNT = 2 ** 20;

/**
 * Refuses anything but a whole number in [min, MAX_COUNT] where a user passes a count, naming the
 * argument, its type and value: NaN, 1.5, "4" or 2^31 would otherwise fail later as a TypeError or a RangeError.
 *
 * @example
 * ```ts
 * countArgument("stack", 3);  // fine; countArgument("stack", 1.5) throws
 * ```
 */
export function countArgument(what: string, count: unknown, name = "the count", min = 0): asserts count is number {
  if (typeof count !== "number" || !Number.isInteger(count) || count < min || count > MAX_COUNT) {
    throw new ParalensError(`${what}: ${name} must be a whole number in [${min}, ${MAX_COUNT}], got ${describe(count)}`);
  }
}

/** As shapeArgument, for one shape ([3]) or a list of wires ([[3], [2]]). */
export function wiresArgument(what: string, wires: unknown, name = "wires"): asserts wires is Shape | Wires {
  if (!Array.isArray(wires) || !(isShape(wires) || Array.from(wires, (w: unknown) => Array.isArray(w) && isShape(w)).every(Boolean))) {
    throw new ParalensError(`${what}: ${name} must be a shape ([3]) or a list of them ([[3], [2]]), got ${Array.isArray(wires) ? fmtWires(wires) : describe(wires)}`);
  }
}

// a loop, not every(): every() skips the holes of new Array(3)
function isShape(shape: readonly unknown[]): boolean {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) return false;
  }
  return true;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sameWires(a: Wires, b: Wires): boolean {
  return a.length === b.length && a.every((s, i) => sameShape(s, b[i]!));
}

/**
 * One shape ([3]) or a list of wires ([[3], [2]]) as wires. The empty list is
 * the unit I (no wires); a single scalar wire is written [[]].
 */
export type AsWires<X extends Shape | Wires> = X extends Wires ? X : X extends Shape ? readonly [X] : never;

export function asWires<X extends Shape | Wires>(w: X): AsWires<X> {
  return (w.length === 0 || Array.isArray(w[0]) ? w : [w]) as AsWires<X>;
}
