// What the lens algebra needs from a base category. The combinators (seq,
// par, wire, reparam) use only this; each base category adds its primitive
// operations on top (RealOps for the reals, Z2 circuits for Booleans), and
// each backend (compiled wasm plans, float64 reference) implements them.
import type { Parts } from "./parts.ts";
import type { Shape } from "./shapes.ts";

declare const valueBrand: unique symbol;

/**
 * A value on a wire, as the backend running the lens represents it: a wasm
 * tensor handle, a float64 array, a bit-sliced word array. Lenses never look
 * inside; they pass values to the backend's operations.
 *
 * @category Types
 */
export interface Value {
  readonly [valueBrand]: true;
}

/**
 * A change (a reverse-pass value); null is the zero change, which costs nothing to pass around.
 *
 * @category Types
 */
export type Change = Value | null;

/**
 * What a backend gives every lens, whatever its base category: shapes of values, the sum that reverses copying, zeros. RealOps (f32/f64 tensors) and Z2Ops (bit-packed circuits) extend it.
 *
 * @category Types
 */
export interface Carrier {
  /** The full shape of a value, batch axis included where the wire has one. */
  shape(v: Value): Shape;
  /** Pointwise sum: the reverse of copying a wire. */
  add(a: Value, b: Value): Value;
  /** The zero of a full shape: what a discarded wire's reverse sends back. */
  zeros(shape: Shape): Value;
  /** Called by tap lenses on the forward pass; backends may record the value under the name. */
  observe?(name: string, v: Value): void;
  /** Called by para() around a primitive lens's forward pass; backends may name what they record after it (ONNX nodes, errors). */
  within?<T>(lens: string, run: () => T): T;
  /** Called by composites (seq, par, diagram) around the forward pass of their part `index`; backends may note which part of a model a call belongs to (toSVG's boxes). */
  part?<T>(parts: Parts, index: number, run: () => T): T;
}
