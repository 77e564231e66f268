import type { Value } from "../algebra/category.ts";
import { type Para, para } from "../algebra/para.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { type Initialiser, glorotUniform } from "../init/initialisers.ts";

/**
 * linear(i, o): x -> x W with the weight W of shape [i, o] (x is a row, so
 * this is the lens talk's M x with M = W^T). Reverse, per that talk's "obvious
 * thing that typechecks": dx = dy W^T and dW = x^T dy, summed over the batch.
 *
 * @example
 * ```ts
 * const f = layers.linear(4, 3);   // Para<[[4]], [[3]]>, parameter "weight" [4, 3]
 * ```
 *
 * @category Layers
 */
export function linear<const I extends number, const O extends number>(
  inputs: I,
  outputs: O,
  options: { init?: Initialiser } = {},
): Para<readonly [readonly [I]], readonly [readonly [O]]> {
  optionsArgument("linear", options);
  positive("linear", inputs, outputs);
  return para<readonly [readonly [I]], readonly [readonly [O]], { x: Value; w: Value }>({
    name: `linear(${inputs} -> ${outputs})`,
    dom: [[inputs]],
    cod: [[outputs]],
    params: [{ name: "weight", shape: [inputs, outputs], init: options.init ?? glorotUniform, role: "parameter" }],
    forward: (ops, [w], [x]) => [[ops.matmul(x!, w!, false, false)], { x: x!, w: w! }],
    reverse: (ops, { x, w }, [dy]) => [[ops.matmul(x, dy!, true, false)], [ops.matmul(dy!, w, false, true)]],
  });
}

export function positive(what: string, ...sizes: number[]): void {
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1) throw new ParalensError(`${what}: sizes must be whole numbers >= 1, got ${sizes.map(describe).join(", ")}`);
  }
}
