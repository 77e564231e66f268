// Integer arithmetic built from Z2 gates, for units that count bits: a
// number is a list of bit planes (least significant first), each plane a Z2
// value of one shape, so one gate acts on that bit of every number of a
// batch (and of every output unit) at once. Signed numbers are two's
// complement of a fixed width.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import type { Z2Ops } from "./ops.ts";

/** Bit planes, least significant first. */
export type Num = Value[];

/** s = a ^ b ^ c, carry = ab ^ c(a ^ b) */
function fullAdd(ops: Z2Ops, a: Value, b: Value, c: Value): [Value, Value] {
  const ab = ops.xor(a, b);
  return [ops.xor(ab, c), ops.xor(ops.and(a, b), ops.and(c, ab))];
}

/** x + y for unsigned numbers: max(width) + 1 planes. */
export function addUnsigned(ops: Z2Ops, x: Num, y: Num): Num {
  const w = Math.max(x.length, y.length);
  const out: Num = [];
  let carry: Value | null = null;
  for (let i = 0; i < w; i++) {
    const [a, b] = [x[i], y[i]];
    if (a === undefined || b === undefined) {
      const only = (a ?? b)!;
      if (carry === null) out.push(only);
      else {
        out.push(ops.xor(only, carry));
        carry = ops.and(only, carry);
      }
    } else if (carry === null) {
      out.push(ops.xor(a, b));
      carry = ops.and(a, b);
    } else {
      const [s, c] = fullAdd(ops, a, b, carry);
      out.push(s);
      carry = c;
    }
  }
  if (carry !== null) out.push(carry);
  return out;
}

/** The number of set bits among `bits` (values of one shape), by a balanced tree of adders. */
export function countBits(ops: Z2Ops, bits: readonly Value[]): Num {
  let level: Num[] = bits.map((b) => [b]);
  if (level.length === 0) return [];
  while (level.length > 1) {
    const next: Num[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(addUnsigned(ops, level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** x + y modulo 2^width (two's complement), both given at that width. */
export function addWrapping(ops: Z2Ops, x: Num, y: Num): Num {
  const out: Num = [];
  let carry: Value | null = null;
  for (let i = 0; i < x.length; i++) {
    const [a, b] = [x[i]!, y[i]!];
    if (carry === null) {
      out.push(ops.xor(a, b));
      carry = ops.and(a, b);
    } else {
      const [s, c] = fullAdd(ops, a, b, carry);
      out.push(s);
      carry = c;
    }
  }
  return out;
}

/** An unsigned number widened to `width` planes with zero planes. */
export function widen(ops: Z2Ops, x: Num, width: number, shape: Shape): Num {
  const out = x.slice(0, width);
  while (out.length < width) out.push(ops.zeros(shape));
  return out;
}

/** The constant c (two's complement, `width` planes) as planes of zeros and ones. */
export function constant(ops: Z2Ops, c: number, width: number, shape: Shape): Num {
  const bits = c < 0 ? 2 ** width + c : c;
  return Array.from({ length: width }, (_, i) => (Math.floor(bits / 2 ** i) % 2 === 1 ? ops.ones(shape) : ops.zeros(shape)));
}

/** c * x for a small integer c, modulo 2^width; x unsigned. Shift-and-add, then negate for c < 0. */
export function scaled(ops: Z2Ops, x: Num, c: number, width: number, shape: Shape): Num {
  const m = Math.abs(c);
  let sum = constant(ops, 0, width, shape);
  for (let shift = 0; 2 ** shift <= m; shift++) {
    if (Math.floor(m / 2 ** shift) % 2 === 0) continue;
    const shifted = widen(ops, [...Array.from({ length: shift }, () => ops.zeros(shape)), ...x], width, shape);
    sum = addWrapping(ops, sum, shifted);
  }
  if (c >= 0) return sum;
  return addWrapping(ops, sum.map((p) => ops.not(p)), constant(ops, 1, width, shape)); // -s = ~s + 1
}

/** The bits needed to hold every value of magnitude up to `bound` in two's complement. */
export function widthFor(bound: number): number {
  return Math.ceil(Math.log2(bound + 1)) + 1;
}
