import { type AnyShape, lens, anyShape } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { type Padding, type Pair, describeWindow, imageWindow } from "../ops/conv/window.ts";
import { bringOps } from "../ops/registry.ts";
import { poolOps } from "../ops/conv/pool.ts";
import { optionsArgument } from "../engine/errors.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => poolOps];

/**
 * avgPool2d(size, {stride, padding}): the mean of each size x size window of
 * images [height, width, channels], per channel. The stride defaults to the
 * size and the padding to "valid"; with "same", a window at the border
 * averages only the taps inside the image.
 *
 * Reverse: each output's change, divided by its window's tap count, goes to
 * every tap of the window. The pass is linear, so it needs no residual.
 *
 * @example
 * ```ts
 * seq(conv2d({ filters: 8, kernel: 3, padding: "same" }), layers.relu, layers.avgPool2d(2))   // [28, 28, 1] -> [14, 14, 8]
 * ```
 *
 * @category Layers
 */
export function avgPool2d(size: Pair, options: { stride?: Pair; padding?: Padding } = {}): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("avgPool2d", options);
  const { stride = size, padding = "valid" } = options;
  const label = `avgPool2d(${describeWindow("avgPool2d", size, stride, padding)})`;
  return anyShape(label, false, (dom) => {
    const [g, c] = imageWindow(label, dom, size, stride, padding);
    return lens<Wires, Wires, null>({
      name: label,
      dom,
      cod: [[g.oh, g.ow, c]],
      forward: (ops, [x]) => [[ops.avgPool2d(x!, g)], null],
      reverse: (ops, _r, [dy]) => [ops.avgPool2dReverse(dy!, g)],
    });
  });
}
