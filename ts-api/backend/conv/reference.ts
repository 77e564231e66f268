// Convolution and pooling in the float64 reference backend: the definitions
// written out as the plainest loops over every output and every tap, with no
// im2col and no blocking, so the wasm kernels are checked against the formula
// itself. Max pooling's `arg` holds the flat index in x of each chosen tap.
import type { Value } from "../../algebra/category.ts";
import type { Shape } from "../../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import type { RealOps } from "../ops.ts";
import type { RefTensor } from "../reference.ts";
import type { Window2d } from "./window.ts";

const R = (v: Value): RefTensor => v as unknown as RefTensor;
const V = (t: RefTensor): Value => t as unknown as Value;
const inc = (a: Float64Array, i: number, v: number): void => {
  a[i] = a[i]! + v;
};
const make = (shape: Shape): RefTensor => ({ shape: [...shape], data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });

/** [N, c] of an image batch that must be [N, h, w, c] for the window g. */
function image(what: string, t: RefTensor, h: number, w: number): [number, number] {
  const [n, th, tw, c] = t.shape;
  if (t.shape.length !== 4 || th !== h || tw !== w) throw new ParalensError(`${what}: expected [N, ${h}, ${w}, c], got ${fmtShape(t.shape)}`);
  return [n!, c!];
}

/** Calls visit(o, i, k) for every output pixel index o (of N*oh*ow), tap index i in x (pixel) and tap number k (ky*kw + kx) inside the image. */
function eachTap(g: Window2d, n: number, visit: (o: number, i: number, k: number) => void): void {
  for (let img = 0; img < n; img++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const o = (img * g.oh + oy) * g.ow + ox;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh + ky - g.pt;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw + kx - g.pl;
            if (ix < 0 || ix >= g.w) continue;
            visit(o, (img * g.h + iy) * g.w + ix, ky * g.kw + kx);
          }
        }
      }
    }
  }
}

function filterShape(what: string, f: RefTensor, g: Window2d, c: number): number {
  const [kh, kw, fc, cout] = f.shape;
  if (f.shape.length !== 4 || kh !== g.kh || kw !== g.kw || (c >= 0 && fc !== c)) {
    throw new ParalensError(`${what}: expected a filter [${g.kh}, ${g.kw}, ${c >= 0 ? c : "c"}, cout], got ${fmtShape(f.shape)}`);
  }
  return cout!;
}

export const convReference: Pick<
  RealOps,
  "conv2d" | "conv2dInputGrad" | "conv2dFilterGrad" | "maxPool2d" | "maxPool2dReverse" | "avgPool2d" | "avgPool2dReverse"
> = {
  conv2d(xv, fv, g) {
    const [x, f] = [R(xv), R(fv)];
    const [n, c] = image("conv2d", x, g.h, g.w);
    const cout = filterShape("conv2d", f, g, c);
    const y = make([n, g.oh, g.ow, cout]);
    eachTap(g, n, (o, i, k) => {
      for (let ci = 0; ci < c; ci++) {
        for (let co = 0; co < cout; co++) inc(y.data, o * cout + co, x.data[i * c + ci]! * f.data[(k * c + ci) * cout + co]!);
      }
    });
    return V(y);
  },
  conv2dInputGrad(dyv, fv, g) {
    const [dy, f] = [R(dyv), R(fv)];
    const [n, cout] = image("conv2d reverse", dy, g.oh, g.ow);
    if (filterShape("conv2d reverse", f, g, -1) !== cout) throw new ParalensError(`conv2d reverse: ${fmtShape(dy.shape)} does not fit filter ${fmtShape(f.shape)}`);
    const c = f.shape[2]!;
    const dx = make([n, g.h, g.w, c]);
    eachTap(g, n, (o, i, k) => {
      for (let ci = 0; ci < c; ci++) {
        for (let co = 0; co < cout; co++) inc(dx.data, i * c + ci, dy.data[o * cout + co]! * f.data[(k * c + ci) * cout + co]!);
      }
    });
    return V(dx);
  },
  conv2dFilterGrad(xv, dyv, g) {
    const [x, dy] = [R(xv), R(dyv)];
    const [n, c] = image("conv2d filter gradient", x, g.h, g.w);
    const [, cout] = image("conv2d filter gradient", dy, g.oh, g.ow);
    const df = make([g.kh, g.kw, c, cout!]);
    eachTap(g, n, (o, i, k) => {
      for (let ci = 0; ci < c; ci++) {
        for (let co = 0; co < cout!; co++) inc(df.data, (k * c + ci) * cout! + co, x.data[i * c + ci]! * dy.data[o * cout! + co]!);
      }
    });
    return V(df);
  },
  maxPool2d(xv, g) {
    const x = R(xv);
    const [n, c] = image("maxPool2d", x, g.h, g.w);
    const y = make([n, g.oh, g.ow, c]);
    const arg = make([n, g.oh, g.ow, c]).data.fill(-1);
    eachTap(g, n, (o, i, _k) => {
      for (let ci = 0; ci < c; ci++) {
        const v = x.data[i * c + ci]!;
        const best = arg[o * c + ci]!;
        // the first tap, then any larger one; NaN wins (as in the kernel)
        if (best < 0 || v > x.data[best]! || Number.isNaN(v)) arg[o * c + ci] = i * c + ci;
      }
    });
    arg.forEach((a, j) => (y.data[j] = x.data[a]!));
    return [V(y), V({ shape: y.shape, data: arg })];
  },
  maxPool2dReverse(argv, dyv, g) {
    const [arg, dy] = [R(argv), R(dyv)];
    const [n, c] = image("maxPool2d reverse", dy, g.oh, g.ow);
    const dx = make([n, g.h, g.w, c]);
    arg.data.forEach((a, j) => inc(dx.data, a, dy.data[j]!));
    return V(dx);
  },
  avgPool2d(xv, g) {
    const x = R(xv);
    const [n, c] = image("avgPool2d", x, g.h, g.w);
    const y = make([n, g.oh, g.ow, c]);
    const taps = new Float64Array(n * g.oh * g.ow);
    eachTap(g, n, (o, i) => {
      inc(taps, o, 1);
      for (let ci = 0; ci < c; ci++) inc(y.data, o * c + ci, x.data[i * c + ci]!);
    });
    y.data.forEach((s, j) => (y.data[j] = s / taps[Math.floor(j / c)]!));
    return V(y);
  },
  avgPool2dReverse(dyv, g) {
    const dy = R(dyv);
    const [n, c] = image("avgPool2d reverse", dy, g.oh, g.ow);
    const dx = make([n, g.h, g.w, c]);
    const taps = new Float64Array(n * g.oh * g.ow);
    eachTap(g, n, (o) => inc(taps, o, 1));
    eachTap(g, n, (o, i) => {
      for (let ci = 0; ci < c; ci++) inc(dx.data, i * c + ci, dy.data[o * c + ci]! / taps[o]!);
    });
    return V(dx);
  },
};
