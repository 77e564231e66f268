// Max and average pooling of NHWC images over the window g; out-of-image
// taps are skipped. Max pooling records which tap won (`arg`), so its
// reverse sends each change straight back there.
import type { Value } from "../../algebra/category.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import { op } from "../op.ts";
import { refTensor } from "../ref-tensor.ts";
import { eachTap, image, inc } from "./taps.ts";
import type { Window2d } from "./window.ts";
import { NCHW, NHWC, windowAttributes } from "./conv2d.ts";

export const poolOps = {
  /**
   * y [N, oh, ow, c] = the window maxima (the first of equal ones; NaN wins);
   * arg: which tap of x each came from, encoded as the backend likes (i32
   * bit patterns in the wasm plan, flat indices in the reference).
   */
  maxPool2d: op<[x: Value, g: Window2d], [y: Value, arg: Value]>({
    plan(p, x, g) {
      const [n, c] = image("maxPool2d", x.shape, g.h, g.w);
      const y = p.out([n, g.oh, g.ow, c]);
      const arg = p.out([n, g.oh, g.ow, c]);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      p.emit("maxPool2d", () => p.core.maxPool2d(y.offset, arg.offset, x.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [x], [y, arg]);
      return [y, arg];
    },
    reference(x, g) {
      const [n, c] = image("maxPool2d", x.shape, g.h, g.w);
      const y = refTensor([n, g.oh, g.ow, c]);
      const arg = refTensor(y.shape).data.fill(-1);
      eachTap(g, n, (o, i) => {
        for (let ci = 0; ci < c; ci++) {
          const v = x.data[i * c + ci]!;
          const best = arg[o * c + ci]!;
          if (best < 0 || v > x.data[best]! || Number.isNaN(v)) arg[o * c + ci] = i * c + ci;
        }
      });
      arg.forEach((a, j) => (y.data[j] = x.data[a]!));
      return [y, { shape: y.shape, data: arg }];
    },
    // out-of-image taps never win in ONNX's MaxPool either
    onnx(g, x, w) {
      const [n, c] = image("maxPool2d", x.shape, w.h, w.w);
      const y = g.node("MaxPool", [g.transpose(x, NCHW)], [n, c, w.oh, w.ow], windowAttributes(w));
      return [g.transpose(y, NHWC), g.unavailable("maxPool2d's winning taps", [n, w.oh, w.ow, c])];
    },
  }),

  /** dx [N, h, w, c]: dy sent back to the taps recorded in arg. */
  maxPool2dReverse: op<[arg: Value, dy: Value, g: Window2d]>({
    plan(p, arg, dy, g) {
      const [n, c] = image("maxPool2d reverse", dy.shape, g.oh, g.ow);
      if (arg.size !== dy.size) throw new ParalensError(`maxPool2d reverse: ${arg.size} indices for a change ${fmtShape(dy.shape)}`);
      const dx = p.out([n, g.h, g.w, c]);
      p.emit("maxPool2dReverse", () => p.core.maxPool2dReverse(dx.offset, arg.offset, dy.offset, n, g.h * g.w * c, g.oh * g.ow * c), [arg, dy], [dx]);
      return dx;
    },
    reference(arg, dy, g) {
      const [n, c] = image("maxPool2d reverse", dy.shape, g.oh, g.ow);
      const dx = refTensor([n, g.h, g.w, c]);
      arg.data.forEach((a, j) => inc(dx.data, a, dy.data[j]!));
      return dx;
    },
  }),

  /** y [N, oh, ow, c] = the window means over the taps inside the image. */
  avgPool2d: op<[x: Value, g: Window2d]>({
    plan(p, x, g) {
      const [n, c] = image("avgPool2d", x.shape, g.h, g.w);
      const y = p.out([n, g.oh, g.ow, c]);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      p.emit("avgPool2d", () => p.core.avgPool2d(y.offset, x.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [x], [y]);
      return y;
    },
    reference(x, g) {
      const [n, c] = image("avgPool2d", x.shape, g.h, g.w);
      const y = refTensor([n, g.oh, g.ow, c]);
      const taps = new Float64Array(n * g.oh * g.ow);
      eachTap(g, n, (o, i) => {
        inc(taps, o, 1);
        for (let ci = 0; ci < c; ci++) inc(y.data, o * c + ci, x.data[i * c + ci]!);
      });
      y.data.forEach((s, j) => (y.data[j] = s / taps[Math.floor(j / c)]!));
      return y;
    },
    // count_include_pad 0: the mean over the taps inside the image, as here
    onnx(g, x, w) {
      const [n, c] = image("avgPool2d", x.shape, w.h, w.w);
      const y = g.node("AveragePool", [g.transpose(x, NCHW)], [n, c, w.oh, w.ow], { ...windowAttributes(w), count_include_pad: { int: 0 } });
      return g.transpose(y, NHWC);
    },
  }),

  /** dx [N, h, w, c]: each dy spread evenly over its window's taps. */
  avgPool2dReverse: op<[dy: Value, g: Window2d]>({
    plan(p, dy, g) {
      const [n, c] = image("avgPool2d reverse", dy.shape, g.oh, g.ow);
      const dx = p.out([n, g.h, g.w, c]);
      const { h, w, kh, kw, sh, sw, pt, pl, oh, ow } = g;
      p.emit("avgPool2dReverse", () => p.core.avgPool2dReverse(dx.offset, dy.offset, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow), [dy], [dx]);
      return dx;
    },
    reference(dy, g) {
      const [n, c] = image("avgPool2d reverse", dy.shape, g.oh, g.ow);
      const dx = refTensor([n, g.h, g.w, c]);
      const taps = new Float64Array(n * g.oh * g.ow);
      eachTap(g, n, (o) => inc(taps, o, 1));
      eachTap(g, n, (o, i) => {
        for (let ci = 0; ci < c; ci++) inc(dx.data, i * c + ci, dy.data[o * c + ci]! / taps[o]!);
      });
      return dx;
    },
  }),
};
