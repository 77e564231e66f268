// ONNX's messages (onnx/onnx.proto) written with the protobuf writer: a model
// is a graph of nodes over named values, its weights as initializers (raw
// little-endian bytes), and the opset it is written against. Field numbers
// are onnx.proto's; only the fields paralens fills are written.
import type { Shape } from "../../algebra/shapes.ts";
import type { Attribute, Attributes, ElemType, TensorData } from "../../ops/onnx.ts";
import { ProtoWriter } from "./proto.ts";

export type { Attribute, Attributes, ElemType, TensorData };

// TensorProto.DataType
export const DATA_TYPE: Record<ElemType, number> = { float: 1, int64: 7, bool: 9 };

export interface NodeData {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: Shape;
}

export interface GraphData {
  readonly name: string;
  readonly nodes: readonly NodeData[];
  readonly initializers: readonly (TensorData & { readonly name: string })[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Shapes of intermediate values: ONNX Runtime checks them against its own inference. */
  readonly valueInfo: readonly ValueInfo[];
}

/** Opset 18: LayerNormalization is in (17), and every reduction takes its axes as an input. */
export const OPSET = 18;
// the IR version that opset 18 belongs to (onnx/helper.py VERSION_TABLE, ONNX 1.13)
const IR_VERSION = 8;

function tensor(t: TensorData, name?: string): ProtoWriter {
  const m = new ProtoWriter();
  for (const d of t.dims) m.int(1, d);
  m.int(2, DATA_TYPE[t.type]);
  if (name !== undefined) m.string(8, name);
  const width = t.type === "float" ? 4 : 8;
  const raw = new Uint8Array(t.values.length * width);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.values.length; i++) {
    if (t.type === "float") view.setFloat32(4 * i, t.values[i]!, true);
    else view.setBigInt64(8 * i, BigInt(t.values[i]!), true);
  }
  return m.bytes(9, raw);
}

// AttributeProto.AttributeType
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, INTS = 7;

function attribute(name: string, a: Attribute): ProtoWriter {
  const m = new ProtoWriter().string(1, name);
  if ("int" in a) return m.int(20, INT).int(3, a.int);
  if ("float" in a) return m.int(20, FLOAT).float(2, a.float);
  if ("string" in a) return m.int(20, STRING).string(4, a.string);
  if ("ints" in a) {
    m.int(20, INTS);
    for (const v of a.ints) m.int(8, v);
    return m;
  }
  return m.int(20, TENSOR).message(5, tensor(a.tensor));
}

function node(n: NodeData): ProtoWriter {
  const m = new ProtoWriter();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.op);
  for (const [name, a] of Object.entries(n.attributes)) m.message(5, attribute(name, a));
  return m;
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, DATA_TYPE[v.type]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** The bytes of a ModelProto holding the graph. */
export function encodeModel(graph: GraphData, producer: { name: string; version: string }, doc?: string): Uint8Array<ArrayBuffer> {
  const g = new ProtoWriter();
  for (const n of graph.nodes) g.message(1, node(n));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensor(t, t.name));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  for (const v of graph.valueInfo) g.message(13, valueInfo(v));
  const model = new ProtoWriter().int(1, IR_VERSION).string(2, producer.name).string(3, producer.version);
  if (doc !== undefined) model.string(6, doc);
  return model.message(7, g).message(8, new ProtoWriter().string(1, "").int(2, OPSET)).finish();
}
