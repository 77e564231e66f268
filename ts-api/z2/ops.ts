// The base category of Boolean circuits: polynomials over Z2 (Wilson &
// Zanasi, "Reverse Derivative Ascent", 2020, section 3). Addition is XOR,
// multiplication is AND, and a change lives in the same space as a value, so
// the reverse derivative of copying is XOR and that of a product is
// R[AND](x, y, dz) = (y dz, x dz). The generic combinators (seq, par, wire,
// reparam, tie) run over Z2Ops exactly as they run over RealOps.
//
// A wire carries a vector of bits per example: a batched value has shape
// [batch, n], an unbatched one (a parameter) [n]. Three backends implement
// the operations: the scalar reference (one byte per bit, evaluated at once),
// the tracer (records a graph that compiles to bit-sliced wasm programs), and
// anything else a user writes.
import type { Carrier, Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";

/**
 * The operations of the base category of Boolean circuits (Wilson and Zanasi): Z2 arithmetic on bit values, with XOR as addition and AND as multiplication. z2Reference and the bit-sliced compiler implement it.
 *
 * @category Backends
 */
export interface Z2Ops extends Carrier {
  /** Bitwise XOR, the addition of Z2 (Carrier's add is the same operation). */
  xor(a: Value, b: Value): Value;
  /** Bitwise AND, the multiplication of Z2. */
  and(a: Value, b: Value): Value;
  /** Bitwise NOT: a + 1. */
  not(a: Value): Value;
  /** All ones: the constant 1 of every bit. */
  ones(shape: Shape): Value;
  /** Bits of v picked by index along the last axis (indices may repeat): [..., n] -> [..., indices.length]. */
  pick(v: Value, indices: readonly number[]): Value;
  /** Values side by side along the last axis; all batched or all unbatched alike. */
  join(vs: readonly Value[]): Value;
  /** An unbatched value [n] copied to each example of a batch: [batch, n]. */
  spread(p: Value, batch: number): Value;
  /** The XOR over the batch of a batched value [batch, n]: [n]. The reverse derivative of spread. */
  collect(d: Value): Value;
}

/** Bits per example of a Z2 value's shape: [batch, n] or [n] -> n. */
export function width(shape: Shape): number {
  return shape[shape.length - 1] ?? 1;
}

/** The batch size of a batched shape [batch, n]; null for an unbatched [n]. */
export function batchOf(shape: Shape): number | null {
  return shape.length === 2 ? shape[0]! : null;
}

/** Checks that a shape is a Z2 value's: [n] or [batch, n]. */
export function checkZ2Shape(what: string, shape: Shape): void {
  if (shape.length !== 1 && shape.length !== 2) {
    throw new ParalensError(`${what}: a Z2 value has shape [n] or [batch, n], got ${fmtShape(shape)}`);
  }
}

export function checkSame(what: string, a: Shape, b: Shape): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ParalensError(`${what}: shapes ${fmtShape(a)} and ${fmtShape(b)} differ`);
  }
}

export function checkIndices(what: string, indices: readonly number[], n: number): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ParalensError(`${what}: bit ${describe(i)} is not one of the ${n} bits 0..${n - 1}`);
  }
}

/** The shape of join(vs) from the shapes of vs. */
export function joinedShape(what: string, shapes: readonly Shape[]): Shape {
  if (shapes.length === 0) throw new ParalensError(`${what}: needs at least one value`);
  const batch = batchOf(shapes[0]!);
  let n = 0;
  for (const s of shapes) {
    checkZ2Shape(what, s);
    if (batchOf(s) !== batch) throw new ParalensError(`${what}: cannot join ${fmtShape(shapes[0]!)} and ${fmtShape(s)} (batch differs)`);
    n += width(s);
  }
  return batch === null ? [n] : [batch, n];
}

/** The XOR of all bits of v along its last axis, by halving: [..., n] -> [..., 1]. */
export function sumBits(ops: Z2Ops, v: Value): Value {
  let cur = v;
  let n = width(ops.shape(v));
  while (n > 1) {
    const half = n >> 1;
    const lo = ops.pick(cur, range(half));
    const hi = ops.pick(cur, range(half, half));
    const folded = ops.xor(lo, hi);
    cur = n % 2 === 1 ? ops.join([folded, ops.pick(cur, [n - 1])]) : folded;
    n = half + (n % 2);
  }
  return cur;
}

/** [from, from + 1, ..., from + n - 1] */
export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
