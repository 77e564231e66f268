// The brute-force reverse derivative: flip each input bit and see which
// outputs change. For f : Z2^n -> Z2^m,
//   R(x, dy)_i = XOR_j dy_j & (f(x)_j ^ f(x ^ e_i)_j),
// the derivative of the unique multilinear polynomial (algebraic normal
// form) of the function f computes. A lens's own reverse pass is the
// derivative of the polynomial its circuit spells out; the two agree when
// no variable is multiplied by itself along the way (x AND x is the
// function x, whose derivative is 1, but as the polynomial x^2 its
// derivative is 2x = 0). Tests hold the lenses to this oracle.
import type { Value } from "../algebra/category.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import type { Z2Ops } from "./ops.ts";
import { type RefBits, bitsArgument, refBits, z2Reference } from "./reference.ts";

const V = (b: RefBits): Value => b as unknown as Value;
const B = (v: Value): Uint8Array => (v as unknown as RefBits).bits;

/**
 * The brute-force reverse derivative of a function of n bits at `at`, for the output change dy.
 *
 * @example
 * ```ts
 * bruteForceReverse((x) => [x[0]! & x[1]!], [1, 1], [1]);  // Uint8Array [1, 1]: flipping either input flips the AND
 * ```
 *
 * @category Oracles
 */
export function bruteForceReverse(f: (x: Uint8Array) => ArrayLike<number>, at: ArrayLike<number>, dy: ArrayLike<number>): Uint8Array {
  if (typeof f !== "function") throw new ParalensError(`bruteForceReverse: f must be a function of the bits, got ${describe(f)}`);
  bitsArgument("bruteForceReverse", at, "at");
  bitsArgument("bruteForceReverse", dy, "dy");
  const x = Uint8Array.from(at, (b) => (b ? 1 : 0));
  const y = f(x);
  bitsArgument("bruteForceReverse", y, "what f returns");
  if (y.length !== dy.length) throw new ParalensError(`bruteForceReverse: the function gives ${y.length} bits but the change has ${dy.length}`);
  const dx = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    x[i]! ^= 1;
    const flipped = f(x);
    x[i]! ^= 1;
    bitsArgument("bruteForceReverse", flipped, "what f returns");
    let s = 0;
    for (let j = 0; j < y.length; j++) s ^= (dy[j] ? 1 : 0) & ((y[j]! ^ flipped[j]!) & 1);
    dx[i] = s;
  }
  return dx;
}

type Z2Para = Para<Wires, Wires, Z2Ops>;

function widths(f: Z2Para): { np: number[]; n: number[]; m: number[] } {
  return { np: f.params.map((p) => p.shape[0]!), n: f.dom.map((s) => s[0]!), m: f.cod.map((s) => s[0]!) };
}

const total = (ws: number[]): number => ws.reduce((a, b) => a + b, 0);

/** Cuts flat bits into values of the given widths; batched ([1, w]) or not ([w]). */
function cut(ws: number[], flat: number[], batched: boolean): Value[] {
  let at = 0;
  return ws.map((w) => {
    const v = V(refBits(batched ? [1, w] : [w], flat.slice(at, at + w)));
    at += w;
    return v;
  });
}

/**
 * f at one example as a plain function of its bits: parameters, then input
 * wires, in order; outputs concatenated. Runs on the scalar reference.
 *
 * @example
 * ```ts
 * exampleFunction(notGate(2))([1, 0]);  // Uint8Array [0, 1]
 * ```
 *
 * @category Oracles
 */
export function exampleFunction(f: Z2Para): (bits: ArrayLike<number>) => Uint8Array {
  paraArgument("exampleFunction", f);
  const { np, n } = widths(f);
  return (all) => {
    bitsArgument("exampleFunction", all, "the bits");
    const flat = checked(f, np, n, all);
    const [ys] = f.forward(z2Reference, cut(np, flat, false), cut(n, flat.slice(total(np)), true));
    return concat(ys.map(B));
  };
}

/**
 * f's own reverse pass at one example: parameter changes, then input changes, concatenated (zeros where it gives none).
 *
 * @example
 * ```ts
 * exampleReverse(seq(splitBits([1, 1]), andGate(1)), [1, 0], [1]);  // Uint8Array [0, 1]
 * ```
 *
 * @category Oracles
 */
export function exampleReverse(f: Z2Para, all: ArrayLike<number>, dy: ArrayLike<number>): Uint8Array {
  paraArgument("exampleReverse", f);
  bitsArgument("exampleReverse", all, "the bits");
  bitsArgument("exampleReverse", dy, "dy");
  const { np, n, m } = widths(f);
  const flat = checked(f, np, n, all);
  if (dy.length !== total(m)) throw new ParalensError(`exampleReverse: ${f.name} has ${total(m)} output bits, got a change of ${dy.length}`);
  const [, r] = f.forward(z2Reference, cut(np, flat, false), cut(n, flat.slice(total(np)), true));
  const [dp, dx] = f.reverse(z2Reference, r, cut(m, Array.from(dy, (b) => (b ? 1 : 0)), true));
  const widthsOut = [...np, ...n];
  return concat([...dp, ...dx].map((d, i) => (d ? B(d) : new Uint8Array(widthsOut[i]!))));
}

function checked(f: Z2Para, np: number[], n: number[], all: ArrayLike<number>): number[] {
  const want = total(np) + total(n);
  if (all.length !== want) throw new ParalensError(`oracle: ${f.name} takes ${want} bits (parameters then inputs), got ${all.length}`);
  return Array.from(all, (b) => (b ? 1 : 0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The outputs of a lens without parameters for all 2^n inputs at once (one
 * batch on the scalar reference): row x holds f(x), where input bit i is
 * bit i of the number x.
 *
 * @example
 * ```ts
 * truthTable(notGate(1));  // Uint8Array [1, 0]: the outputs for inputs 0 and 1
 * ```
 *
 * @category Oracles
 */
export function truthTable(f: Z2Para): Uint8Array {
  paraArgument("truthTable", f);
  if (f.params.length > 0 || f.dom.length !== 1 || f.cod.length !== 1) {
    throw new ParalensError(`truthTable: ${f.name} must have one input wire, one output wire and no parameters`);
  }
  const n = f.dom[0]![0]!;
  if (n > 20) throw new ParalensError(`truthTable: 2^${n} rows is too many`);
  const rows = 1 << n;
  const x = new Uint8Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) x[r * n + i] = (r >> i) & 1;
  const [[y]] = f.forward(z2Reference, [], [V(refBits([rows, n], x))]);
  return B(y!);
}
