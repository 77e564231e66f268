// Activations are parameter-free lenses that take the shape they are fed
// (Poly layers): seq(dense(4, 3), sigmoid) makes sigmoid a lens [3] -> [3].
// Each keeps as residual what its reverse needs: the output for sigmoid and
// tanh (whose derivatives are functions of it), the input for the relus.
import type { Value } from "../algebra/category.ts";
import { type Poly, lens, poly } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import type { Activation } from "../backend/ops.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";

function single(name: string, dom: Wires): void {
  if (dom.length !== 1) throw new ParalensError(`${name}: acts on one wire, got ${fmtWires(dom)}`);
}

function activation(f: Activation, alpha = 0, label: string = f): Poly<true> {
  const keepOutput = f === "sigmoid" || f === "tanh";
  return poly(label, true, (dom) => {
    single(label, dom);
    return lens<Wires, Wires, Value>({
      name: label,
      dom,
      cod: dom,
      forward(k, [x]) {
        const y = k.activation(f, x!, alpha);
        return [[y], keepOutput ? y : x!];
      },
      reverse: (k, u, [dy]) => [k.activationReverse(f, u, dy!, alpha)],
    });
  });
}

/** sigmoid(x) = 1 / (1 + e^-x), elementwise. */
export const sigmoid: Poly<true> = activation("sigmoid");
/** tanh, elementwise. */
export const tanh: Poly<true> = activation("tanh");
/** relu(x) = max(x, 0), elementwise; its derivative at 0 is taken to be 0. */
export const relu: Poly<true> = activation("relu");
/** x for x > 0, alpha x otherwise. */
export function leakyRelu(alpha = 0.01): Poly<true> {
  return activation("leakyRelu", alpha, `leakyRelu(${alpha})`);
}

/** softmax over all values of each example. Reverse: dx = y (dy - <dy, y>). */
export const softmax: Poly<true> = poly("softmax", true, (dom) => {
  single("softmax", dom);
  return lens<Wires, Wires, Value>({
    name: "softmax",
    dom,
    cod: dom,
    forward(k, [x]) {
      const y = k.softmax(x!);
      return [[y], y];
    },
    reverse: (k, y, [dy]) => [k.softmaxReverse(y, dy!)],
  });
});

/** Looks up an activation by name, for options like dense(4, 3, "relu"). */
export function activationNamed(name: ActivationName): Poly<true> {
  const found = { sigmoid, tanh, relu, leakyRelu: leakyRelu(), softmax }[name];
  if (found === undefined) throw new ParalensError(`unknown activation "${name}"; use sigmoid, tanh, relu, leakyRelu or softmax`);
  return found;
}
export type ActivationName = "sigmoid" | "tanh" | "relu" | "leakyRelu" | "softmax";
