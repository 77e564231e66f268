// An ONNX file (onnx/onnx.proto's ModelProto) read into plain objects, as
// untrusted input: every count, size and type is checked here, once, and an
// error names the node, tensor or field and the value. Only what an
// inference graph of the default domain needs is kept; a field paralens
// cannot honour (external data, subgraphs, sparse initializers) is refused
// rather than skipped.
import { ParalensError, describe } from "../../../engine/errors.ts";
import { type Field, floats, ints, readFields, text } from "./reader.ts";

/** Element types paralens reads; every value is held as float64 numbers. */
export type DType = "float" | "double" | "float16" | "int64" | "int32" | "int8" | "uint8" | "bool";
// TensorProto.DataType
const DTYPES: Record<number, DType> = { 1: "float", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "double" };
const WIDTH: Record<DType, number> = { float: 4, double: 8, float16: 2, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1 };

/** Bounds on what a file may declare, so a forged header cannot make paralens allocate or loop without end. */
export const ONNX_LIMITS = { nodes: 100_000, rank: 8, elements: 268_435_456, inputsPerNode: 64, attributes: 64, listLength: 1 << 16 };

export interface OnnxTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export type OnnxAttribute =
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "tensor"; readonly value: OnnxTensor }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly kind: "other"; readonly type: number };

export interface OnnxNode {
  /** The node's own name, or "#i <OpType>" when it has none. */
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A graph input or output: its element type and dims, a string for a symbolic dim ("batch"). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: DType | undefined;
  readonly dims: readonly (number | string)[] | undefined;
}

export interface OnnxModel {
  /** The version of the default ("" or "ai.onnx") opset. */
  readonly opset: number;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

const fail = (msg: string): never => {
  throw new ParalensError(`fromOnnx: ${msg}`);
};

/** The model in `bytes`, checked. */
export function decodeOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) fail(`expects the bytes of an .onnx file (a Uint8Array), got ${describe(bytes)}`);
  if (bytes.length === 0) fail("the file is empty");
  const model = readFields(bytes, "the model");
  let opset: number | undefined;
  let graph: Field | undefined;
  for (const f of model) {
    if (f.field === 8 && f.wire === 2) {
      const set = readFields(f.bytes, "an opset import");
      const domain = set.find((g) => g.field === 1);
      const name = domain ? text(domain, "an opset's domain") : "";
      const version = set.find((g) => g.field === 2)?.int;
      if (name === "" || name === "ai.onnx") opset = version;
    } else if (f.field === 7 && f.wire === 2) graph = f;
  }
  if (graph === undefined) fail("the file has no graph (is it an ONNX model?)");
  if (opset === undefined) fail("the file imports no version of the default opset");
  if (opset! < 7 || opset! > 22) fail(`the default opset is version ${opset}; paralens reads versions 7 to 22`);
  return { opset: opset!, ...decodeGraph(graph!.bytes) };
}

function decodeGraph(buf: Uint8Array): Omit<OnnxModel, "opset"> {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  for (const f of readFields(buf, "the graph")) {
    if (f.wire !== 2) continue;
    if (f.field === 1) {
      if (nodes.length >= ONNX_LIMITS.nodes) fail(`the graph has more than ${ONNX_LIMITS.nodes} nodes`);
      nodes.push(decodeNode(f.bytes, nodes.length));
    } else if (f.field === 5) initializers.push(decodeTensor(f.bytes, `initializer #${initializers.length}`));
    else if (f.field === 15) fail("the graph has sparse initializers, which paralens does not read");
    else if (f.field === 11) inputs.push(decodeValueInfo(f.bytes, `graph input #${inputs.length}`));
    else if (f.field === 12) outputs.push(decodeValueInfo(f.bytes, `graph output #${outputs.length}`));
  }
  return { nodes, initializers, inputs, outputs };
}

