// Turning what users pass (typed arrays, nested arrays) into flat Float32Arrays
// of whole examples. Data comes from files, forms and other programs, so
// nothing is coerced: every value must be a finite number, every row an
// array, and labels must lie in the range their loss gives a meaning to. An
// error names the argument, the row and the value.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import { allFinite } from "./divergence.ts";

/**
 * Examples or labels as users pass them: a flat array of numbers (the examples side by side) or one row per example. Every value must be finite.
 *
 * @category Learners
 */
export type Data = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** What a loss accepts as labels: any finite number, probabilities in [0, 1], rows of probabilities summing to 1, or class indices in [0, n) (a number n). */
export type LabelRange = "real" | "unit" | "distribution" | number;

export { describe };

const isList = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array));

function badValue(what: string, where: string, v: unknown, row?: number): ParalensError {
  return new ParalensError(`${what}: ${where} is ${describe(v)}${row === undefined ? "" : ` (row ${row})`}; values must be finite numbers`);
}

/**
 * Flattens data into rows of `shape`; returns the values and the number of rows. With `checkFinite`
 * false the caller checks that the values are finite, where it copies them (see `refuseNonFinite`).
 */
export function rows(what: string, data: Data, shape: Shape, checkFinite = true): { values: Float32Array; count: number } {
  if (!isList(data)) throw new ParalensError(`${what}: expected an array or a typed array of numbers, got ${describe(data)}`);
  const width = shape.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (data.length > 0 && typeof data[0] === "object" && data[0] !== null) {
    // nested: one array per example
    const nested = data as ArrayLike<unknown>;
    values = new Float32Array(nested.length * width);
    for (let r = 0; r < nested.length; r++) {
      const row = nested[r];
      if (!isList(row)) throw new ParalensError(`${what}: row ${r} is ${describe(row)}, but row 0 is an array: give every example as an array`);
      if (row.length !== width) throw new ParalensError(`${what}: row ${r} has ${row.length} values, expected ${width} (shape ${fmtShape(shape)})`);
      for (let j = 0; j < width; j++) {
        const v = row[j];
        // a number beyond f32's range would become Infinity: refused too
        if (typeof v !== "number" || !Number.isFinite(Math.fround(v))) throw badValue(what, `row ${r}, value ${j}`, v);
        values[r * width + j] = v;
      }
    }
    return { values, count: nested.length };
  }
  if (data instanceof Float32Array) values = data;
  else {
    values = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v: unknown = data[i];
      if (typeof v !== "number") throw badValue(what, `value ${i}`, v, Math.floor(i / width));
      values[i] = v;
    }
  }
  if (values.length % width !== 0) {
    throw new ParalensError(`${what}: ${values.length} values do not split into examples of shape ${fmtShape(shape)} (${width} each)`);
  }
  // one fast pass (this runs on every batch); the slow search only to name the value
  if (checkFinite && !allFinite(values)) refuseNonFinite(what, values, data, width);
  return { values, count: values.length / width };
}

/** Throws naming the first value of `values` (flattened from `data`, rows of `width`) that is not finite, if any. */
export function refuseNonFinite(what: string, values: Float32Array, data: Data, width: number): void {
  for (let i = 0; i < values.length; i++) {
    // a number beyond f32's range becomes Infinity here, and is refused with its row
    if (!Number.isFinite(values[i]!)) throw badValue(what, `value ${i}`, data[i], Math.floor(i / width));
  }
}

/**
 * Labels: rows shaped like the model's output, or (for outputs of size > 1)
 * one class index per example (an array of `count` numbers). Checked against
 * `range`: for cross-entropy a negative label or a row not summing to 1 would
 * give a negative or meaningless loss, and a flat array that is neither
 * `count` indices nor `count` rows is refused rather than guessed at.
 */
export function labels(what: string, data: Data, shape: Shape, count: number, range: LabelRange = "real"): Float32Array {
  if (!isList(data)) throw new ParalensError(`${what}: expected an array or a typed array of labels, got ${describe(data)}`);
  const width = shape.reduce((a, b) => a * b, 1);
  // class indices (a numeric range) are taken as they come, flat or nested
  const flat = typeof range !== "number" && (data.length === 0 || typeof data[0] !== "object" || data[0] === null);
  if (width > 1 && flat && data.length === count) return oneHot(data as ArrayLike<number>, width, what);
  // A plain list of count * width numbers could be rows or the class indices of count * width
  // examples (given with the wrong data): refused. Rows come nested, or as a typed array (what oneHot gives).
  if (width > 1 && flat && (data.length !== count * width || Array.isArray(data))) {
    throw new ParalensError(
      `${what}: ${data.length} labels for ${count} examples: give ${count} class indices, or ${count} rows of ${width} values (${count * width} in all) as nested arrays or a Float32Array`,
    );
  }
  const { values, count: n } = rows(what, data, shape);
  if (n !== count) throw new ParalensError(`${what}: ${n} labels for ${count} examples`);
  checkRange(what, values, width, range);
  return values;
}

