// The trace phase of compileZ2: run the lens's forward pass, then its reverse
// pass, on a tracing backend, with one fresh leaf node per bit of every
// parameter, input and output change, and remember the arena address of the
// wire each leaf stands for.
import type { Change, Value } from "../../algebra/category.ts";
import type { Para } from "../../algebra/para.ts";
import type { Wires } from "../../algebra/shapes.ts";
import type { BitTensor } from "../bits.ts";
import type { Z2Ops } from "../ops.ts";
import { Op, Tracer, nodesOf } from "../trace.ts";

/** The recorded graph of both passes and the values a plan may have to produce. */
export interface TracedPasses {
  readonly tracer: Tracer;
  /** The address of the wire behind each leaf node (parameters, inputs, output changes). */
  readonly leafAddress: ReadonlyMap<number, number>;
  readonly outputs: readonly Value[];
  /** Values handed to tap lenses during the forward pass, by name. */
  readonly observed: ReadonlyMap<string, Value>;
  /** Parameter and input changes; empty when `outputChanges` is null (no reverse pass). */
  readonly paramChanges: readonly Change[];
  readonly inputChanges: readonly Change[];
}

/** Traces `f` over tensors already in the arena; `outputChanges` null skips the reverse pass. */
export function traceLens(
  f: Para<Wires, Wires, Z2Ops>,
  params: readonly BitTensor[],
  inputs: readonly BitTensor[],
  outputChanges: readonly BitTensor[] | null,
): TracedPasses {
  const tracer = new Tracer();
  const leafAddress = new Map<number, number>();
  const leaves = (op: typeof Op.INPUT | typeof Op.PARAM, t: BitTensor): Value => {
    const v = tracer.leaves(op, t.shape);
    nodesOf(v).forEach((n, i) => leafAddress.set(n, t.wire(i)));
    return v;
  };
  const pv = params.map((t) => leaves(Op.PARAM, t));
  const xv = inputs.map((t) => leaves(Op.INPUT, t));
  const [outputs, residual] = f.forward(tracer, pv, xv);
  // a copy: what the forward pass handed to taps, whatever the reverse pass does
  const observed = new Map(tracer.observed);
  const [paramChanges, inputChanges] = outputChanges === null ? [[], []] : f.reverse(tracer, residual, outputChanges.map((t) => leaves(Op.INPUT, t)));
  return { tracer, leafAddress, outputs, observed, paramChanges, inputChanges };
}
