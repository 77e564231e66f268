// Turning what users pass (typed arrays, nested arrays) into flat Float32Arrays
// of whole examples, with errors that say what was expected.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";

export type Data = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Flattens data into rows of `shape`; returns the values and the number of rows. */
export function rows(what: string, data: Data, shape: Shape): { values: Float32Array; count: number } {
  const width = shape.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (data.length > 0 && typeof data[0] === "object") {
    const nested = data as ArrayLike<ArrayLike<number>>;
    values = new Float32Array(nested.length * width);
    for (let r = 0; r < nested.length; r++) {
      const row = nested[r]!;
      if (row.length !== width) throw new ParalensError(`${what}: row ${r} has ${row.length} values, expected ${width} (shape ${fmtShape(shape)})`);
      for (let j = 0; j < width; j++) values[r * width + j] = row[j]!;
    }
  } else {
    values = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    if (values.length % width !== 0) {
      throw new ParalensError(`${what}: ${values.length} values do not split into examples of shape ${fmtShape(shape)} (${width} each)`);
    }
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new ParalensError(`${what}: value ${i} is ${values[i]}; data must be finite`);
  }
  return { values, count: values.length / width };
}

/** Labels: rows shaped like the model's output, or (for outputs of size > 1) one class index per example. */
export function labels(what: string, data: Data, shape: Shape, count: number): Float32Array {
  const width = shape.reduce((a, b) => a * b, 1);
  if (width > 1 && data.length === count && (data.length === 0 || typeof data[0] === "number")) {
    return oneHot(data as ArrayLike<number>, width);
  }
  const { values, count: n } = rows(what, data, shape);
  if (n !== count) throw new ParalensError(`${what}: ${n} labels for ${count} examples`);
  return values;
}

/** One-hot rows from class indices: oneHot([2, 0], 3) = [0,0,1, 1,0,0]. */
export function oneHot(classes: ArrayLike<number>, count: number): Float32Array {
  const out = new Float32Array(classes.length * count);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= count) throw new ParalensError(`oneHot: label ${i} is ${c}, not a class in 0..${count - 1}`);
    out[i * count + c] = 1;
  }
  return out;
}

/** Copies the rows `order[from..to)` of src (rows of `width`) into dst. No allocation. */
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
