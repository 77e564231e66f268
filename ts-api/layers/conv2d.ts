import type { Value } from "../algebra/category.ts";
import { type ParamSpec, type AnyShape, para, anyShape } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import type { RealOps } from "../ops/index.ts";
import { bringOps } from "../ops/registry.ts";
import { type Padding, type Pair, type Window2d, describeWindow, imageWindow } from "../ops/conv/window.ts";
import { type Initialiser, glorotUniform, zeros } from "../init/initialisers.ts";
import { positive } from "./linear.ts";
import { convOps } from "../ops/conv/conv2d.ts";
import { wireOps } from "../ops/wires.ts";
import { optionsArgument } from "../engine/errors.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps, () => convOps];

/**
 * The options of conv2d: filters and kernel are required; stride 1, padding "valid" and a bias by default.
 *
 * @category Layers
 */
export interface Conv2dOptions {
  /** Output channels: how many filters. */
  filters: number;
  /** Kernel size: n (square) or [height, width]. */
  kernel: Pair;
  /** Default 1. */
  stride?: Pair;
  /** "valid" (default: no padding) or "same" (output size ceil(input / stride)). */
  padding?: Padding;
  /** Add a learned bias per output channel (default true). */
  bias?: boolean;
  /**
   * The filter's initialiser; default glorotUniform. Fans follow the conv
   * convention for [kh, kw, c, cout]: fanIn = kh kw c, fanOut = kh kw cout
   * (use heUniform or heNormal before relus).
   */
  init?: Initialiser;
  /** Default zeros. */
  biasInit?: Initialiser;
}

/**
 * conv2d({filters, kernel, stride, padding}): a 2-D convolution layer on
 * images [height, width, channels] (NHWC once batched), taking its input
 * shape from what feeds it. Parameters "filter" [kh, kw, c, filters] and, unless
 * bias is false, "bias" [filters]. Output [oh, ow, filters].
 *
 * Forward y = x * F + b (cross-correlation, as in deep learning). It is the
 * dense layer x -> x W + b reparameterised by the weight-tying map F -> W that
 * puts each filter tap at every position it touches (test/conv-tying.test.ts
 * checks this), so its reverse is that dense layer's reverse pulled back:
 * dx = dy * W^T (a transposed convolution), dF = the tying map's transpose
 * applied to x^T dy, db = dy summed over the batch and the pixels.
 *
 * @example
 * ```ts
 * const model = seq(conv2d({ filters: 8, kernel: 3, padding: "same" }), layers.relu, maxPool2d(2), flatten, dense(14 * 14 * 8, 10)).at([28, 28, 1]);
 * ```
 *
 * @category Layers
 */
export function conv2d(options: Conv2dOptions): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("conv2d", options);
  const { filters, kernel, stride = 1, padding = "valid", bias = true } = options;
  positive("conv2d: filters", filters);
  const win = describeWindow("conv2d", kernel, stride, padding);
  const label = `conv2d(${win} -> ${filters})`;
  return anyShape(label, false, (dom) => {
    const [g, c] = imageWindow(label, dom, kernel, stride, padding);
    const params: ParamSpec[] = [{ name: "filter", shape: [g.kh, g.kw, c, filters], init: options.init ?? glorotUniform, role: "parameter" }];
    if (bias) params.push({ name: "bias", shape: [filters], init: options.biasInit ?? zeros, role: "parameter" });
    return para<Wires, Wires, { x: Value; f: Value; cols: Value }>({
      name: `conv2d(${win}, ${c} -> ${filters})`,
      dom,
      cod: [[g.oh, g.ow, filters]],
      params,
      forward(ops, [f, b], [x]) {
        const [y, cols] = ops.conv2d(x!, f!, g);
        return [[b ? addBias(ops, y, b, g, filters) : y], { x: x!, f: f!, cols }];
      },
      reverse(ops, { x, f, cols }, [dy]) {
        const df = ops.conv2dFilterGrad(x, dy!, g, cols);
        const dx = ops.conv2dInputGrad(dy!, f, g);
        if (!bias) return [[df], [dx]];
        const rows = ops.shape(dy!)[0]! * g.oh * g.ow;
        return [[df, ops.sumRows(ops.reshape(dy!, [rows, filters]))], [dx]];
      },
    });
  });
}

// the bias is a row vector added to every pixel: y seen as (N oh ow) x cout
function addBias(ops: RealOps, y: Value, b: Value, g: Window2d, cout: number): Value {
  const shape = ops.shape(y);
  const rows = shape[0]! * g.oh * g.ow;
  return ops.reshape(ops.addRowVector(ops.reshape(y, [rows, cout]), b), shape);
}
