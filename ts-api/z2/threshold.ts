// The popcount threshold ("pseudo-linear") unit: output j fires when an
// integer combination of two bit counts clears zero,
//   y_j = [ a |p_j & x| + b |p_j| + t >= 0 ],
// with p_j a learned mask of the n inputs (|.| counts set bits). Wilson &
// Zanasi's MNIST model is a = -ratio, b = 1, t = 0: y = [|p & x| <= |p| / ratio].
// The counts and the comparison are built from Z2 gates (arith.ts), so the
// unit runs bit-sliced like any circuit.
//
// Its reverse derivative is that of the unit as a Boolean function (its
// algebraic normal form), written directly: flipping mask bit p_ji moves
// the sum by +-(b + a x_i), flipping x_i by +-a p_ji, so the change of y_j
// under each flip is y_j ^ [v_j + delta >= 0] for one of six constant
// deltas, computed once per example and selected bit by bit. (The adders'
// own chain-rule derivative would differ: their polynomials square
// variables, see oracle.ts.)
import type { Value } from "../algebra/category.ts";
import { type Para, para } from "../algebra/para.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { countArgument } from "../algebra/shapes.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";
import { type Num, addWrapping, constant, countBits, scaled, widthFor } from "./arith.ts";
import { type Z2Ops, range, sumBits } from "./ops.ts";

/**
 * The integer coefficients of a popcount threshold unit: y = [a |p & x| + b |p| + t >= 0].
 *
 * @category Layers
 */
export interface ThresholdCoefficients {
  /** Weight of |p & x|. */
  a: number;
  /** Weight of |p|. */
  b: number;
  /** Constant term. */
  t: number;
}

interface Residual {
  v: Num;
  y: Value;
  masks: Value[];
  xs: Value[];
}

/**
 * popcountThreshold(n, m, {a, b, t}) : [n] -> [m], with parameter "mask"
 * [m * n] (row j is output j's mask).
 *
 * @example
 * ```ts
 * const unit = popcountThreshold(784, 1, { a: -4, b: 1, t: 0 });   // the paper's pseudoLinear(4)
 * ```
 *
 * @category Layers
 */
export function popcountThreshold(
  n: number,
  m: number,
  coefficients: ThresholdCoefficients,
  options: { init?: Initialiser; name?: string } = {},
): Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  countArgument("popcountThreshold", n, "n", 1);
  countArgument("popcountThreshold", m, "m", 1);
  countArgument("popcountThreshold", n * m, "the mask's size n * m");
  optionsArgument("popcountThreshold", coefficients, "coefficients");
  optionsArgument("popcountThreshold", options);
  const { a, b, t } = coefficients;
  for (const [what, v] of [["a", a], ["b", b], ["t", t]] as const) {
    if (!Number.isInteger(v) || Math.abs(v) > 1 << 16) throw new ParalensError(`popcountThreshold: ${what} must be a small whole number, got ${describe(v)}`);
  }
  const width = widthFor((Math.abs(a) + Math.abs(b)) * (n + 1) + Math.abs(t));
  const sign = (v: Num): Value => v[width - 1]!;
  return para<readonly [readonly [number]], readonly [readonly [number]], Residual, Z2Ops>({
    name: options.name ?? `popcountThreshold(${n} -> ${m}; ${a}|p&x| + ${b}|p| + ${t} >= 0)`,
    dom: [[n]],
    cod: [[m]],
    params: [{ name: "mask", shape: [m * n], init: options.init ?? zeros, role: "parameter" }],
    forward(ops, [p], [x]) {
      const batch = ops.shape(x!)[0]!;
      const shape = [batch, m];
      // column i: bit i of every output's mask, counted once for all examples
      const columns = range(n).map((i) => ops.pick(p!, range(m).map((j) => j * n + i)));
      const total = countBits(ops, columns).map((plane) => ops.spread(plane, batch));
      const masks = columns.map((c) => ops.spread(c, batch));
      const xs = range(n).map((i) => ops.pick(x!, new Array<number>(m).fill(i)));
      const hits = countBits(ops, masks.map((mask, i) => ops.and(mask, xs[i]!)));
      const v = addWrapping(
        ops,
        addWrapping(ops, scaled(ops, hits, a, width, shape), scaled(ops, total, b, width, shape)),
        constant(ops, t, width, shape),
      );
      const y = ops.not(sign(v));
      return [[y], { v, y, masks, xs }];
    },
    reverse(ops, { v, y, masks, xs }, [dy]) {
      const shape = ops.shape(y);
      const flips = (delta: number): Value => ops.xor(y, ops.not(sign(addWrapping(ops, v, constant(ops, delta, width, shape)))));
      const [z00, z01, z10, z11] = [flips(b), flips(a + b), flips(-b), flips(-a - b)];
      const [zx0, zx1] = [flips(a), flips(-a)];
      const [e0, e1, ex] = [ops.xor(z00, z01), ops.xor(z10, z11), ops.xor(zx0, zx1)];
      const dMask: Value[] = [];
      const dx: Value[] = [];
      masks.forEach((mask, i) => {
        const xi = xs[i]!;
        const off = ops.xor(z00, ops.and(xi, e0)); // mask bit 0 -> 1
        const on = ops.xor(z10, ops.and(xi, e1)); // mask bit 1 -> 0
        dMask.push(ops.and(dy!, ops.xor(off, ops.and(mask, ops.xor(off, on)))));
        dx.push(sumBits(ops, ops.and(dy!, ops.and(mask, ops.xor(zx0, ops.and(xi, ex))))));
      });
      // dMask is ordered (input i, output j); the parameter is (output j, input i)
      const byOutput = range(m).flatMap((j) => range(n).map((i) => i * m + j));
      return [[ops.collect(ops.pick(ops.join(dMask), byOutput))], [ops.join(dx)]];
    },
  });
}

/**
 * Wilson & Zanasi's MNIST unit: y = [|p & x| <= |p| / ratio], one mask per output.
 *
 * @example
 * ```ts
 * pseudoLinear(8).params.length;  // its coefficient bits
 * ```
 *
 * @category Layers
 */
export function pseudoLinear(n: number, m = 1, ratio = 4, options: { init?: Initialiser } = {}): Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  countArgument("pseudoLinear", n, "n", 1);
  countArgument("pseudoLinear", m, "m", 1);
  if (typeof ratio !== "number" || !Number.isInteger(ratio) || Math.abs(ratio) > 1 << 16) throw new ParalensError(`pseudoLinear: ratio must be a small whole number, got ${describe(ratio)}`);
  optionsArgument("pseudoLinear", options);
  return popcountThreshold(n, m, { a: -ratio, b: 1, t: 0 }, { ...options, name: `pseudoLinear(${n} -> ${m}, 1/${ratio})` });
}

/**
 * Strict majority of the masked inputs: y = [|p & x| > |p| / 2].
 *
 * @example
 * ```ts
 * maskedMajority(9).params[0].shape;  // [9]: which inputs vote
 * ```
 *
 * @category Layers
 */
export function maskedMajority(n: number, m = 1, options: { init?: Initialiser } = {}): Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  countArgument("maskedMajority", n, "n", 1);
  countArgument("maskedMajority", m, "m", 1);
  optionsArgument("maskedMajority", options);
  return popcountThreshold(n, m, { a: 2, b: -1, t: -1 }, { ...options, name: `maskedMajority(${n} -> ${m})` });
}
