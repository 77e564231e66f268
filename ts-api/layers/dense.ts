import type { Para, AnyShape } from "../algebra/para.ts";
import { seqOf } from "../algebra/compose.ts";
import type { Initialiser } from "../init/initialisers.ts";
import { type ActivationName, activationNamed } from "./activations.ts";
import { bias } from "./bias.ts";
import { linear } from "./linear.ts";
import { optionsArgument } from "../engine/errors.ts";

/**
 * dense(i, o, activation?) = linear(i, o) ; bias(o) ; activation: the lens talk's
 * dense layer, literally that composite. Parameters "weight" [i, o] and
 * "bias" [o].
 *
 * @example
 * ```ts
 * const hidden = seq(dense(4, 20, "sigmoid"), dense(20, 3, "sigmoid"));
 * ```
 *
 * @category Layers
 */
export function dense<const I extends number, const O extends number>(
  inputs: I,
  outputs: O,
  activation?: ActivationName | AnyShape<true>,
  options: { init?: Initialiser; biasInit?: Initialiser } = {},
): Para<readonly [readonly [I]], readonly [readonly [O]]> {
  optionsArgument("dense", options);
  const act = typeof activation === "string" ? activationNamed(activation) : activation;
  const parts = [linear(inputs, outputs, { init: options.init }), bias(outputs, { init: options.biasInit }), ...(act ? [act] : [])];
  const f = seqOf(parts) as Para<readonly [readonly [I]], readonly [readonly [O]]>;
  // the composite's own names: "weight" and "bias", not "0.weight" and "1.bias"
  const names = ["weight", "bias"];
  return {
    ...f,
    name: `dense(${inputs} -> ${outputs}${act ? `, ${act.name}` : ""})`,
    params: f.params.map((p, i) => ({ ...p, name: names[i]! })),
  };
}
