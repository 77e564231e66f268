// The primitive lenses of Z2, each with its reverse derivative beside it
// (Wilson & Zanasi 2020, section 3), and the bit-level structure maps. With
// the generic seq, par, copy, discard, swap and wire they build any circuit;
// circuitLens is the same derivative computed on a netlist in one lens.
import type { Change, Value } from "../algebra/category.ts";
import { type Lens, type Para, lens, para } from "../algebra/para.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import { countArgument } from "../algebra/shapes.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";
import { type Z2Ops, checkIndices, range } from "./ops.ts";

type W<N extends number> = readonly [N];

const positive = (what: string, n: unknown): void => countArgument(what, n, "width", 1);

/** Throws unless `sizes` is an array of widths (whole numbers >= 1), naming it. */
function sizesArgument(what: string, sizes: unknown): asserts sizes is readonly number[] {
  if (!Array.isArray(sizes)) throw new ParalensError(`${what}: sizes must be an array of whole numbers >= 1, got ${describe(sizes)}`);
  countArgument(what, sizes.length, "the number of sizes");
  for (let i = 0; i < sizes.length; i++) positive(what, sizes[i]);
}

/**
 * xor : [n] x [n] -> [n], the addition of Z2. R[XOR](x, y, dz) = (dz, dz).
 *
 * @example
 * ```ts
 * truthTable(seq(splitBits([1, 1]), xorGate(1)));  // Uint8Array [0, 1, 1, 0]
 * ```
 *
 * @category Layers
 */
export function xorGate<const N extends number>(n: N): Lens<readonly [W<N>, W<N>], readonly [W<N>], Z2Ops> {
  positive("xorGate", n);
  return lens<readonly [W<N>, W<N>], readonly [W<N>], null, Z2Ops>({
    name: `xor(${n})`,
    dom: [[n], [n]],
    cod: [[n]],
    forward: (ops, [x, y]) => [[ops.xor(x!, y!)], null],
    reverse: (_ops, _r, [dz]) => [dz!, dz!],
  });
}

/**
 * and : [n] x [n] -> [n], the multiplication of Z2. R[AND](x, y, dz) = (y dz, x dz).
 *
 * @example
 * ```ts
 * truthTable(seq(splitBits([1, 1]), andGate(1)));  // Uint8Array [0, 0, 0, 1]
 * ```
 *
 * @category Layers
 */
export function andGate<const N extends number>(n: N): Lens<readonly [W<N>, W<N>], readonly [W<N>], Z2Ops> {
  positive("andGate", n);
  return lens<readonly [W<N>, W<N>], readonly [W<N>], [Value, Value], Z2Ops>({
    name: `and(${n})`,
    dom: [[n], [n]],
    cod: [[n]],
    forward: (ops, [x, y]) => [[ops.and(x!, y!)], [x!, y!]],
    reverse: (ops, [x, y], [dz]) => [ops.and(y, dz!), ops.and(x, dz!)],
  });
}

/**
 * not : [n] -> [n], x + 1. R[NOT](x, dz) = dz (a constant added does not change the derivative).
 *
 * @example
 * ```ts
 * truthTable(notGate(1));  // Uint8Array [1, 0]
 * ```
 *
 * @category Layers
 */
export function notGate<const N extends number>(n: N): Lens<readonly [W<N>], readonly [W<N>], Z2Ops> {
  positive("notGate", n);
  return lens<readonly [W<N>], readonly [W<N>], null, Z2Ops>({
    name: `not(${n})`,
    dom: [[n]],
    cod: [[n]],
    forward: (ops, [x]) => [[ops.not(x!)], null],
    reverse: (_ops, _r, [dz]) => [dz!],
  });
}

/**
 * selectBits(n, indices) : [n] -> [indices.length], output bit j = input bit
 * indices[j]; bits may be repeated or left out. The reverse gives input bit i
 * the XOR of the changes of every output that copied it (zero if none did):
 * bit-level copy, discard and permutation in one map.
 *
 * @example
 * ```ts
 * truthTable(selectBits(2, [1]));  // the second input bit, for each of the 4 inputs
 * ```
 *
 * @category Layers
 */
export function selectBits(n: number, indices: readonly number[], name?: string): Lens<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  positive("selectBits", n);
  if (!Array.isArray(indices)) throw new ParalensError(`selectBits: indices must be an array of bit numbers, got ${describe(indices)}`);
  countArgument("selectBits", indices.length, "the number of indices");
  checkIndices("selectBits", indices, n);
  if (name !== undefined && typeof name !== "string") throw new ParalensError(`selectBits: name must be a string, got ${describe(name)}`);
  name ??= `select(${n} -> [${indices.join(", ")}])`;
  const uses = range(n).map((i) => indices.flatMap((s, j) => (s === i ? [j] : [])));
  return lens<readonly [readonly [number]], readonly [readonly [number]], number, Z2Ops>({
    name,
    dom: [[n]],
    cod: [[indices.length]],
    forward: (ops, [x]) => [[ops.pick(x!, indices)], ops.shape(x!)[0]!],
    reverse(ops, batch, [dy]) {
      const parts = uses.map((js) => (js.length === 0 ? ops.zeros([batch, 1]) : js.map((j) => ops.pick(dy!, [j])).reduce((a, b) => ops.xor(a, b))));
      return [ops.join(parts)];
    },
  });
}

