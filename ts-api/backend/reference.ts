// The float64 reference backend: every primitive as the plainest loop that
// computes it (each op's reference, in ops/), evaluated at once. Tests run
// the same lenses here and on the wasm plans and compare; its reverse passes
// are checked against finite differences. Not built for speed.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { type RealOps, backendOps, loadedOps } from "../ops/index.ts";
import type { Op } from "../ops/op.ts";
import type { RefTensor } from "../ops/ref-tensor.ts";
import { plannedReferences } from "../ops/tables.ts";

export { type RefTensor, refTensor } from "../ops/ref-tensor.ts";

/**
 * The reference backend's RealOps: values are RefTensors (shape and Float64Array data).
 *
 * @example
 * ```ts
 * const f = seq(dense(2, 2), layers.relu);
 * const p = [backends.refTensor([2, 2], [1, 0, 0, 1]), backends.refTensor([2], [0, 0])];
 * f.forward(backends.reference, p, [backends.refTensor([1, 2], [-1, 2])])[0][0]!.data;  // Float64Array [0, 2]
 * ```
 *
 * @category Backends
 */
export const reference: RealOps = new Proxy({} as RealOps, {
  // (looked up at each call: a layer loaded later registers its ops then)
  get(_, name) {
    if (name === "shape") return shape;
    const op = typeof name === "string" ? loadedOps()[name] : undefined;
    if (op === undefined) return (backendOps({}, "reference") as unknown as Record<string | symbol, unknown>)[name];
    // a planned op's reference is in its table (ops/op.ts)
    return "reference" in op ? (op as Op).reference : plannedReferences[name as keyof typeof plannedReferences];
  },
  has: (_, name) => name === "shape" || (typeof name === "string" && name in loadedOps()),
});

const shape = (v: Value): Shape => (v as unknown as RefTensor).shape;
