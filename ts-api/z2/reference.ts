// The scalar reference backend of Z2: one byte (0 or 1) per bit, every
// operation the plainest loop, evaluated at once. Tests compare the
// bit-sliced wasm programs against it, and the brute-force derivative runs
// on it. Not built for speed.
import type { Value } from "../algebra/category.ts";
import { type Shape, countArgument, shapeArgument } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import { type Z2Ops, batchOf, checkIndices, checkSame, checkZ2Shape, joinedShape, width } from "./ops.ts";

/**
 * A value of the reference backend: bits (0 or 1), row-major, batch first.
 *
 * @category Backends
 */
export interface RefBits {
  readonly shape: Shape;
  readonly bits: Uint8Array;
}

const B = (v: Value): RefBits => v as unknown as RefBits;
const V = (b: RefBits): Value => b as unknown as Value;
const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** The most bits a reference value holds (256 MB, one byte per bit): past any truth table the oracle makes. */
const MAX_REF_BITS = 2 ** 28;

/** Throws unless `bits` is an array or typed array of numbers (bits: 0, or nonzero for 1), of at most MAX_COUNT. */
export function bitsArgument(what: string, bits: unknown, name: string, max?: number): asserts bits is ArrayLike<number> {
  const ok = Array.isArray(bits) || (ArrayBuffer.isView(bits) && !(bits instanceof DataView) && !(bits instanceof BigInt64Array) && !(bits instanceof BigUint64Array));
  if (!ok) throw new ParalensError(`${what}: ${name} must be an array of bits (0 or 1), got ${describe(bits)}`);
  const n = (bits as ArrayLike<number>).length;
  if (max !== undefined && n > max) throw new ParalensError(`${what}: ${name} holds ${n} values, more than ${max}`);
  if (max === undefined) countArgument(what, n, `the length of ${name}`);
}

/**
 * Wraps bits as a reference value (copying them; any nonzero number counts as 1).
 *
 * @example
 * ```ts
 * refBits([2, 3], [1, 0, 1, 1, 1, 0]).bits;  // Uint8Array [1, 0, 1, 1, 1, 0]
 * ```
 *
 * @category Backends
 */
export function refBits(shape: Shape, values?: ArrayLike<number>): RefBits {
  shapeArgument("refBits", shape);
  checkZ2Shape("refBits", shape);
  if (sizeOf(shape) > MAX_REF_BITS) throw new ParalensError(`refBits: shape ${fmtShape(shape)} holds ${sizeOf(shape)} bits, more than ${MAX_REF_BITS}`);
  const out = new Uint8Array(sizeOf(shape));
  if (values !== undefined) {
    bitsArgument("refBits", values, "values", MAX_REF_BITS);
    if (values.length !== out.length) throw new ParalensError(`refBits ${fmtShape(shape)}: expected ${out.length} values, got ${values.length}`);
    for (let i = 0; i < out.length; i++) out[i] = values[i] ? 1 : 0;
  }
  return { shape: [...shape], bits: out };
}

function zip(what: string, a: Value, b: Value, f: (x: number, y: number) => number): Value {
  checkSame(what, B(a).shape, B(b).shape);
  const [x, y] = [B(a).bits, B(b).bits];
  const out = refBits(B(a).shape);
  for (let i = 0; i < out.bits.length; i++) out.bits[i] = f(x[i]!, y[i]!);
  return V(out);
}

/**
 * The scalar Z2 backend.
 *
 * @example
 * ```ts
 * const [[y]] = notGate(2).forward(z2Reference, [], [refBits([1, 2], [1, 0])]);
 * y.bits;  // Uint8Array [0, 1]: evaluated at once, one byte per bit
 * ```
 *
 * @category Backends
 */
export const z2Reference: Z2Ops = {
  shape: (v) => B(v).shape,
  add: (a, b) => zip("add", a, b, (x, y) => x ^ y),
  zeros: (shape) => V(refBits(shape)),
  xor: (a, b) => zip("xor", a, b, (x, y) => x ^ y),
  and: (a, b) => zip("and", a, b, (x, y) => x & y),
  not(a) {
    const out = refBits(B(a).shape);
    B(a).bits.forEach((x, i) => (out.bits[i] = x ^ 1));
    return V(out);
  },
  ones: (shape) => {
    const out = refBits(shape);
    out.bits.fill(1);
    return V(out);
  },
  pick(v, indices) {
    const { shape, bits: x } = B(v);
    const n = width(shape);
    checkIndices("pick", indices, n);
    const rows = shape.length === 2 ? shape[0]! : 1;
    const out = refBits(shape.length === 2 ? [rows, indices.length] : [indices.length]);
    for (let r = 0; r < rows; r++) {
      indices.forEach((i, j) => (out.bits[r * indices.length + j] = x[r * n + i]!));
    }
    return V(out);
  },
  join(vs) {
    const shape = joinedShape("join", vs.map((v) => B(v).shape));
    const rows = shape.length === 2 ? shape[0]! : 1;
    const n = width(shape);
    const out = refBits(shape);
    let at = 0;
    for (const v of vs) {
      const w = width(B(v).shape);
      for (let r = 0; r < rows; r++) out.bits.set(B(v).bits.subarray(r * w, (r + 1) * w), r * n + at);
      at += w;
    }
    return V(out);
  },
  spread(p, batch) {
    const { shape, bits: x } = B(p);
    if (shape.length !== 1) throw new ParalensError(`spread: takes an unbatched value [n], got ${fmtShape(shape)}`);
    const out = refBits([batch, shape[0]!]);
    for (let r = 0; r < batch; r++) out.bits.set(x, r * x.length);
    return V(out);
  },
  collect(d) {
    const { shape, bits: x } = B(d);
    const batch = batchOf(shape);
    if (batch === null) throw new ParalensError(`collect: takes a batched value [batch, n], got ${fmtShape(shape)}`);
    const n = width(shape);
    const out = refBits([n]);
    for (let r = 0; r < batch; r++) for (let i = 0; i < n; i++) out.bits[i]! ^= x[r * n + i]!;
    return V(out);
  },
};
