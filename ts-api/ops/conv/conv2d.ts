// Convolution of NHWC images [N, h, w, c] with filters [kh, kw, c, cout]
// over the window g (cross-correlation; out-of-image taps are zeros), and its
// two transposes. The wasm lowering is im2col + GEMM (assembly/conv.ts);
// the reference is the definition's plain loop over every tap. The fused
// kernel packs the GEMM's panels straight from the image; `npm run bench --
// fused` measured it 1.21x a gather of the im2col matrix and a matmul.
import type { Value } from "../../algebra/category.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import type { Tensor } from "../../engine/tensor.ts";
import { type PlanContext, op } from "../op.ts";
import { refTensor } from "../ref-tensor.ts";
import { eachTap, filter, image, inc } from "./taps.ts";
import type { Window2d } from "./window.ts";
import type { Attributes } from "../onnx.ts";

/**
 * The largest im2col matrix a training plan keeps from the forward pass
 * (bytes); above it the filter gradient rebuilds the matrix block by block.
 */
export const KEEP_LIMIT = 64 * 2 ** 20;

/**
 * Rows of the im2col matrix per block: about 32K floats (128 KiB) of scratch,
 * so a block and the output rows it feeds stay in L2 between the copy and
 * the GEMM; at least 8 rows so the GEMM has some height.
 */
export const SCRATCH_FLOATS = 1 << 15;
export function blockRows(m: number, k: number): number {
  return Math.max(1, Math.min(m, Math.max(8, Math.floor(SCRATCH_FLOATS / k))));
}

const isPointwise = (g: Window2d): boolean => g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0;

/** The scratch of one conv call: blockRows x K floats for each piece a threaded engine cuts it into (none when im2col is the identity). */
function scratch(p: PlanContext, g: Window2d, m: number, k: number): [Tensor, number] {
  const rows = blockRows(m, k);
  return [p.out([isPointwise(g) ? 0 : p.parts * rows * k]), rows];
}

function channels(what: string, x: readonly number[], f: readonly number[], g: Window2d): [n: number, c: number, cout: number] {
  const [n, c] = image(what, x, g.h, g.w);
  const [fc, cout] = filter(what, f, g);
  if (fc !== c) throw new ParalensError(`${what}: the input has ${c} channel(s) but the filter ${fmtShape(f)} takes ${fc}`);
  return [n, c, cout];
}

