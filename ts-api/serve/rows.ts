// One row as a server receives it (parsed from JSON, read from a body),
// checked on its own: when calls are batched, a bad row must be refused
// before it joins a batch, so that it fails its own call and no other.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";

const isList = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array));

/** A copy of `row` as f32 values, if it is `shape`'s size of finite numbers; otherwise a ParalensError naming what is wrong. */
export function checkRow(what: string, row: unknown, shape: Shape): Float32Array {
  const width = shape.reduce((a, b) => a * b, 1);
  if (!isList(row)) throw new ParalensError(`${what}: a row must be an array or a typed array of ${width} numbers, got ${describe(row)}`);
  if (row.length !== width) throw new ParalensError(`${what}: the row has ${row.length} values, expected ${width} (shape ${fmtShape(shape)})`);
  const values = new Float32Array(width);
  for (let i = 0; i < width; i++) {
    const v: unknown = row[i];
    // a number beyond f32's range would become Infinity: refused too
    if (typeof v !== "number" || !Number.isFinite(Math.fround(v))) throw new ParalensError(`${what}: value ${i} of the row is ${describe(v)}; values must be finite numbers`);
    values[i] = v;
  }
  return values;
}
