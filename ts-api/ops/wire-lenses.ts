// Lenses that join, split and multiply wires. Gated cells (GRU, LSTM) need
// the product of two wires and slices of one; unrolling a (co)algebra over a
// sequence needs a list [T, ...S] seen as T wires and back. Each is a lens
// whose reverse is its partner: concat and split, stack and unstack, sum and
// broadcast (copy), so none of them needs a gradient rule of its own.
import type { Change, Value } from "../algebra/category.ts";
import { type Lens, lens } from "../algebra/para.ts";
import { type Shape, type Wires, asWires, countArgument, sameShape, shapeArgument } from "../algebra/shapes.ts";
import { wire } from "../algebra/structure.ts";
import { ParalensError, describe, fmtShape, fmtWires } from "../engine/errors.ts";
import { registerOps } from "./registry.ts";
import { wireOps } from "./wires.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);

const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const batched = (ops: { shape(v: Value): Shape }, v: Value, s: Shape): Shape => [ops.shape(v)[0]!, ...s];

/**
 * multiply(S): S x S -> S, the elementwise product. Reverse: (b * dc, a * dc).
 *
 * @example
 * ```ts
 * wires.multiply([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [2, 3]), backends.refTensor([1, 2], [4, 5])])[0][0]!.data;  // Float64Array [8, 15]
 * ```
 *
 * @category Composition
 */
export function multiply(shape: Shape): Lens<readonly [Shape, Shape], readonly [Shape]> {
  shapeArgument("multiply", shape);
  return lens<readonly [Shape, Shape], readonly [Shape], [Value, Value]>({
    name: `multiply(${fmtShape(shape)})`,
    dom: [shape, shape],
    cod: [shape],
    forward: (ops, [a, b]) => [[ops.mul(a!, b!)], [a!, b!]],
    reverse: (ops, [a, b], [dc]) => [ops.mul(b, dc!), ops.mul(a, dc!)],
  });
}

/**
 * subtract(S): S x S -> S, a - b. Reverse: (dc, -dc).
 *
 * @example
 * ```ts
 * wires.subtract([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [2, 3]), backends.refTensor([1, 2], [4, 5])])[0][0]!.data;  // Float64Array [-2, -2]
 * ```
 *
 * @category Composition
 */
export function subtract(shape: Shape): Lens<readonly [Shape, Shape], readonly [Shape]> {
  shapeArgument("subtract", shape);
  return lens<readonly [Shape, Shape], readonly [Shape], null>({
    name: `subtract(${fmtShape(shape)})`,
    dom: [shape, shape],
    cod: [shape],
    forward: (ops, [a, b]) => [[ops.addScaled(a!, b!, -1)], null],
    reverse: (ops, _r, [dc]) => [dc!, ops.scale(dc!, -1)],
  });
}

/**
 * concat(S1, S2, ...): S1 x S2 x ... -> [n1 + n2 + ...], the values of each
 * example laid side by side (n_i the size of S_i). Reverse: split.
 *
 * @example
 * ```ts
 * wires.concat([3], [5])   // [3] x [5] -> [8], the input of a cell reading [x, h]
 * ```
 *
 * @category Composition
 */
export function concat(...shapes: readonly Shape[]): Lens<Wires, readonly [Shape]> {
  if (shapes.length === 0) throw new ParalensError("concat: needs at least one wire");
  shapes.forEach((s, i) => shapeArgument("concat", s, `shape ${i}`));
  const sizes = shapes.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return lens<Wires, readonly [Shape], Shape>({
    name: `concat(${fmtWires(shapes)})`,
    dom: shapes,
    cod: [[total]],
    forward: (ops, xs) => [[ops.concatColumns(xs, batched(ops, xs[0]!, [total]))], ops.shape(xs[0]!)],
    reverse: (ops, s0, [dy]) => shapes.map((s, i) => ops.sliceColumns(dy!, starts[i]!, sizes[i]!, [s0[0]!, ...s])),
  });
}

/**
 * split(S1, S2, ...): [n1 + n2 + ...] -> S1 x S2 x ..., the inverse of
 * concat, each part reshaped to its S_i. Reverse: concat (a part with no
 * change contributes zeros).
 *
 * @example
 * ```ts
 * wires.split([2], [1]).cod;  // [[2], [1]]
 * ```
 *
 * @category Composition
 */
export function split(...shapes: readonly Shape[]): Lens<readonly [Shape], Wires> {
  if (shapes.length === 0) throw new ParalensError("split: needs at least one part");
  shapes.forEach((s, i) => shapeArgument("split", s, `shape ${i}`));
  const sizes = shapes.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return lens<readonly [Shape], Wires, number>({
    name: `split(${fmtWires(shapes)})`,
    dom: [[total]],
    cod: shapes,
    forward(ops, [x]) {
      const n = ops.shape(x!)[0]!;
      return [shapes.map((s, i) => ops.sliceColumns(x!, starts[i]!, sizes[i]!, [n, ...s])), n];
    },
    reverse: (ops, n, dys) => [ops.concatColumns(dys, [n, total])],
  });
}