export const convOps = {
  /**
   * y [N, oh, ow, cout] = sum over the window and c of x * f, and `cols`: the
   * im2col matrix a training plan keeps for the filter gradient (a value of
   * no elements when it is not kept). It travels in the lens's residual.
   */
  conv2d: op<[x: Value, f: Value, g: Window2d], [y: Value, cols: Value]>({
    plan(p, x, f, g) {
      const [n, c, cout] = channels("conv2d", x.shape, f.shape, g);
      const m = n * g.oh * g.ow;
      const k = g.kh * g.kw * c;
      // a training plan keeps the whole im2col matrix: its filter gradient is then one GEMM;
      // otherwise, when K fits the GEMM's K block, the kernel packs its GEMM panels straight
      // from the image and needs no scratch (blockRows 0 asks for that)
      const keep = p.training && !isPointwise(g) && m * k * 4 <= KEEP_LIMIT;
      const packed = !keep && k <= p.core.gemmKBlock();
      const [s, rows] = keep ? [p.out([m, k]), blockRows(m, k)] : packed ? [p.out([0]), 0] : scratch(p, g, m, k);
      const y = p.out([n, g.oh, g.ow, cout]);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      const flag = keep ? 1 : 0;
      p.emit("conv2d", () => p.core.conv2d(y.offset, x.offset, f.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, flag), [x, f], [y, s]);
      return [y, keep ? s : p.out([0])];
    },
    reference(x, f, g) {
      const [n, c, cout] = channels("conv2d", x.shape, f.shape, g);
      const y = refTensor([n, g.oh, g.ow, cout]);
      eachTap(g, n, (o, i, k) => {
        for (let ci = 0; ci < c; ci++) {
          for (let co = 0; co < cout; co++) inc(y.data, o * cout + co, x.data[i * c + ci]! * f.data[(k * c + ci) * cout + co]!);
        }
      });
      return [y, refTensor([0])];
    },
    onnx(g, x, f, w) {
      const [n, , cout] = channels("conv2d", x.shape, f.shape, w);
      const y = g.node("Conv", [g.transpose(x, NCHW), g.transpose(f, OIHW)], [n, cout, w.oh, w.ow], windowAttributes(w));
      return [g.transpose(y, NHWC), g.unavailable("conv2d's im2col matrix", [0])];
    },
  }),

  /** dx [N, h, w, c] from dy [N, oh, ow, cout]: the transpose of conv2d in x. */
  conv2dInputGrad: op<[dy: Value, f: Value, g: Window2d]>({
    plan(p, dy, f, g) {
      const [n, c, cout] = gradShapes("conv2d reverse", dy.shape, f.shape, g);
      const [s, rows] = scratch(p, g, n * g.oh * g.ow, g.kh * g.kw * c);
      const dx = p.out([n, g.h, g.w, c]);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      p.emit("conv2dInputGrad", () => p.core.conv2dInputGrad(dx.offset, dy.offset, f.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout), [dy, f], [dx, s]);
      return dx;
    },
    reference(dy, f, g) {
      const [n, c, cout] = gradShapes("conv2d reverse", dy.shape, f.shape, g);
      const dx = refTensor([n, g.h, g.w, c]);
      eachTap(g, n, (o, i, k) => {
        for (let ci = 0; ci < c; ci++) {
          for (let co = 0; co < cout; co++) inc(dx.data, i * c + ci, dy.data[o * cout + co]! * f.data[(k * c + ci) * cout + co]!);
        }
      });
      return dx;
    },
  }),

  /** df [kh, kw, c, cout] from x and dy, summed over the batch: the transpose of conv2d in f. `cols`, if given, is what conv2d kept (used when it holds the im2col matrix). */
  conv2dFilterGrad: op<[x: Value, dy: Value, g: Window2d, cols?: Value]>({
    plan(p, x, dy, g, cols) {
      const [n, c, cout] = filterGradShapes(x.shape, dy.shape, g);
      const m = n * g.oh * g.ow;
      const k = g.kh * g.kw * c;
      const df = p.out([g.kh, g.kw, c, cout]);
      if (cols !== undefined && cols.size > 0) {
        if (cols.size !== m * k) throw new ParalensError(`conv2d filter gradient: a kept im2col matrix ${fmtShape(cols.shape)} does not fit ${m} x ${k}`);
        p.emit("gemmTN", () => p.core.gemmTN(df.offset, cols.offset, dy.offset, k, cout, m, 0), [cols, dy], [df]);
        return df;
      }
      const [s, rows] = scratch(p, g, m, k);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      p.emit("conv2dFilterGrad", () => p.core.conv2dFilterGrad(df.offset, x.offset, dy.offset, s.offset, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout), [x, dy], [df, s]);
      return df;
    },
    reference(x, dy, g) {
      const [n, c, cout] = filterGradShapes(x.shape, dy.shape, g);
      const df = refTensor([g.kh, g.kw, c, cout]);
      eachTap(g, n, (o, i, k) => {
        for (let ci = 0; ci < c; ci++) {
          for (let co = 0; co < cout; co++) inc(df.data, (k * c + ci) * cout + co, x.data[i * c + ci]! * dy.data[o * cout + co]!);
        }
      });
      return df;
    },
  }),
};

// ONNX convolves NCHW images with OIHW filters; paralens keeps NHWC and [kh, kw, c, cout]
export const NCHW = [0, 3, 1, 2], NHWC = [0, 2, 3, 1];
const OIHW = [3, 2, 0, 1];

/** ONNX's Conv and pooling attributes of a window: pads are [top, left, bottom, right]. */
export function windowAttributes(w: Window2d): Attributes {
  return { kernel_shape: { ints: [w.kh, w.kw] }, strides: { ints: [w.sh, w.sw] }, pads: { ints: [w.pt, w.pl, w.pb, w.pr] } };
}

function gradShapes(what: string, dy: readonly number[], f: readonly number[], g: Window2d): [n: number, c: number, cout: number] {
  const [n, cout] = image(what, dy, g.oh, g.ow);
  const [c, fcout] = filter(what, f, g);
  if (fcout !== cout) throw new ParalensError(`${what}: the change has ${cout} channel(s) but the filter ${fmtShape(f)} gives ${fcout}`);
  return [n, c, cout];
}

function filterGradShapes(x: readonly number[], dy: readonly number[], g: Window2d): [n: number, c: number, cout: number] {
  const what = "conv2d filter gradient";
  const [n, c] = image(what, x, g.h, g.w);
  const [dn, cout] = image(what, dy, g.oh, g.ow);
  if (dn !== n) throw new ParalensError(`${what}: batch sizes differ: ${fmtShape(x)} and ${fmtShape(dy)}`);
  return [n, c, cout];
}
