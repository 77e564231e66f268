// Convolution and pooling in the wasm planner: shape checks, output and
// scratch allocation, and one kernel call each. The Planner's methods of the
// same names delegate here.
import type { Value } from "../../algebra/category.ts";
import type { Shape } from "../../algebra/shapes.ts";
import type { Engine } from "../../engine/engine.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import type { Tensor } from "../../engine/tensor.ts";
import type { Window2d } from "./window.ts";

/** What these functions need from a Planner: its engine, output allocation and call recording. */
export interface PlanKit {
  readonly engine: Engine;
  out(shape: Shape): Tensor;
  emit(name: string, run: () => void, reads: Tensor[], writes: Tensor[]): void;
  /** Whether a reverse pass will be planned: then conv2d keeps its im2col matrix for the filter gradient. */
  readonly reverse: boolean;
  /** The im2col matrices conv2d kept, by input and window. */
  readonly kept: Map<Tensor, { g: Window2d; cols: Tensor }[]>;
}

/**
 * The largest im2col matrix a training plan keeps from the forward pass
 * (bytes); above it the filter gradient rebuilds the matrix block by block.
 */
export const KEEP_LIMIT = 64 * 2 ** 20;

const T = (v: Value): Tensor => v as unknown as Tensor;
const V = (t: Tensor): Value => t as unknown as Value;

/**
 * Rows of the im2col matrix per block: about 32K floats (128 KiB) of scratch,
 * so a block and the output rows it feeds stay in L2 between the copy and
 * the GEMM; at least 8 rows so the GEMM has some height.
 */
export const SCRATCH_FLOATS = 1 << 15;
export function blockRows(m: number, k: number): number {
  return Math.max(1, Math.min(m, Math.max(8, Math.floor(SCRATCH_FLOATS / k))));
}

function image(what: string, t: Tensor, h: number, w: number): [n: number, c: number] {
  const [n, th, tw, c] = t.shape;
  if (t.shape.length !== 4 || th !== h || tw !== w) throw new ParalensError(`${what}: expected an image batch [N, ${h}, ${w}, c], got ${fmtShape(t.shape)}`);
  return [n!, c!];
}

function filter(what: string, f: Tensor, g: Window2d): [c: number, cout: number] {
  if (f.shape.length !== 4 || f.shape[0] !== g.kh || f.shape[1] !== g.kw) {
    throw new ParalensError(`${what}: expected a filter [${g.kh}, ${g.kw}, c, cout], got ${fmtShape(f.shape)}`);
  }
  return [f.shape[2]!, f.shape[3]!];
}

const isPointwise = (g: Window2d): boolean => g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0;

/** The scratch of one conv call: blockRows x K floats (none when im2col is the identity). */
function scratch(p: PlanKit, g: Window2d, m: number, k: number): [Tensor, number] {
  const rows = blockRows(m, k);
  return [p.out([isPointwise(g) ? 0 : rows * k]), rows];
}

export function conv2d(p: PlanKit, xv: Value, fv: Value, g: Window2d): Value {
  const [x, f] = [T(xv), T(fv)];
  const [n, c] = image("conv2d", x, g.h, g.w);
  const [fc, cout] = filter("conv2d", f, g);
  if (fc !== c) throw new ParalensError(`conv2d: the input has ${c} channel(s) but the filter ${fmtShape(f.shape)} takes ${fc}`);
  const m = n * g.oh * g.ow;
  const k = g.kh * g.kw * c;
  const core = p.engine.core;
  // a training plan keeps the whole im2col matrix: its filter gradient is then one GEMM;
  // otherwise, when K fits the GEMM's K block, the kernel packs its GEMM panels straight
  // from the image and needs no scratch (blockRows 0 asks for that)
  const keep = p.reverse && !isPointwise(g) && m * k * 4 <= KEEP_LIMIT;
  const packed = !keep && k <= core.gemmKBlock();
  const [s, rows] = keep ? [p.out([m, k]), blockRows(m, k)] : packed ? [p.out([0]), 0] : scratch(p, g, m, k);
  if (keep) p.kept.set(x, [...(p.kept.get(x) ?? []), { g, cols: s }]);
  const y = p.out([n, g.oh, g.ow, cout]);
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  const flag = keep ? 1 : 0;
  p.emit("conv2d", () => core.conv2d(y.offset, x.offset, f.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, flag), [x, f], [y, s]);
  return V(y);
}

