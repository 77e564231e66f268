// The checks convolution and pooling share, and the float64 reference's one
// loop over windows: every output pixel, every tap inside the image.
import type { Shape } from "../../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import type { Window2d } from "./window.ts";

/** [N, c] of an image batch that must be [N, h, w, c]. */
export function image(what: string, shape: Shape, h: number, w: number): [n: number, c: number] {
  const [n, th, tw, c] = shape;
  if (shape.length !== 4 || th !== h || tw !== w) throw new ParalensError(`${what}: expected an image batch [N, ${h}, ${w}, c], got ${fmtShape(shape)}`);
  return [n!, c!];
}

/** [c, cout] of a filter that must be [kh, kw, c, cout]. */
export function filter(what: string, shape: Shape, g: Window2d): [c: number, cout: number] {
  if (shape.length !== 4 || shape[0] !== g.kh || shape[1] !== g.kw) {
    throw new ParalensError(`${what}: expected a filter [${g.kh}, ${g.kw}, c, cout], got ${fmtShape(shape)}`);
  }
  return [shape[2]!, shape[3]!];
}

/** Calls visit(o, i, k) for every output pixel index o (of N*oh*ow), tap pixel index i in x and tap number k (ky*kw + kx) inside the image. */
export function eachTap(g: Window2d, n: number, visit: (o: number, i: number, k: number) => void): void {
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

export const inc = (a: Float64Array, i: number, v: number): void => {
  a[i] = a[i]! + v;
};
