// Weight clipping (Arjovsky, Chintala & Bottou 2017, the original WGAN) as a
// lens on the parameter wire: the model sees every parameter clipped to
// [-c, c], so a critic stays Lipschitz; the reverse pass hands the change on
// unchanged to the optimiser above it (a straight-through reverse: the clip's
// own derivative is zero outside the box, which would stop those weights for
// good).
import { lens } from "../algebra/para.ts";
import type { ParamSpec } from "../algebra/para.ts";
import type { Reparameterisation } from "../algebra/reparam.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, describe } from "../engine/errors.ts";

/**
 * The reparameterisation P -> P that clips every parameter to [-c, c].
 *
 * @example
 * ```ts
 * const critic = seq(dense(2, 8, "relu"), dense(8, 1));
 * reparam(reparam(critic, optimisers.clipParameters(0.01)), optimisers.ascend(optimisers.rmsprop({ lr: 5e-5 })));   // clipped and ascending, as a WGAN critic
 * ```
 *
 * @category Optimisers
 */
export function clipParameters(c: number): (params: readonly ParamSpec[]) => Reparameterisation {
  if (typeof c !== "number" || !(c > 0) || !Number.isFinite(c)) throw new ParalensError(`clipParameters: c must be a finite number > 0, got ${describe(c)}`);
  return (params) => {
    const shapes = params.map((p) => p.shape);
    return {
      name: `clip(${c})`,
      params,
      lens: lens<Wires, Wires, null>({
        name: `clip(${c})`,
        dom: shapes,
        cod: shapes,
        forward: (ops, ps) => [ps.map((p) => ops.minimum(ops.maximum(p, ops.fill(ops.shape(p), -c)), ops.fill(ops.shape(p), c))), null],
        reverse: (_ops, _r, dps) => [...dps],
        passesZeros: true,
      }),
    };
  };
}