export function conv2dInputGrad(p: PlanKit, dyv: Value, fv: Value, g: Window2d): Value {
  const [dy, f] = [T(dyv), T(fv)];
  const [n, cout] = image("conv2d reverse", dy, g.oh, g.ow);
  const [c, fcout] = filter("conv2d reverse", f, g);
  if (fcout !== cout) throw new ParalensError(`conv2d reverse: the change has ${cout} channel(s) but the filter ${fmtShape(f.shape)} gives ${fcout}`);
  const m = n * g.oh * g.ow;
  const [s, rows] = scratch(p, g, m, g.kh * g.kw * c);
  const dx = p.out([n, g.h, g.w, c]);
  const core = p.engine.core;
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  p.emit("conv2dInputGrad", () => core.conv2dInputGrad(dx.offset, dy.offset, f.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout), [dy, f], [dx, s]);
  return V(dx);
}

export function conv2dFilterGrad(p: PlanKit, xv: Value, dyv: Value, g: Window2d): Value {
  const [x, dy] = [T(xv), T(dyv)];
  const [n, c] = image("conv2d filter gradient", x, g.h, g.w);
  const [dn, cout] = image("conv2d filter gradient", dy, g.oh, g.ow);
  if (dn !== n) throw new ParalensError(`conv2d filter gradient: batch sizes differ: ${fmtShape(x.shape)} and ${fmtShape(dy.shape)}`);
  const m = n * g.oh * g.ow;
  const df = p.out([g.kh, g.kw, c, cout]);
  const core = p.engine.core;
  const cols = p.kept.get(x)?.find((e) => e.g === g)?.cols;
  if (cols !== undefined) {
    const k = g.kh * g.kw * c;
    p.emit("gemmTN", () => core.gemmTN(df.offset, cols.offset, dy.offset, k, cout, m, 0), [cols, dy], [df]);
    return V(df);
  }
  const [s, rows] = scratch(p, g, m, g.kh * g.kw * c);
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  p.emit("conv2dFilterGrad", () => core.conv2dFilterGrad(df.offset, x.offset, dy.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout), [x, dy], [df, s]);
  return V(df);
}

export function maxPool2d(p: PlanKit, xv: Value, g: Window2d): [Value, Value] {
  const x = T(xv);
  const [n, c] = image("maxPool2d", x, g.h, g.w);
  const y = p.out([n, g.oh, g.ow, c]);
  // the indices are i32 bit patterns in an f32 tensor: only kernels read them
  const arg = p.out([n, g.oh, g.ow, c]);
  const core = p.engine.core;
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  p.emit("maxPool2d", () => core.maxPool2d(y.offset, arg.offset, x.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [x], [y, arg]);
  return [V(y), V(arg)];
}

export function maxPool2dReverse(p: PlanKit, argv: Value, dyv: Value, g: Window2d): Value {
  const [arg, dy] = [T(argv), T(dyv)];
  const [n, c] = image("maxPool2d reverse", dy, g.oh, g.ow);
  if (arg.size !== dy.size) throw new ParalensError(`maxPool2d reverse: ${arg.size} indices for a change ${fmtShape(dy.shape)}`);
  const dx = p.out([n, g.h, g.w, c]);
  const core = p.engine.core;
  p.emit("maxPool2dReverse", () => core.maxPool2dReverse(dx.offset, arg.offset, dy.offset, dx.size, dy.size), [arg, dy], [dx]);
  return V(dx);
}

export function avgPool2d(p: PlanKit, xv: Value, g: Window2d): Value {
  const x = T(xv);
  const [n, c] = image("avgPool2d", x, g.h, g.w);
  const y = p.out([n, g.oh, g.ow, c]);
  const core = p.engine.core;
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  p.emit("avgPool2d", () => core.avgPool2d(y.offset, x.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [x], [y]);
  return V(y);
}

export function avgPool2dReverse(p: PlanKit, dyv: Value, g: Window2d): Value {
  const dy = T(dyv);
  const [n, c] = image("avgPool2d reverse", dy, g.oh, g.ow);
  const dx = p.out([n, g.h, g.w, c]);
  const core = p.engine.core;
  const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
  p.emit("avgPool2dReverse", () => core.avgPool2dReverse(dx.offset, dy.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [dy], [dx]);
  return V(dx);
}
