// Initialisers choose a parameter's first values from its shape and a seeded
// generator. Fan-in and fan-out follow the usual convention for a weight of
// shape [..., in, out]: fanIn = product of all but the last axis, fanOut =
// product of all but the second-to-last (a dense [in, out] matrix: in and out;
// a conv filter [kh, kw, cin, cout]: kh*kw*cin and kh*kw*cout).
import type { Shape } from "../engine/tensor.ts";
import { Rng } from "./random.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import { checkShape } from "../engine/tensor.ts";

/**
 * Chooses a parameter's first values from its shape and a seeded generator: row-major, one per element.
 *
 * @category Initialisers
 */
export type Initialiser = (shape: Shape, rng: Rng) => Float64Array;

function fans(shape: Shape): { fanIn: number; fanOut: number } {
  sizeOf(shape);
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const size = shape.reduce((a, b) => a * b, 1);
  return { fanIn: size / shape[shape.length - 1]!, fanOut: size / shape[shape.length - 2]! };
}

// the most f32 values a 32-bit WebAssembly memory holds: more could never be a parameter
const MAX_VALUES = 2 ** 30;

/** The values a shape holds, once the shape and the generator are checked: what an initialiser is called with comes from users too. */
function sizeOf(shape: Shape): number {
  checkShape(shape, "initialiser");
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_VALUES) throw new ParalensError(`initialiser: shape ${fmtShape(shape)} holds ${size} values, more than the ${MAX_VALUES} a WebAssembly memory can`);
  return size;
}

function checkRng(rng: unknown): void {
  if (!(rng instanceof Rng)) throw new ParalensError(`initialiser: rng must be an Rng (new Rng(seed)), got ${describe(rng)}`);
}

function finite(what: string, ...values: unknown[]): void {
  for (const v of values) if (typeof v !== "number" || !Number.isFinite(v)) throw new ParalensError(`${what}: expected finite numbers, got ${values.map(describe).join(" and ")}`);
}

function fill(shape: Shape, f: () => number): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = f();
  return out;
}

/**
 * All zeros (biases, and where symmetry does not need breaking).
 *
 * @example
 * ```ts
 * initialisers.zeros([2, 2], new initialisers.Rng(0));  // Float64Array [0, 0, 0, 0]
 * ```
 *
 * @category Initialisers
 */
export const zeros: Initialiser = (shape) => fill(shape, () => 0);

/**
 * Every element `value`.
 *
 * @example
 * ```ts
 * initialisers.constant(1)([3], new initialisers.Rng(0));  // Float64Array [1, 1, 1]
 * ```
 *
 * @category Initialisers
 */
export function constant(value: number): Initialiser {
  finite("constant", value);
  return (shape) => fill(shape, () => value);
}

/**
 * Uniform on [low, high).
 *
 * @example
 * ```ts
 * initialisers.uniform(-1, 1)([4], new initialisers.Rng(0)).every((v) => v >= -1 && v < 1);  // true
 * ```
 *
 * @category Initialisers
 */
export function uniform(low: number, high: number): Initialiser {
  finite("uniform", low, high);
  return (shape, rng) => {
    const size = sizeOf(shape);
    checkRng(rng);
    return rng.fillUniform(new Float64Array(size), low, high);
  };
}

/**
 * Normal with mean `mean` and standard deviation `std`.
 *
 * @example
 * ```ts
 * initialisers.normal(0, 0.1)([1000], new initialisers.Rng(0)).length;  // 1000
 * ```
 *
 * @category Initialisers
 */
export function normal(mean = 0, std = 1): Initialiser {
  finite("normal", mean, std);
  return (shape, rng) => {
    checkRng(rng);
    return fill(shape, () => mean + std * rng.normal());
  };
}

/**
 * Glorot & Bengio (2010), uniform on [-b, b] with b = sqrt(6 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * dense(784, 128, "relu", { init: initialisers.glorotUniform }).params[0]!.shape;  // [784, 128]
 * ```
 *
 * @category Initialisers
 */
export const glorotUniform: Initialiser = (shape, rng) => {
  const { fanIn, fanOut } = fans(shape);
  const b = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(-b, b)(shape, rng);
};

/**
 * Glorot & Bengio (2010), normal with std = sqrt(2 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * initialisers.glorotNormal([4, 3], new initialisers.Rng(0)).length;  // 12
 * ```
 *
 * @category Initialisers
 */
export const glorotNormal: Initialiser = (shape, rng) => {
  const { fanIn, fanOut } = fans(shape);
  return normal(0, Math.sqrt(2 / (fanIn + fanOut)))(shape, rng);
};

/**
 * He et al. (2015), uniform on [-b, b] with b = sqrt(6 / fanIn): for relu layers.
 *
 * @example
 * ```ts
 * initialisers.heUniform([4, 3], new initialisers.Rng(0)).length;  // 12
 * ```
 *
 * @category Initialisers
 */
export const heUniform: Initialiser = (shape, rng) => {
  const b = Math.sqrt(6 / fans(shape).fanIn);
  return uniform(-b, b)(shape, rng);
};

/**
 * He et al. (2015), normal with std = sqrt(2 / fanIn): for relu layers.
 *
 * @example
 * ```ts
 * initialisers.heNormal([4, 3], new initialisers.Rng(0)).length;  // 12
 * ```
 *
 * @category Initialisers
 */
export const heNormal: Initialiser = (shape, rng) => normal(0, Math.sqrt(2 / fans(shape).fanIn))(shape, rng);