/**
 * stack(T, S): S^T -> [T, ...S], T wires as one list. Reverse: unstack.
 *
 * @example
 * ```ts
 * wires.stack(3, [2]).cod;  // [[3, 2]]
 * ```
 *
 * @category Composition
 */
export function stack(count: number, shape: Shape): Lens<Wires, readonly [Shape]> {
  countArgument("stack", count);
  shapeArgument("stack", shape);
  const size = sizeOf(shape);
  return lens<Wires, readonly [Shape], number>({
    name: `stack(${count}, ${fmtShape(shape)})`,
    dom: Array.from({ length: count }, () => shape),
    cod: [[count, ...shape]],
    forward(ops, xs) {
      if (count === 0) throw new ParalensError("stack: a list of no wires has no batch; stack at least one");
      const n = ops.shape(xs[0]!)[0]!;
      return [[ops.concatColumns(xs, [n, count, ...shape])], n];
    },
    reverse: (ops, n, [dy]) => Array.from({ length: count }, (_, t) => ops.sliceColumns(dy!, t * size, size, [n, ...shape])),
  });
}

/**
 * unstack(T, S): [T, ...S] -> S^T, a list as T wires (item t is wire t). Reverse: stack.
 *
 * @example
 * ```ts
 * wires.unstack(3, [2]).cod;  // [[2], [2], [2]]
 * ```
 *
 * @category Composition
 */
export function unstack(count: number, shape: Shape): Lens<readonly [Shape], Wires> {
  countArgument("unstack", count);
  shapeArgument("unstack", shape);
  const size = sizeOf(shape);
  return lens<readonly [Shape], Wires, number>({
    name: `unstack(${count}, ${fmtShape(shape)})`,
    dom: [[count, ...shape]],
    cod: Array.from({ length: count }, () => shape),
    forward(ops, [x]) {
      const n = ops.shape(x!)[0]!;
      return [Array.from({ length: count }, (_, t) => ops.sliceColumns(x!, t * size, size, [n, ...shape])), n];
    },
    reverse: (ops, n, dys) => [count === 0 ? ops.zeros([n, 0, ...shape]) : ops.concatColumns(dys, [n, count, ...shape])],
  });
}

/**
 * sumWires(T, S): S^T -> S, the sum of T wires. Reverse: the change copied to every wire (copy is add's partner).
 *
 * @example
 * ```ts
 * wires.sumWires(2, [2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, 2]), backends.refTensor([1, 2], [3, 4])])[0][0]!.data;  // Float64Array [4, 6]
 * ```
 *
 * @category Composition
 */
export function sumWires(count: number, shape: Shape): Lens<Wires, readonly [Shape]> {
  countArgument("sumWires", count);
  shapeArgument("sumWires", shape);
  if (count === 0) throw new ParalensError("sumWires: needs at least one wire");
  return lens<Wires, readonly [Shape], null>({
    name: `sumWires(${count}, ${fmtShape(shape)})`,
    dom: Array.from({ length: count }, () => shape),
    cod: [shape],
    forward: (ops, xs) => [[xs.slice(1).reduce((s, x) => ops.add(s, x), xs[0]!)], null],
    reverse: (_ops, _r, [dy]) => Array.from({ length: count }, (): Change => dy!),
  });
}

/**
 * scaled(S, c): x -> c x. Reverse: dy -> c dy.
 *
 * @example
 * ```ts
 * wires.scaled([2], 0.5).forward(backends.reference, [], [backends.refTensor([1, 2], [2, 4])])[0][0]!.data;  // Float64Array [1, 2]
 * ```
 *
 * @category Composition
 */
export function scaled(shape: Shape, c: number): Lens<readonly [Shape], readonly [Shape]> {
  shapeArgument("scaled", shape);
  if (typeof c !== "number" || !Number.isFinite(c)) throw new ParalensError(`scaled: the factor must be a finite number, got ${describe(c)}`);
  return lens<readonly [Shape], readonly [Shape], null>({
    name: `scaled(${fmtShape(shape)}, ${c})`,
    dom: [shape],
    cod: [shape],
    forward: (ops, [x]) => [[ops.scale(x!, c)], null],
    reverse: (ops, _r, [dy]) => [ops.scale(dy!, c)],
  });
}

/** Throws unless `got` are the wires `expected`, naming both. */
export function checkShapes(what: string, got: Wires, expected: Wires): void {
  if (got.length !== expected.length || got.some((s, i) => !sameShape(s, expected[i]!))) {
    throw new ParalensError(`${what}: expected ${fmtWires(expected)}, got ${fmtWires(got)}`);
  }
}