/**
 * splitBits([a, b, ...]) : [a + b + ...] -> [a] x [b] x ...; its reverse joins the changes.
 *
 * @example
 * ```ts
 * truthTable(seq(splitBits([2, 1]), joinBits([2, 1])));  // the identity on 3 bits
 * ```
 *
 * @category Layers
 */
export function splitBits(sizes: readonly number[]): Lens<readonly [readonly [number]], readonly (readonly [number])[], Z2Ops> {
  sizesArgument("splitBits", sizes);
  const total = sizes.reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return lens<readonly [readonly [number]], readonly (readonly [number])[], number, Z2Ops>({
    name: `split(${sizes.join(", ")})`,
    dom: [[total]],
    cod: sizes.map((s) => [s] as const),
    forward: (ops, [x]) => [sizes.map((s, i) => ops.pick(x!, range(s, starts[i]))), ops.shape(x!)[0]!],
    reverse: (ops, batch, dys) => [ops.join(dys.map((d, i) => d ?? ops.zeros([batch, sizes[i]!])))],
  });
}

/**
 * joinBits([a, b, ...]) : [a] x [b] x ... -> [a + b + ...]; its reverse splits the change.
 *
 * @example
 * ```ts
 * joinBits([1, 2]).cod;  // [[3]]
 * ```
 *
 * @category Layers
 */
export function joinBits(sizes: readonly number[]): Lens<readonly (readonly [number])[], readonly [readonly [number]], Z2Ops> {
  sizesArgument("joinBits", sizes);
  const total = sizes.reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return lens<readonly (readonly [number])[], readonly [readonly [number]], null, Z2Ops>({
    name: `join(${sizes.join(", ")})`,
    dom: sizes.map((s) => [s] as const),
    cod: [[total]],
    forward: (ops, xs) => {
      if (xs.length !== sizes.length) throw new ParalensError(`joinBits: ${sizes.length} wires expected, got ${xs.length} (${fmtWires(sizes.map((s) => [s]))})`);
      return [[ops.join(xs)], null];
    },
    reverse: (ops, _r, [dy]) => sizes.map((s, i) => ops.pick(dy!, range(s, starts[i])) as Change),
  });
}

/**
 * A parameterised gate: y = op(p, x) bitwise, with a parameter p of n bits
 * copied to every example. "and" masks the input (p & x); "xor" flips it
 * (p ^ x). The parameter's change is the batch XOR of the per-example ones.
 *
 * @example
 * ```ts
 * paramGate("xor", 3).params[0].shape;  // [3]: one bit to flip each input
 * ```
 *
 * @category Layers
 */
export function paramGate<const N extends number>(op: "and" | "xor", n: N, options: { init?: Initialiser } = {}): Para<readonly [W<N>], readonly [W<N>], Z2Ops> {
  if (op !== "and" && op !== "xor") throw new ParalensError(`paramGate: op must be "and" or "xor", got ${describe(op)}`);
  positive(`paramGate(${op})`, n);
  optionsArgument("paramGate", options);
  return para<readonly [W<N>], readonly [W<N>], [Value, Value], Z2Ops>({
    name: `${op === "and" ? "mask" : "flip"}(${n})`,
    dom: [[n]],
    cod: [[n]],
    params: [{ name: op === "and" ? "mask" : "flip", shape: [n], init: options.init ?? zeros, role: "parameter" }],
    forward(ops, [p], [x]) {
      const ps = ops.spread(p!, ops.shape(x!)[0]!);
      return [[op === "and" ? ops.and(ps, x!) : ops.xor(ps, x!)], [ps, x!]];
    },
    reverse(ops, [ps, x], [dy]) {
      if (op === "xor") return [[ops.collect(dy!)], [dy!]];
      return [[ops.collect(ops.and(x, dy!))], [ops.and(ps, dy!)]];
    },
  });
}

/**
 * An initialiser of random bits: each bit is 1 with probability `ones` (default 1/2).
 *
 * @example
 * ```ts
 * randomBits(0.25)([8], new initialisers.Rng(1)).every((b) => b === 0 || b === 1);  // true
 * ```
 *
 * @category Layers
 */
export function randomBits(ones = 0.5): Initialiser {
  if (typeof ones !== "number" || !(ones >= 0 && ones <= 1)) throw new ParalensError(`randomBits: ones must be a probability in [0, 1], got ${describe(ones)}`);
  return (shape, rng) => {
    const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < ones ? 1 : 0;
    return out;
  };
}
