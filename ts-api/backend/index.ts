import { reference, refTensor } from "./reference.ts";
import { compile, initParams } from "./compile.ts";

/**
 * Where a model runs: the float64 reference backend (the oracle of the tests),
 * and compiled plans on the WebAssembly core with their parameters.
 *
 * @example
 * ```ts
 * const model = dense(2, 1);
 * const p = [backends.refTensor([2, 1], [1, 1]), backends.refTensor([1], [0])];
 * model.forward(backends.reference, p, [backends.refTensor([1, 2], [3, 4])])[0][0]!.data;  // Float64Array [7]
 * const plan = backends.compile(model, { batch: 1, params: backends.initParams(model, 7) });
 * plan.dispose();
 * ```
 *
 * @namespace
 * @category Backends
 */
export const backends = {
  reference, refTensor, compile, initParams,
} as const;
