// Values known when the file is read: initializers kept constant, Constant
// nodes, and everything computed from them alone (shapes, ranges, masks),
// folded at import in float64. The batch size is not known then: Shape of a
// batched value gives NaN for its first axis, and NaN stays NaN through
// arithmetic, so a Reshape can still tell "the batch axis" from a number.
import type { Shape } from "../../../algebra/shapes.ts";
import type { DType } from "./decode.ts";
import type { BatchView } from "./view.ts";

/** A tensor known at import. */
export interface Known {
  readonly kind: "known";
  readonly dtype: DType;
  readonly shape: Shape;
  readonly data: Float64Array;
}

/** A value known only when the model runs: its shape per example (without the batch axis when batched), as the graph sees it. */
export interface Live {
  readonly kind: "live";
  readonly shape: Shape;
  readonly batched: boolean;
  /** Where the graph sees the batch axis, when it moved it (view.ts); undefined: first. */
  readonly view?: BatchView;
  /** A graph input itself: cast to integers, it is token ids (fed as whole floats). */
  readonly fed?: boolean;
}

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export function known(dtype: DType, shape: Shape, data: ArrayLike<number>): Known {
  return { kind: "known", dtype, shape: [...shape], data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

export const isFloat = (d: DType): boolean => d === "float" || d === "double" || d === "float16";

/** Row-major strides of a shape. */
export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The NumPy broadcast of two shapes (aligned at their last axes), or undefined when they do not broadcast. */
export function broadcast(a: Shape, b: Shape): Shape | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each position of `out`, the flat index it reads of a value of shape `part` broadcast to it. */
export function broadcastMap(part: Shape, out: Shape): Int32Array {
  const st = strides(part);
  const map = new Int32Array(sizeOf(out));
  const outSt = strides(out);
  for (let t = 0; t < map.length; t++) {
    let i = 0;
    for (let k = 0; k < out.length; k++) {
      const pk = k - (out.length - part.length);
      if (pk < 0 || part[pk] === 1) continue;
      i += (Math.floor(t / outSt[k]!) % out[k]!) * st[pk]!;
    }
    map[t] = i;
  }
  return map;
}

/** An elementwise function of known values, broadcast. */
export function foldBinary(a: Known, b: Known, dtype: DType, f: (x: number, y: number) => number): Known | undefined {
  const shape = broadcast(a.shape, b.shape);
  if (shape === undefined) return undefined;
  const [ma, mb] = [broadcastMap(a.shape, shape), broadcastMap(b.shape, shape)];
  return known(dtype, shape, Array.from(ma, (ia, t) => f(a.data[ia]!, b.data[mb[t]!]!)));
}

/** The index map of a transpose: output axis i is input axis perm[i]. */
export function permuteMap(shape: Shape, perm: readonly number[]): [Int32Array, Shape] {
  const out = perm.map((p) => shape[p]!);
  const st = strides(shape);
  const outSt = strides(out);
  const map = new Int32Array(sizeOf(out));
  for (let t = 0; t < map.length; t++) {
    let i = 0;
    for (let k = 0; k < out.length; k++) i += (Math.floor(t / outSt[k]!) % out[k]!) * st[perm[k]!]!;
    map[t] = i;
  }
  return [map, out];
}

/** Values through an index map (map[t] < 0 reads `pad`). */
export function mapKnown(k: Known, map: Int32Array, shape: Shape, pad = 0): Known {
  return known(k.dtype, shape, Array.from(map, (i) => (i < 0 ? pad : k.data[i]!)));
}

/** The index map of a box: for each axis, the input positions the output takes along it (-1: padding). */
export function boxMap(shape: Shape, along: readonly (readonly number[])[]): [Int32Array, Shape] {
  const out = along.map((a) => a.length);
  const st = strides(shape);
  const outSt = strides(out);
  const map = new Int32Array(sizeOf(out));
  for (let t = 0; t < map.length; t++) {
    let i = 0;
    for (let k = 0; k < out.length && i >= 0; k++) {
      const pos = along[k]![Math.floor(t / outSt[k]!) % out[k]!]!;
      i = pos < 0 ? -1 : i + pos * st[k]!;
    }
    map[t] = i;
  }
  return [map, out];
}

/** 0 .. n-1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
