// Where a sliding window (of a convolution or a pooling) sits on an image:
// the one place that turns kernel size, stride and padding into output sizes
// and paddings, so lenses, the wasm planner and the float64 reference agree.
import type { Wires } from "../../algebra/shapes.ts";
import { ParalensError, describe, fmtShape, fmtWires } from "../../engine/errors.ts";

/**
 * "valid": windows lie inside the image; out = floor((in - k) / s) + 1.
 * "same": out = ceil(in / s), zero padding split as evenly as possible with
 * the odd pixel at the bottom/right (the TensorFlow convention).
 *
 * @category Layers
 */
export type Padding = "valid" | "same";

/**
 * A kh x kw window sliding over an h x w image with strides (sh, sw).
 *
 * @category Layers
 */
export interface Window2d {
  /** Input height and width. */
  readonly h: number;
  readonly w: number;
  /** Kernel height and width. */
  readonly kh: number;
  readonly kw: number;
  /** Strides. */
  readonly sh: number;
  readonly sw: number;
  /** Zero padding above, left, below and right. */
  readonly pt: number;
  readonly pl: number;
  readonly pb: number;
  readonly pr: number;
  /** Output height and width. */
  readonly oh: number;
  readonly ow: number;
}

/**
 * A number or a [height, width] pair, as options take kernel sizes and strides.
 *
 * @category Layers
 */
export type Pair = number | readonly [number, number];

export function pair(what: string, name: string, v: Pair): [number, number] {
  const [a, b] = typeof v === "number" ? [v, v] : Array.isArray(v) ? v : [NaN, NaN];
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) {
    throw new ParalensError(`${what}: ${name} must be a whole number >= 1 or a pair of them, got ${Array.isArray(v) ? fmtShape(v) : describe(v)}`);
  }
  return [a, b];
}

function axis(what: string, label: string, size: number, k: number, s: number, padding: Padding): [out: number, before: number, after: number] {
  if (padding === "same") {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + k - size, 0);
    const before = Math.floor(total / 2);
    return [out, before, total - before];
  }
  if (k > size) {
    throw new ParalensError(`${what}: the kernel's ${label} ${k} exceeds the input's ${label} ${size} (padding "valid"); use padding "same" or a smaller kernel`);
  }
  return [Math.floor((size - k) / s) + 1, 0, 0];
}

/**
 * The window of a kernel [kh, kw] with strides [sh, sw] and a padding over an h x w image; errors name `what`.
 *
 * @example
 * ```ts
 * const win = window2d("conv2d", 28, 28, [3, 3], [1, 1], "valid");
 * [win.oh, win.ow];  // [26, 26]
 * ```
 *
 * @category Layers
 */
export function window2d(what: string, h: number, w: number, kernel: Pair, stride: Pair, padding: Padding): Window2d {
  if (typeof what !== "string") throw new ParalensError(`window2d: what must be a string naming the caller (as messages say it), got ${describe(what)}`);
  const [kh, kw] = pair(what, "kernel", kernel);
  const [sh, sw] = pair(what, "stride", stride);
  if (padding !== "valid" && padding !== "same") throw new ParalensError(`${what}: padding must be "valid" or "same", got ${describe(padding)}`);
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new ParalensError(`${what}: the input must be at least 1 x 1, got ${describe(h)} x ${describe(w)}`);
  }
  const [oh, pt, pb] = axis(what, "height", h, kh, sh, padding);
  const [ow, pl, pr] = axis(what, "width", w, kw, sw, padding);
  return { h, w, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow };
}

/** "3x3, stride 2, same" for names and messages; checks the sizes. */
export function describeWindow(what: string, kernel: Pair, stride: Pair, padding: Padding): string {
  const [kh, kw] = pair(what, "kernel", kernel);
  const [sh, sw] = pair(what, "stride", stride);
  if (padding !== "valid" && padding !== "same") throw new ParalensError(`${what}: padding must be "valid" or "same", got ${describe(padding)}`);
  const s = sh === 1 && sw === 1 ? "" : `, stride ${sh === sw ? sh : `${sh}x${sw}`}`;
  return `${kh}x${kw}${s}, ${padding}`;
}

/** The window of a layer fed `dom`, which must be one wire of images [height, width, channels]. */
export function imageWindow(label: string, dom: Wires, kernel: Pair, stride: Pair, padding: Padding): [Window2d, channels: number] {
  const shape = dom[0];
  if (dom.length !== 1 || shape === undefined || shape.length !== 3) {
    throw new ParalensError(
      `${label}: takes one wire of images [height, width, channels], got ${fmtWires(dom)}; reshape first, e.g. seq(reshape([28, 28, 1]), ...)`,
    );
  }
  const [h, w, c] = shape as [number, number, number];
  return [window2d(`${label} on ${fmtWires(dom)}`, h, w, kernel, stride, padding), c];
}