/** Accuracy with class-index labels: per example, the share of its indices that its rows of `classes` predictions get right. */
export function correctIndices(pred: Float32Array, truth: Float32Array, count: number, classes: number): number {
  let hits = 0;
  truth.forEach((c, r) => {
    // the first largest value, as correct() takes it; a row that is not finite is wrong
    const row = pred.subarray(r * classes, (r + 1) * classes);
    if (row.every(Number.isFinite) && row.indexOf(row.reduce((a, b) => (b > a ? b : a))) === c) hits++;
  });
  return (hits * count) / truth.length;
}

/** Throws if a label lies outside `range` (rows of `width`), naming its row and value. */
export function checkRange(what: string, values: Float32Array, width: number, range: LabelRange): void {
  if (range === "real") return;
  if (typeof range === "number") {
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= range);
    if (bad >= 0) throw new ParalensError(`${what}: row ${Math.floor(bad / width)}, index ${bad % width} is ${values[bad]}; class indices are whole numbers in [0, ${range})`);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v > 1) {
      const loss = range === "unit" ? "binaryCrossEntropy" : "softmaxCrossEntropy";
      throw new ParalensError(`${what}: row ${Math.floor(i / width)}, value ${i % width} is ${v}; labels of ${loss} are probabilities in [0, 1]`);
    }
  }
  if (range !== "distribution") return;
  for (let r = 0; r < values.length / width; r++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += values[r * width + j]!;
    // f32 rows of probabilities written by other programs sum to 1 within a few ulps times the width
    if (Math.abs(s - 1) > 1e-3) {
      throw new ParalensError(`${what}: row ${r} sums to ${s}; labels of softmaxCrossEntropy are class indices or rows of probabilities summing to 1`);
    }
  }
}

/**
 * One-hot rows from class indices: oneHot([2, 0], 3) = [0,0,1, 1,0,0].
 *
 * @example
 * ```ts
 * learning.oneHot([2, 0], 3);  // Float32Array [0, 0, 1, 1, 0, 0]
 * ```
 *
 * @category Learners
 */
export function oneHot(classes: ArrayLike<number>, count: number, what = "oneHot"): Float32Array {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) throw new ParalensError(`${what}: the number of classes must be a whole number >= 1, got ${describe(count)}`);
  if (!isList(classes)) throw new ParalensError(`${what}: expected an array or a typed array of class indices, got ${describe(classes)}`);
  // (past 2^31 values, 8 GiB, a typed array cannot be made: the engine would throw a RangeError)
  if (classes.length * count > 2 ** 31) throw new ParalensError(`${what}: ${classes.length} labels of ${count} classes are ${classes.length * count} values, more than one array holds (2^31)`);
  const out = new Float32Array(classes.length * count);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c >= count) {
      throw new ParalensError(`${what}: label ${i} is ${describe(c)}, not a class in 0..${count - 1}`);
    }
    out[i * count + c] = 1;
  }
  return out;
}
export function gather(dst: Float32Array, src: Float32Array, order: Uint32Array, from: number, to: number, width: number): void {
  for (let r = from; r < to; r++) {
    const s = order[r]! * width;
    const d = (r - from) * width;
    for (let j = 0; j < width; j++) dst[d + j] = src[s + j]!;
  }
}

/** Correct predictions among `count` rows: argmax agreement, or for one output, agreement about 0.5. */
export function correct(pred: Float32Array, truth: Float32Array, count: number, width: number): number {
  let hits = 0;
  for (let r = 0; r < count; r++) {
    const o = r * width;
    // a row whose prediction is not finite is wrong, whatever its argmax would say
    let finite = true;
    for (let j = 0; j < width; j++) finite &&= Number.isFinite(pred[o + j]!);
    if (!finite) continue;
    if (width === 1) {
      if (pred[o]! > 0.5 === truth[o]! > 0.5) hits++;
      continue;
    }
    let pi = 0;
    let ti = 0;
    for (let j = 1; j < width; j++) {
      if (pred[o + j]! > pred[o + pi]!) pi = j;
      if (truth[o + j]! > truth[o + ti]!) ti = j;
    }
    if (pi === ti) hits++;
  }
  return hits;
}
