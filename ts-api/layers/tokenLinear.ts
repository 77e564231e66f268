import type { Value } from "../algebra/category.ts";
import { type AnyShape, anyShape, para } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, fmtWires, optionsArgument } from "../engine/errors.ts";
import { type Initialiser, glorotUniform, zeros } from "../init/initialisers.ts";
import { positive } from "./linear.ts";
import { bringOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps];

/**
 * tokenLinear(i, o): x W + b on the last axis of a wire [..., i], giving
 * [..., o]: the same map on every token of a sequence, as one matrix product
 * over all rows of the batch. Parameters "weight" [i, o] and (unless bias is
 * false) "bias" [o]. Reverse: dx = dy W^T, dW = x^T dy, db = the sum of dy's rows.
 *
 * @example
 * ```ts
 * const mlp = seq(layers.tokenLinear(32, 128), layers.gelu, layers.tokenLinear(128, 32));   // on [T, 32]
 * ```
 *
 * @category Layers
 */
export function tokenLinear(i: number, o: number, options: { init?: Initialiser; bias?: boolean } = {}): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("tokenLinear", options);
  positive("tokenLinear", i, o);
  const withBias = options.bias ?? true;
  const name = `tokenLinear(${i} -> ${o})`;
  return anyShape(name, false, (dom) => {
    const shape = dom[0];
    if (dom.length !== 1 || shape === undefined || shape[shape.length - 1] !== i) {
      throw new ParalensError(`${name}: takes one wire [..., ${i}], got ${fmtWires(dom)}`);
    }
    const cod = [...shape.slice(0, -1), o];
    const params = [{ name: "weight", shape: [i, o], init: options.init ?? glorotUniform, role: "parameter" as const }];
    if (withBias) params.push({ name: "bias", shape: [o], init: zeros, role: "parameter" });
    return para<Wires, Wires, { x: Value; w: Value; n: number }>({
      name,
      dom,
      cod: [cod],
      params,
      forward(ops, [w, b], [x]) {
        const n = ops.shape(x!)[0]!;
        const rows = ops.reshape(x!, [ops.shape(x!).reduce((a, c) => a * c, 1) / i, i]);
        const y = ops.matmul(rows, w!, false, false);
        return [[ops.reshape(withBias ? ops.addRowVector(y, b!) : y, [n, ...cod])], { x: rows, w: w!, n }];
      },
      reverse(ops, { x, w, n }, [dy]) {
        const g = ops.reshape(dy!, [ops.shape(x)[0]!, o]);
        const dp = [ops.matmul(x, g, true, false), ...(withBias ? [ops.sumRows(g)] : [])];
        return [dp, [ops.reshape(ops.matmul(g, w, false, true), [n, ...shape])]];
      },
    });
  });
}
