// The words an op's ONNX lowering (Op.onnx, ops/op.ts) writes in: the values
// and attributes of an ONNX graph, and the context that records nodes. The
// ops name these types; the recorder that implements OnnxContext and the
// writer of the model file are the ONNX backend (backend/onnx/).
import type { Shape } from "../algebra/shapes.ts";

/** The element types an exported graph uses: f32 values, int64 shapes and indices, bool masks. */
export type ElemType = "float" | "int64" | "bool";

export interface TensorData {
  readonly type: "float" | "int64";
  readonly dims: Shape;
  readonly values: ArrayLike<number>;
}

/** A node attribute: AttributeProto holds one of these. */
export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: TensorData };
export type Attributes = Readonly<Record<string, Attribute>>;

/** A value of the graph being recorded, as an op's ONNX lowering sees it. */
export interface OnnxValue {
  readonly shape: Shape;
  readonly type: ElemType;
}

/** What an op's ONNX lowering may use (ops/op.ts). */
export interface OnnxContext {
  /** One node of ONNX operator `op` with one output of `shape` (f32 unless `type` says otherwise). */
  node(op: string, inputs: readonly OnnxValue[], shape: Shape, attributes?: Attributes, type?: ElemType): OnnxValue;
  /** An f32 constant (an initializer). */
  floats(values: ArrayLike<number>, shape: Shape): OnnxValue;
  /** An int64 constant: a shape, axes, indices; a list unless a shape is given. */
  int64s(values: ArrayLike<number>, shape?: Shape): OnnxValue;
  /** x seen with another shape: no node when it already has that shape, and chains of views collapse to one. */
  reshape(x: OnnxValue, shape: Shape): OnnxValue;
  /** x with its axes permuted (axis i of the result is axis perm[i] of x); a transpose of a transpose is one or none. */
  transpose(x: OnnxValue, perm: readonly number[]): OnnxValue;
  /**
   * A value an inference graph does not compute (what only a reverse pass
   * reads, such as max pooling's winning taps): it is an error for a node to read it.
   */
  unavailable(what: string, shape: Shape): OnnxValue;
}
