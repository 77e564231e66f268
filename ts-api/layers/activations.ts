// The activations by name, for options like dense(4, 3, "relu"). Each one's
// kernel, reference and reverse live together in ops/.
import type { AnyShape } from "../algebra/para.ts";
import { ParalensError, describe } from "../engine/errors.ts";
import { leakyRelu, relu, sigmoid, tanh } from "../ops/activations.ts";
import { softmax } from "../ops/softmax.ts";

export { leakyRelu, relu, sigmoid, softmax, tanh };

/**
 * The activations `dense` and the cells accept by name.
 *
 * @category Layers
 */
export type ActivationName = "sigmoid" | "tanh" | "relu" | "leakyRelu" | "softmax";

/** Looks up an activation by name. */
export function activationNamed(name: ActivationName): AnyShape<true> {
  const named = { sigmoid, tanh, relu, leakyRelu: leakyRelu(), softmax };
  // own names only: "toString" or "constructor" are not activations
  if (typeof name !== "string" || !Object.hasOwn(named, name)) {
    throw new ParalensError(`unknown activation ${typeof name === "string" ? `"${name}"` : describe(name)}; use sigmoid, tanh, relu, leakyRelu or softmax`);
  }
  return named[name];
}
