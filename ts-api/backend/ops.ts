// The base category of the reals: the primitive operations lenses over it may
// use. Two backends implement it: Planner (records wasm kernel calls into a
// compiled plan) and Reference (plain float64, evaluated at once, for tests).
// Matrices are row-major; a batched value has the batch as its first axis,
// and the row-wise operations (softmax, losses) treat each row as one example.
import type { Carrier, Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import type { Window2d } from "./conv/window.ts";

export type Activation = "sigmoid" | "tanh" | "relu" | "leakyRelu";

export interface RealOps extends Carrier {
  /** The same values seen with another shape of the same size. */
  reshape(x: Value, shape: Shape): Value;
  /** op(a) * op(b): a is m x k (k x m if transA), b is k x n (n x k if transB). */
  matmul(a: Value, b: Value, transA: boolean, transB: boolean): Value;
  /** x (rows x cols) plus b (cols) on every row. */
  addRowVector(x: Value, b: Value): Value;
  /** The sum of the rows of x (rows x cols): shape [cols]. */
  sumRows(x: Value): Value;
  scale(a: Value, s: number): Value;
  /** a + s b */
  addScaled(a: Value, b: Value, s: number): Value;
  fill(shape: Shape, value: number): Value;

  activation(f: Activation, x: Value, alpha: number): Value;
  /** dx from dy, given u = y for sigmoid and tanh, u = x for relu and leaky relu. */
  activationReverse(f: Activation, u: Value, dy: Value, alpha: number): Value;
  softmax(x: Value): Value;
  softmaxReverse(y: Value, dy: Value): Value;
  logSoftmax(x: Value): Value;

  // Losses: one value per row; their reverses take dl with one value per row.
  /** out[r, :] = s * dl[r] * a[r, :] */
  rowScale(a: Value, dl: Value, s: number): Value;
  rowDot(a: Value, b: Value): Value;
  mse(y: Value, t: Value): Value;
  mseReverse(y: Value, t: Value, dl: Value): Value;
  crossEntropy(lp: Value, t: Value): Value;
  softmaxCrossEntropyReverse(lp: Value, t: Value, dl: Value): Value;
  binaryCrossEntropy(p: Value, t: Value): Value;
  binaryCrossEntropyReverse(p: Value, t: Value, dl: Value): Value;
  binaryCrossEntropyLabelReverse(p: Value, dl: Value): Value;

  // Optimiser updates: return the new state and parameter. A compiled plan
  // writes them over the old ones (they are the same tensors afterwards).
  sgdStep(p: Value, d: Value): Value;
  momentumStep(s: Value, p: Value, d: Value, gamma: number): [s: Value, p: Value];
  adagradStep(g: Value, p: Value, d: Value, lr: number, delta: number): [g: Value, p: Value];
  rmspropStep(v: Value, p: Value, d: Value, lr: number, rho: number, delta: number): [v: Value, p: Value];
  adamStep(m: Value, v: Value, t: Value, p: Value, d: Value, lr: number, b1: number, b2: number, delta: number): [m: Value, v: Value, t: Value, p: Value];

  // Products of wires, slices and tying maps: what gated cells (GRU, LSTM),
  // unrolled sequences and tied (circulant) weights are composed from.
  /** a * b, elementwise. Its reverse is two more products: (b * dc, a * dc). */
  mul(a: Value, b: Value): Value;
  /**
   * The parts side by side along their columns: part i is seen as rows x cols_i
   * (rows = its first axis, the batch), the result is rows x sum(cols_i), given
   * the full `shape`. Its reverse is sliceColumns.
   */
  concatColumns(parts: readonly Value[], shape: Shape): Value;
  /** Columns [from, from + width) of x (seen as rows x cols), as a value of the full `shape`. Its reverse is concatColumns with zeros. */
  sliceColumns(x: Value, from: number, width: number, shape: Shape): Value;
  /** out[t] = x[index[t]] over the flat values of x, 0 where index[t] < 0; out has `shape` (index.length values). */
  gather(x: Value, index: Int32Array, shape: Shape): Value;
  /** The reverse of gather: out (`shape`) = 0, then out[index[t]] += d[t] for every t with index[t] >= 0. */
  scatterAdd(d: Value, index: Int32Array, shape: Shape): Value;
  /**
   * One matrix product per example: a is [N, m, k] ([N, k, m] if transA), b is
   * [N, k, n] ([N, n, k] if transB); the result is [N, m, n].
   */
  batchMatmul(a: Value, b: Value, transA: boolean, transB: boolean): Value;
  // Convolution and pooling of NHWC images [N, h, w, c] over the window g
  // (conv/window.ts); filters are [kh, kw, c, cout]. Out-of-image taps are zeros
  // for convolution and are skipped by pooling.
  /** y [N, oh, ow, cout] = sum over the window and c of x * f (cross-correlation). */
  conv2d(x: Value, f: Value, g: Window2d): Value;
  /** dx [N, h, w, c] from dy [N, oh, ow, cout]: the transpose of conv2d in x. */
  conv2dInputGrad(dy: Value, f: Value, g: Window2d): Value;
  /** df [kh, kw, c, cout] from x and dy, summed over the batch: the transpose of conv2d in f. */
  conv2dFilterGrad(x: Value, dy: Value, g: Window2d): Value;
  /** y [N, oh, ow, c] = the window maxima; arg: which tap of x each came from (backend-specific encoding). */
  maxPool2d(x: Value, g: Window2d): [y: Value, arg: Value];
  /** dx [N, h, w, c]: dy sent back to the taps recorded in arg. */
  maxPool2dReverse(arg: Value, dy: Value, g: Window2d): Value;
  /** y [N, oh, ow, c] = the window means over the taps inside the image. */
  avgPool2d(x: Value, g: Window2d): Value;
  /** dx [N, h, w, c]: each dy spread evenly over its window's taps. */
  avgPool2dReverse(dy: Value, g: Window2d): Value;
}

/** rows x cols of a value whose first axis is rows: [N, ...rest] -> N x prod(rest). */
export function rowsCols(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  let cols = 1;
  for (let i = 1; i < shape.length; i++) cols *= shape[i]!;
  return [shape[0]!, cols];
}

/** [batch, m, k, n] of a batched product, checked. */
export function batchDims(a: Shape, b: Shape, transA: boolean, transB: boolean): [number, number, number, number] {
  if (a.length !== 3 || b.length !== 3 || a[0] !== b[0]) {
    throw new ParalensError(`batchMatmul: needs two batches of matrices [N, rows, cols], got ${fmtShape(a)} and ${fmtShape(b)}`);
  }
  if (transA && transB) throw new ParalensError("batchMatmul: transposing both operands is not supported");
  const [m, k] = transA ? [a[2]!, a[1]!] : [a[1]!, a[2]!];
  const [k2, n] = transB ? [b[2]!, b[1]!] : [b[1]!, b[2]!];
  if (k !== k2) throw new ParalensError(`batchMatmul: inner sizes differ: ${fmtShape(a)}${transA ? "^T" : ""} x ${fmtShape(b)}${transB ? "^T" : ""}`);
  return [a[0]!, m, k, n];
}
