// Values of the float64 reference backend, and the small loops its ops share.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import { checkShape } from "../engine/tensor.ts";

/**
 * A float64 tensor of the reference backend.
 *
 * @category Backends
 */
export interface RefTensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** The most values one tensor of the float64 reference holds (2^28, 2 GiB): a shape past it is refused before anything is allocated. */
export const MAX_REF_VALUES = 2 ** 28;

/**
 * Wraps values as a reference tensor (copying them into a Float64Array); zeros if none are given.
 *
 * @example
 * ```ts
 * backends.refTensor([2, 2], [1, 2, 3, 4]).data;  // Float64Array [1, 2, 3, 4]
 * ```
 *
 * @category Backends
 */
export function refTensor(shape: Shape, values?: ArrayLike<number>): RefTensor {
  checkShape(shape, "refTensor");
  const size = sizeOf(shape);
  if (size > MAX_REF_VALUES) {
    throw new ParalensError(`refTensor ${fmtShape(shape)}: ${size} values are more than the float64 reference holds in one tensor (${MAX_REF_VALUES}, 2 GiB): it is for checking models, not for running large ones`);
  }
  if (values !== undefined && !Array.isArray(values) && !(ArrayBuffer.isView(values) && !/DataView|BigInt|BigUint/.test(Object.prototype.toString.call(values)))) {
    throw new ParalensError(`refTensor ${fmtShape(shape)}: values must be an array or a typed array of numbers, got ${describe(values)}`);
  }
  const data = new Float64Array(size);
  if (values !== undefined) {
    if (values.length !== data.length) throw new ParalensError(`refTensor ${fmtShape(shape)}: expected ${data.length} values, got ${values.length}`);
    data.set(values);
  }
  return { shape: [...shape], data };
}

/** out[i] = f(a[i], i), shaped like a. */
export function mapRef(a: RefTensor, f: (x: number, i: number) => number): RefTensor {
  const out = refTensor(a.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[i]!, i);
  return out;
}

/** One value per row (first axis) of a: f of the row's values. */
export function perRowRef(a: RefTensor, f: (row: Float64Array, r: number) => number): RefTensor {
  const [rows, cols] = rowsCols(a.shape);
  const out = refTensor([rows]);
  for (let r = 0; r < rows; r++) out.data[r] = f(a.data.subarray(r * cols, (r + 1) * cols), r);
  return out;
}

/** rows x cols of a value whose first axis is rows: [N, ...rest] -> N x prod(rest). */
export function rowsCols(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  let cols = 1;
  for (let i = 1; i < shape.length; i++) cols *= shape[i]!;
  return [shape[0]!, cols];
}
