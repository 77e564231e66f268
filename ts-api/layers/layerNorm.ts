import { type ParamSpec, type AnyShape, anyShape } from "../algebra/para.ts";
import { diagram } from "../algebra/diagram.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import { type Initialiser, constant, zeros } from "../init/initialisers.ts";
import { elementwise, parameterised } from "../ops/binary.ts";
import { reduceMean } from "../ops/reduce.ts";
import { rsqrt, square } from "../ops/unary.ts";
import { affine } from "./affine.ts";

/**
 * Options of `layerNorm`: eps, and the learned gain and bias.
 *
 * @category Layers
 */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a gain and a bias per feature (default true). */
  affine?: boolean;
  /** Initialisers of the gain (default ones) and the bias (default zeros). */
  gainInit?: Initialiser;
  /** Initialiser of the bias (default zeros). */
  biasInit?: Initialiser;
}

/**
 * layerNorm(): normalises each example's last axis to mean 0 and variance 1,
 * y = (x - mean) / sqrt(var + eps), then (unless affine is false) y g + b
 * with parameters "gain" and "bias" of the last axis's size (Ba, Kiros and
 * Hinton, 2016). Composed from means, a difference, a square, rsqrt and
 * products: it has no kernel of its own, and its reverse is the parts'.
 *
 * @example
 * ```ts
 * const block = seq(dense(16, 32), layerNorm(), layers.relu);
 * ```
 *
 * @category Layers
 */
export function layerNorm(options: LayerNormOptions = {}): AnyShape<true> {
  optionsArgument("layerNorm", options);
  const { eps = 1e-5, affine: learned = true } = options;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new ParalensError(`layerNorm: eps must be a finite number >= 0, got ${describe(eps)}`);
  return anyShape("layerNorm", true, (dom) => {
    if (dom.length !== 1 || dom[0]!.length === 0) throw new ParalensError(`layerNorm: acts on one wire with at least one axis, got ${fmtWires(dom)}`);
    const shape = dom[0]!;
    const features = [shape[shape.length - 1]!];
    const param = (name: string, init: Initialiser): ParamSpec => ({ name, shape: features, init, role: "parameter" });
    return diagram("layerNorm", dom, (d, [x]) => {
      const mean = d.apply1(reduceMean(), [x!]);
      const centred = d.apply1(elementwise("sub", shape, mean.shape), [x!, mean]);
      const variance = d.apply1(reduceMean(), [d.apply1(square, [centred])]);
      const inverse = d.apply1(rsqrt, [d.apply1(affine(1, eps), [variance])]);
      const y = d.apply1(elementwise("mul", shape, inverse.shape), [centred, inverse]);
      if (!learned) return [y];
      const gained = d.apply1(parameterised("mul", features, param("gain", options.gainInit ?? constant(1))), [y]);
      return [d.apply1(parameterised("add", features, param("bias", options.biasInit ?? zeros)), [gained])];
    });
  });
}
