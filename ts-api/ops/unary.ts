// The elementary functions, one row each: the kernel (assembly/unary.ts), its
// float64 reference, and the lens's reverse written with other ops, so no
// reverse needs a kernel of its own. Each lens keeps the input x or the
// output y, whichever its derivative is cheaper from (e^x keeps its output).
import type { Value } from "../algebra/category.ts";
import type { AnyShape } from "../algebra/para.ts";
import type { RealOps } from "./index.ts";
import { pointwise, unary } from "./pointwise.ts";
import { registerOps } from "./registry.ts";

// erf by its series and continued fraction would do; Abramowitz-Stegun 7.1.26
// is not accurate enough for a reference, so sum the Taylor series near 0
// and use erfc's asymptotic complement beyond (both in float64).
function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  if (a < 2.5) {
    // erf x = 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc a = e^(-a^2) / sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))), a continued fraction
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export const unaryOps = {
  exp: unary("exp", Math.exp, "Exp"),
  log: unary("log", Math.log, "Log"),
  sqrt: unary("sqrt", Math.sqrt, "Sqrt"),
  rsqrt: unary("rsqrt", (x) => 1 / Math.sqrt(x), (g, x) => g.node("Reciprocal", [g.node("Sqrt", [x], x.shape)], x.shape)),
  neg: unary("neg", (x) => -x, "Neg"),
  abs: unary("abs", Math.abs, "Abs"),
  square: unary("square", (x) => x * x, (g, x) => g.node("Mul", [x, x], x.shape)),
  erf: unary("erf", erf64, "Erf"),
  sign: unary("sign", (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0), "Sign"),
};

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const lens = (name: keyof typeof unaryOps, keeps: "x" | "y", reverse: (ops: RealOps, kept: Value, dy: Value) => Value): AnyShape<true> =>
  pointwise(name, keeps, (ops, x) => ops[name](x), reverse);

/**
 * e^x, elementwise. Reverse: dy e^x, from the output.
 *
 * @example
 * ```ts
 * layers.exp.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [0, 1])])[0][0]!.data;  // Float64Array [1, 2.718...]
 * ```
 *
 * @category Layers
 */
export const exp = lens("exp", "y", (ops, y, dy) => ops.mul(dy, y));
/**
 * The natural logarithm, elementwise. Reverse: dy / x.
 *
 * @example
 * ```ts
 * layers.log.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, Math.E])])[0][0]!.data;  // Float64Array [0, 1]
 * ```
 *
 * @category Layers
 */
export const log = lens("log", "x", (ops, x, dy) => ops.div(dy, x));
/**
 * The square root, elementwise. Reverse: dy / (2 sqrt x), from the output.
 *
 * @example
 * ```ts
 * layers.sqrt.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [4, 9])])[0][0]!.data;  // Float64Array [2, 3]
 * ```
 *
 * @category Layers
 */
export const sqrt = lens("sqrt", "y", (ops, y, dy) => ops.scale(ops.div(dy, y), 0.5));
/**
 * 1 / sqrt(x), elementwise. Reverse: -dy y^3 / 2, from the output.
 *
 * @example
 * ```ts
 * layers.rsqrt.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [4, 0.25])])[0][0]!.data;  // Float64Array [0.5, 2]
 * ```
 *
 * @category Layers
 */
export const rsqrt = lens("rsqrt", "y", (ops, y, dy) => ops.scale(ops.mul(dy, ops.mul(y, ops.square(y))), -0.5));
/**
 * -x, elementwise. Reverse: -dy.
 *
 * @example
 * ```ts
 * layers.neg.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, -2])])[0][0]!.data;  // Float64Array [-1, 2]
 * ```
 *
 * @category Layers
 */
export const neg = lens("neg", "x", (ops, _x, dy) => ops.neg(dy));
/**
 * |x|, elementwise. Reverse: dy sign(x) (0 at 0).
 *
 * @example
 * ```ts
 * layers.abs.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [1, -2])])[0][0]!.data;  // Float64Array [1, 2]
 * ```
 *
 * @category Layers
 */
export const abs = lens("abs", "x", (ops, x, dy) => ops.mul(dy, ops.sign(x)));
/**
 * x^2, elementwise. Reverse: 2 x dy.
 *
 * @example
 * ```ts
 * layers.square.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [3, -2])])[0][0]!.data;  // Float64Array [9, 4]
 * ```
 *
 * @category Layers
 */
export const square = lens("square", "x", (ops, x, dy) => ops.scale(ops.mul(dy, x), 2));
/**
 * The error function, elementwise. Reverse: dy 2/sqrt(pi) e^(-x^2).
 *
 * @example
 * ```ts
 * layers.erf.at([2]).forward(backends.reference, [], [backends.refTensor([1, 2], [0, 10])])[0][0]!.data;  // Float64Array [0, 1]
 * ```
 *
 * @category Layers
 */
export const erf = lens("erf", "x", (ops, x, dy) => ops.mul(dy, ops.scale(ops.exp(ops.neg(ops.square(x))), TWO_OVER_SQRT_PI)));

// its ops come with whichever of its exports a program uses (ops/index.ts)
registerOps(() => unaryOps);
