// NumPy-style broadcasting over trailing axes, and how a broadcast is handed
// to the kernels: the output is laid out as at most three groups of axes
// [n0, n1, n2], and each operand is read with one stride per group (0 where
// it repeats). Adjacent axes that every operand treats alike are merged, so
// a bias over rows, a per-row scale or a per-channel gain are each one group
// or two, and the kernel's fast paths see contiguous rows.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";

/** The shape a and b broadcast to: aligned at their last axes, where a size 1 repeats to match the other. */
export function broadcastShape(what: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ParalensError(`${what}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (axis ${i - rank}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Whether `part` broadcasts to exactly `whole`. */
export function broadcastsTo(part: Shape, whole: Shape): boolean {
  if (part.length > whole.length) return false;
  return part.every((d, i) => d === 1 || d === whole[whole.length - part.length + i]);
}

/** Strides (in elements) of `part` read over the axes of `whole` it broadcasts to: 0 on repeated axes. */
export function stridesOver(part: Shape, whole: Shape): number[] {
  const strides = new Array<number>(whole.length).fill(0);
  let step = 1;
  for (let i = part.length - 1; i >= 0; i--) {
    const j = whole.length - part.length + i;
    strides[j] = part[i] === 1 ? 0 : step;
    step *= part[i]!;
  }
  return strides;
}

/**
 * An output of shape [...outer, n0, n1, n2] and each operand's strides over
 * those axes. The kernels take the last three groups; `outer` (rare: a
 * broadcast that alternates more than twice) becomes a loop of kernel calls
 * at the element offsets `starts` lists, one entry per call and operand.
 */
export interface Grouped {
  readonly dims: [number, number, number];
  readonly strides: [number, number, number][];
  /** For each call, the starting element offset of the output (first) and of each operand (in order). */
  readonly starts: readonly (readonly number[])[];
}

/**
 * Groups the axes of `out` for operands read with `strides` (one list per
 * operand, over out's axes): drops axes of size 1, merges neighbours that
 * every operand reads contiguously or repeats alike, pads to three groups.
 */
export function group(out: Shape, strides: readonly (readonly number[])[]): Grouped {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  out.forEach((n, axis) => {
    if (n === 1) return;
    const last = dims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => st[k]![last] === s[axis]! * n);
    if (mergeable) {
      dims[last] = dims[last]! * n;
      strides.forEach((s, k) => (st[k]![last] = s[axis]!));
    } else {
      dims.push(n);
      strides.forEach((s, k) => st[k]!.push(s[axis]!));
    }
  });
  while (dims.length < 3) {
    dims.unshift(1);
    st.forEach((s) => s.unshift(0));
  }
  const outer = dims.length - 3;
  const inner = dims.slice(outer) as [number, number, number];
  // the output is dense: its offset steps by the inner block size
  const block = inner[0] * inner[1] * inner[2];
  const starts: number[][] = [];
  const index = new Array<number>(outer).fill(0);
  const calls = dims.slice(0, outer).reduce((a, b) => a * b, 1);
  for (let call = 0; call < calls; call++) {
    starts.push([call * block, ...st.map((s) => index.reduce((sum, i, axis) => sum + i * s[axis]!, 0))]);
    for (let axis = outer - 1; axis >= 0 && ++index[axis]! === dims[axis]; axis--) index[axis] = 0;
  }
  return { dims: inner, strides: st.map((s) => s.slice(outer) as [number, number, number]), starts };
}
