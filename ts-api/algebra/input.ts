// Learning the input instead of the parameters (Cruttwell et al., section
// 4.3, deep dreaming): the input wire of a model P x A -> B is bent round to
// the parameter side, giving a Para I -> B with parameters A x P. Any
// optimiser lens S x A -> A then updates the input, while the model's own
// parameters sit behind `frozen`, an update lens whose reverse hands back the
// old value and ignores the change: nothing reads the model's parameter
// gradients, so a compiled plan prunes every kernel that would compute them.
import { ParalensError, describe, fmtShape, optionsArgument } from "../engine/errors.ts";
import type { Carrier, Change, Value } from "./category.ts";
import { par } from "./compose.ts";
import { type Lens, type Para, type ParamSpec, lens, paraArgument } from "./para.ts";
import type { Reparameterisation } from "./reparam.ts";
import { reparam } from "./reparam.ts";
import type { Wires } from "./shapes.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";
import type { RealOps } from "../ops/index.ts";

/**
 * Options of `inputAsParameter` and `learnInput`: how many inputs are learned at once and where they start.
 *
 * @category Composition
 */
export interface InputOptions {
  /** How many inputs are learned at once: the leading axis of the input parameter, and the batch to compile with (default 1). */
  examples?: number;
  /** The first value of the input (default zeros; write your own start into the tensor). */
  init?: Initialiser;
}

/** The names of the input parameter wires: "input" for one, "input.0", "input.1", ... for several. */
export function inputNames(count: number): string[] {
  return count === 1 ? ["input"] : Array.from({ length: count }, (_, i) => `input.${i}`);
}

/**
 * model : P x A -> B as a Para I -> B whose parameters are A x P: the input
 * wires first (each shaped [examples, ...A_i], the batch of inputs to learn),
 * then the model's own. Its reverse gives the input's gradient on the
 * parameter side. Compile it with batch = examples.
 *
 * @example
 * ```ts
 * const net = learning.inputAsParameter(dense(3, 2), { examples: 4 }); // params: input [4, 3], weight [3, 2], bias [2]
 * compile(net, { batch: 4 }).params[0];                      // the four inputs, as a parameter
 * ```
 *
 * @category Composition
 */
export function inputAsParameter<B extends Wires, K extends Carrier = RealOps>(
  model: Para<Wires, B, K>,
  options: InputOptions = {},
): Para<readonly [], B, K> {
  paraArgument("inputAsParameter", model);
  optionsArgument("inputAsParameter", options);
  const examples = options.examples ?? 1;
  if (!Number.isInteger(examples) || examples < 1) {
    throw new ParalensError(`inputAsParameter: examples must be a whole number >= 1, got ${describe(examples)}`);
  }
  const k = model.dom.length;
  const names = inputNames(k);
  const inputs: ParamSpec[] = model.dom.map((s, i) => ({ name: names[i]!, shape: [examples, ...s], init: options.init ?? zeros, role: "parameter" }));
  const clash = model.params.find((p) => names.includes(p.name));
  if (clash) throw new ParalensError(`inputAsParameter: ${model.name} already has a parameter named "${clash.name}"`);
  return {
    kind: "para",
    name: `inputAsParameter(${model.name})`,
    dom: [] as const,
    cod: model.cod,
    params: [...inputs, ...model.params],
    forward(ops, p, _x) {
      p.slice(0, k).forEach((x, i) => {
        const s = ops.shape(x);
        if (s[0] !== examples) throw new ParalensError(`inputAsParameter: input ${i} is ${fmtShape(s)}, expected ${examples} examples first`);
      });
      // the input parameter, [examples, ...A], is a batch of examples as it stands
      return model.forward(ops, p.slice(k), p.slice(0, k));
    },
    reverse(ops, residual, dy) {
      const [dp, dx] = model.reverse(ops, residual, dy);
      return [[...dx, ...dp], []];
    },
  };
}

/**
 * The update lens P -> P that keeps its parameters as they are: its forward
 * passes them to the model, its reverse returns the old values and drops the
 * change, so no kernel runs for it and no gradient is computed for it.
 *
 * @example
 * ```ts
 * reparam(dense(3, 2), frozen)   // the layer, with its weight and bias fixed
 * ```
 *
 * @category Composition
 */
export function frozen<K extends Carrier = RealOps>(params: readonly ParamSpec[]): Reparameterisation<K> {
  if (!Array.isArray(params) || !params.every((p: Partial<ParamSpec> | null) => Array.isArray(p?.shape))) throw new ParalensError(`frozen: params must be the parameter specs of a layer (reparam(f, frozen) passes them), got ${describe(params)}`);
  const shapes = params.map((p) => p.shape);
  return {
    name: "frozen",
    params,
    lens: lens<Wires, Wires, readonly Value[], K>({
      name: "frozen",
      dom: shapes,
      cod: shapes,
      forward: (_ops, p) => [[...p], p],
      reverse: (_ops, p): Change[] => [...p],
      linear: false,
      passesZeros: true,
    }),
  };
}

/**
 * The optimiser on the input wire and the model frozen: a Para I -> B whose
 * parameters are the optimiser's state and the inputs (S x A), then the
 * model's P, which no step changes. One reverse pass of a closed lens built
 * on it is one step of the optimiser on the input (deep dreaming,
 * adversarial examples).
 *
 * @example
 * ```ts
 * const model = seq(dense(4, 8, "relu"), dense(8, 3));
 * const dreamer = learning.learnInput(model, adam({ lr: 0.05 }), { examples: 10 });
 * // params: input.m, input.v, input.t, input, then the model's (frozen)
 * ```
 *
 * @category Composition
 */
export function learnInput<B extends Wires>(
  model: Para<Wires, B>,
  optimiser: (params: readonly ParamSpec[]) => Reparameterisation,
  options: InputOptions = {},
): Para<readonly [], B> {
  if (typeof optimiser !== "function") throw new ParalensError(`learnInput: the optimiser must be one (sgd(), adam(), ...), got ${describe(optimiser)}`);
  const bent = inputAsParameter(model, options);
  const k = model.dom.length;
  return reparam(bent, (params) => {
    const onInput = optimiser(params.slice(0, k));
    const fixed = frozen(params.slice(k));
    const parts = [onInput.lens, fixed.lens].filter((l) => l.dom.length > 0) as [Lens, ...Lens[]];
    return {
      name: `${onInput.name} on the input, model frozen`,
      params: [...onInput.params, ...fixed.params],
      lens: par(...parts) as Lens<Wires, Wires>,
    };
  });
}