function decodeNode(buf: Uint8Array, index: number): OnnxNode {
  const fields = readFields(buf, `node #${index}`);
  const op = fields.find((f) => f.field === 4);
  const opType = op ? text(op, `node #${index}'s op type`, 128) : fail(`node #${index} has no op type`);
  const own = fields.find((f) => f.field === 3);
  const name = own && own.bytes.length > 0 ? `"${text(own, `node #${index}'s name`)}" (${opType})` : `#${index} (${opType})`;
  const domainField = fields.find((f) => f.field === 7);
  const domain = domainField ? text(domainField, `node ${name}'s domain`) : "";
  if (domain !== "" && domain !== "ai.onnx") fail(`node ${name} is of the domain "${domain}"; paralens reads the default domain only`);
  const inputs = fields.filter((f) => f.field === 1).map((f) => text(f, `an input name of node ${name}`));
  const outputs = fields.filter((f) => f.field === 2).map((f) => text(f, `an output name of node ${name}`));
  if (inputs.length > ONNX_LIMITS.inputsPerNode || outputs.length > ONNX_LIMITS.inputsPerNode) fail(`node ${name} has ${inputs.length} inputs and ${outputs.length} outputs, more than ${ONNX_LIMITS.inputsPerNode}`);
  const attributes = new Map<string, OnnxAttribute>();
  for (const f of fields.filter((g) => g.field === 5)) {
    if (attributes.size >= ONNX_LIMITS.attributes) fail(`node ${name} has more than ${ONNX_LIMITS.attributes} attributes`);
    const [key, a] = decodeAttribute(f.bytes, name);
    if (attributes.has(key)) fail(`node ${name} has the attribute "${key}" twice`);
    attributes.set(key, a);
  }
  return { name, op: opType, inputs, outputs, attributes };
}

// AttributeProto.AttributeType
const A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_TENSOR = 4, A_FLOATS = 6, A_INTS = 7, A_STRINGS = 8;

function decodeAttribute(buf: Uint8Array, node: string): [string, OnnxAttribute] {
  const fields = readFields(buf, `an attribute of node ${node}`);
  const nameField = fields.find((f) => f.field === 1);
  const name = nameField ? text(nameField, `an attribute name of node ${node}`, 256) : fail(`node ${node} has an attribute without a name`);
  const what = `attribute "${name}" of node ${node}`;
  const type = fields.find((f) => f.field === 20)?.int;
  const one = (field: number): Field => fields.find((f) => f.field === field) ?? fail(`${what} has no value`);
  const many = (field: number, read: (f: Field, what: string) => number[]): number[] => {
    const values = fields.filter((f) => f.field === field).flatMap((f) => read(f, what));
    if (values.length > ONNX_LIMITS.listLength) fail(`${what} has ${values.length} values, more than ${ONNX_LIMITS.listLength}`);
    return values;
  };
  switch (type) {
    case A_FLOAT: return [name, { kind: "float", value: floats(one(2), what)[0]! }];
    case A_INT: return [name, { kind: "int", value: one(3).int }];
    case A_STRING: return [name, { kind: "string", value: text(one(4), what) }];
    case A_TENSOR: return [name, { kind: "tensor", value: decodeTensor(one(5).bytes, what) }];
    case A_FLOATS: return [name, { kind: "floats", value: many(7, floats) }];
    case A_INTS: return [name, { kind: "ints", value: many(8, ints) }];
    case A_STRINGS: {
      // an RNN's activations: a few short names
      const all = fields.filter((f) => f.field === 9);
      if (all.length > 64) fail(`${what} has ${all.length} strings, more than 64`);
      return [name, { kind: "strings", value: all.map((f) => text(f, what, 256)) }];
    }
    default: return [name, { kind: "other", type: type ?? 0 }];
  }
}

