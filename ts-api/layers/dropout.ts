import type { Value } from "../algebra/category.ts";
import { type AnyShape, anyShape, lens } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import { bringOps } from "../ops/registry.ts";
import { attentionOps } from "../ops/attention.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => attentionOps];

/**
 * dropout(rate, seed): in a training plan, each value is zeroed with
 * probability `rate` and the rest scaled by 1 / (1 - rate) (inverted dropout,
 * Srivastava et al., 2014); the reverse multiplies the change by the same
 * mask. The mask is a hash of (seed, step, index), a new one each time the
 * plan's forward pass runs, the same bits in every engine. A compiled plan
 * knows it is training when it plans a reverse pass: `compile` with
 * `changes: "params"` or `"all"` (what learners train with); with
 * `changes: "none"` (prediction, evaluation) dropout is the identity and
 * costs nothing.
 *
 * @example
 * ```ts
 * const block = seq(dense(64, 64, "relu"), layers.dropout(0.1, 7));
 * ```
 *
 * @category Layers
 */
export function dropout(rate: number, seed = 0): AnyShape<true> {
  bringOps(OPS);
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) throw new ParalensError(`dropout: rate must be in [0, 1), got ${describe(rate)}`);
  if (!Number.isInteger(seed)) throw new ParalensError(`dropout: seed must be a whole number, got ${describe(seed)}`);
  return anyShape(`dropout(${rate})`, true, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`dropout(${rate}): acts on one wire, got ${fmtWires(dom)}`);
    return lens<Wires, Wires, Value | null>({
      name: `dropout(${rate})`,
      dom,
      cod: dom,
      forward(ops, [x]) {
        const dropped = rate === 0 ? null : ops.dropout(x!, rate, seed);
        return dropped === null ? [[x!], null] : [[dropped[0]], dropped[1]];
      },
      reverse: (ops, mask, [dy]) => [mask === null ? dy! : ops.mul(dy!, mask)],
    });
  });
}
