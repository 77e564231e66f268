import type { Value } from "../algebra/category.ts";
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
 * maxPool2d(size, {stride, padding}): the maximum of each size x size window
 * of images [height, width, channels], per channel. The stride defaults to
 * the size (windows side by side) and the padding to "valid" (a remainder
 * row or column that does not fill a window is dropped, as in Cruttwell et
 * al.'s reference implementation); with "same", windows are clipped to the image.
 *
 * Reverse: each output's change goes to the tap its maximum came from (the
 * first such tap in the window on ties); the forward pass records those taps
 * as its residual, so the reverse pass reads neither x nor y again.
 *
 * @example
 * ```ts
 * seq(conv2d({ filters: 8, kernel: 3 }), layers.relu, maxPool2d(2))   // [28, 28, 1] -> [13, 13, 8]
 * ```
 *
 * @category Layers
 */
export function maxPool2d(size: Pair, options: { stride?: Pair; padding?: Padding } = {}): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("maxPool2d", options);
  const { stride = size, padding = "valid" } = options;
  const label = `maxPool2d(${describeWindow("maxPool2d", size, stride, padding)})`;
  return anyShape(label, false, (dom) => {
    const [g, c] = imageWindow(label, dom, size, stride, padding);
    return lens<Wires, Wires, Value>({
      name: label,
      dom,
      cod: [[g.oh, g.ow, c]],
      forward(ops, [x]) {
        const [y, arg] = ops.maxPool2d(x!, g);
        return [[y], arg];
      },
      reverse: (ops, arg, [dy]) => [ops.maxPool2dReverse(arg, dy!, g)],
    });
  });
}