/** A TensorProto: dims, a known element type, and exactly as many values as the dims say. */
export function decodeTensor(buf: Uint8Array, what: string): OnnxTensor {
  const fields = readFields(buf, what);
  const nameField = fields.find((f) => f.field === 8);
  const name = nameField ? text(nameField, `${what}'s name`) : "";
  const label = name ? `tensor "${name}"` : what;
  const dims = fields.filter((f) => f.field === 1).flatMap((f) => ints(f, `${label}'s dims`));
  if (dims.length > ONNX_LIMITS.rank) fail(`${label} has ${dims.length} dims, more than ${ONNX_LIMITS.rank}`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${label} has a dim ${d}, not a whole number >= 0`);
    count *= d;
  }
  if (count > ONNX_LIMITS.elements) fail(`${label} has ${count} elements, more than ${ONNX_LIMITS.elements}`);
  const code = fields.find((f) => f.field === 2)?.int ?? 0;
  const dtype = DTYPES[code] ?? fail(`${label} has element type ${code}, which paralens does not read (it reads ${Object.values(DTYPES).join(", ")})`);
  if (fields.some((f) => f.field === 13 || (f.field === 14 && f.int === 1))) fail(`${label} keeps its data in an external file; save the model with its data inside (onnx.save(model, path, save_as_external_data=False))`);
  const data = new Float64Array(count);
  const raw = fields.find((f) => f.field === 9);
  let values: number[] | undefined;
  if (raw !== undefined) {
    const width = WIDTH[dtype];
    if (raw.bytes.length !== count * width) fail(`${label} is ${dims.length ? dims.join(" x ") : "a scalar"} of ${dtype} (${count * width} bytes) but holds ${raw.bytes.length} bytes`);
    if (dtype === "float" && littleEndian()) data.set(new Float32Array(new Uint8Array(raw.bytes).buffer)); // one copy to an aligned buffer: 10x faster than a DataView per value
    else {
      const v = new DataView(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.length);
      for (let i = 0; i < count; i++) data[i] = readRaw(v, dtype, i);
    }
    return { name, dtype, dims, data };
  }
  const packed = fields.filter((f) => f.field === 4);
  if (dtype === "float" && packed.length === 1 && packed[0]!.wire === 2 && littleEndian()) {
    // one packed run, as writers store float_data: read as a whole, not value by value
    const run = packed[0]!.bytes;
    if (run.length !== 4 * count) fail(`${label} is ${dims.length ? dims.join(" x ") : "a scalar"} (${count} values) but holds ${run.length / 4}`);
    data.set(new Float32Array(new Uint8Array(run).buffer));
    return { name, dtype, dims, data };
  }
  if (dtype === "float") values = packed.flatMap((f) => floats(f, label));
  else if (dtype === "double") values = fields.filter((f) => f.field === 10).flatMap((f) => doubles(f, label));
  else if (dtype === "int64") values = fields.filter((f) => f.field === 7).flatMap((f) => ints(f, label));
  else values = fields.filter((f) => f.field === 5).flatMap((f) => ints(f, label)).map((x) => (dtype === "float16" ? halfBits(x) : x));
  if (values.length !== count) fail(`${label} is ${dims.length ? dims.join(" x ") : "a scalar"} (${count} values) but holds ${values.length}`);
  data.set(values);
  return { name, dtype, dims, data };
}

const littleEndian = (): boolean => new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function doubles(f: Field, what: string): number[] {
  if (f.wire === 1) return [new DataView(f.bytes.buffer, f.bytes.byteOffset, 8).getFloat64(0, true)];
  if (f.wire !== 2 || f.bytes.length % 8 !== 0) fail(`${what} should be 64-bit floats`);
  const v = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
  return Array.from({ length: f.bytes.length / 8 }, (_, i) => v.getFloat64(8 * i, true));
}

function readRaw(v: DataView, dtype: DType, i: number): number {
  switch (dtype) {
    case "float": return v.getFloat32(4 * i, true);
    case "double": return v.getFloat64(8 * i, true);
    case "float16": return halfBits(v.getUint16(2 * i, true));
    case "int64": return Number(v.getBigInt64(8 * i, true));
    case "int32": return v.getInt32(4 * i, true);
    case "int8": return v.getInt8(i);
    case "uint8": return v.getUint8(i);
    case "bool": return v.getUint8(i) === 0 ? 0 : 1;
  }
}

function halfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

function decodeValueInfo(buf: Uint8Array, what: string): OnnxValueInfo {
  const fields = readFields(buf, what);
  const nameField = fields.find((f) => f.field === 1);
  const name = nameField ? text(nameField, `${what}'s name`) : fail(`${what} has no name`);
  const type = fields.find((f) => f.field === 2);
  const tensorType = type && readFields(type.bytes, `the type of "${name}"`).find((f) => f.field === 1 && f.wire === 2);
  if (tensorType === undefined) return { name, dtype: undefined, dims: undefined };
  const tt = readFields(tensorType.bytes, `the tensor type of "${name}"`);
  const code = tt.find((f) => f.field === 1)?.int ?? 0;
  const shape = tt.find((f) => f.field === 2 && f.wire === 2);
  let dims: (number | string)[] | undefined;
  if (shape !== undefined) {
    dims = readFields(shape.bytes, `the shape of "${name}"`)
      .filter((f) => f.field === 1 && f.wire === 2)
      .map((f) => {
        const d = readFields(f.bytes, `a dim of "${name}"`);
        const value = d.find((g) => g.field === 1 && g.wire === 0);
        if (value !== undefined) return value.int;
        const param = d.find((g) => g.field === 2);
        return param ? text(param, `a dim of "${name}"`, 256) || "?" : "?";
      });
    if (dims.length > ONNX_LIMITS.rank) fail(`"${name}" has ${dims.length} dims, more than ${ONNX_LIMITS.rank}`);
  }
  return { name, dtype: DTYPES[code], dims };
}
