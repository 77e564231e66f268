// Recording an ONNX graph: the context an op's `onnx` lowering writes nodes
// into (ops/*.ts), and the graph it leaves. Values are objects that get their
// names only when the graph is written, so outputs can take clean names and
// the nodes that feed no output are dropped first, as a compiled plan prunes
// its calls. Every node remembers the lens that was running when it was made:
// its name says so, and so does an error about it.
import type { Shape } from "../../algebra/shapes.ts";
import { type Marker, type Part, type Parts, partWithin } from "../../algebra/parts.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import type { Attributes, ElemType, OnnxContext, OnnxValue, TensorData } from "../../ops/onnx.ts";

/** A value and where it comes from. */
export class Val implements OnnxValue {
  constructor(
    readonly shape: Shape,
    readonly type: ElemType,
    readonly from:
      | { readonly kind: "input"; readonly index: number }
      | { readonly kind: "constant"; readonly data: TensorData; readonly name?: string }
      | { readonly kind: "node"; readonly node: RecordedNode }
      | { readonly kind: "unavailable"; readonly what: string },
  ) {}
}

export interface RecordedNode {
  readonly op: string;
  readonly inputs: readonly Val[];
  readonly output: Val;
  readonly attributes: Attributes;
  /** The lens that was running (innermost), for the node's name. */
  readonly lens: string;
  /** The model's layer it belongs to ("2: dense(16 -> 3)"), if the model remembers its parts. */
  readonly layer: string | undefined;
}

const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The context ops record into, with the lens stack para() reports through `within`. */
export class Recorder implements OnnxContext {
  readonly nodes: RecordedNode[] = [];
  private readonly lenses: string[] = [];
  private readonly constants = new Map<string, Val>();
  private readonly markers: Marker[] = [];

  /** `layers`: the model's layers (partsAt), which name the nodes recorded inside them. */
  constructor(private readonly layers: readonly Part[] = []) {}

  /** Notes which of a composite's parts is running (Carrier.part). */
  part<T>(parts: Parts, index: number, run: () => T): T {
    this.markers.push({ parts, index });
    const result = run();
    this.markers.pop();
    return result;
  }

  /** The innermost lens running, for names and messages. */
  get lens(): string {
    return this.lenses[this.lenses.length - 1] ?? "the model";
  }

  // no finally: an error ends the export, and this recorder with it
  within<T>(lens: string, run: () => T): T {
    this.lenses.push(lens);
    const result = run();
    this.lenses.pop();
    return result;
  }

  node(op: string, inputs: readonly OnnxValue[], shape: Shape, attributes: Attributes = {}, type: ElemType = "float"): OnnxValue {
    const ins = inputs.map((v) => {
      if (!(v instanceof Val)) throw new ParalensError(`toOnnx: ${this.lens}: ${op} was given a value that is not part of the graph`);
      if (v.from.kind === "unavailable") {
        throw new ParalensError(`toOnnx: ${this.lens} reads ${v.from.what}, which an exported inference graph does not compute`);
      }
      return v;
    });
    const part = this.layers.length > 0 ? partWithin(this.markers, this.layers) : undefined;
    const layer = part === undefined || part.path === "" ? undefined : `${part.path}: ${part.para.name}`;
    const node: { -readonly [K in keyof RecordedNode]: RecordedNode[K] } = { op, inputs: ins, attributes, lens: this.lens, layer, output: undefined! };
    node.output = new Val([...shape], type, { kind: "node", node });
    this.nodes.push(node);
    return node.output;
  }

  floats(values: ArrayLike<number>, shape: Shape): OnnxValue {
    if (values.length !== sizeOf(shape)) throw new ParalensError(`toOnnx: ${this.lens}: ${values.length} values cannot have shape ${fmtShape(shape)}`);
    const data = Float32Array.from(values);
    const make = (): Val => new Val([...shape], "float", { kind: "constant", data: { type: "float", dims: [...shape], values: data } });
    // scalars (a scale, an epsilon) repeat: one initializer each; larger constants are kept as they come
    return data.length <= 16 ? this.cached(`f${shape.join(",")}:${Array.from(data, (v) => (Object.is(v, -0) ? "-0" : v)).join(",")}`, make) : make();
  }

  /** A named f32 initializer: a model parameter. */
  parameter(name: string, values: ArrayLike<number>, shape: Shape): Val {
    return new Val([...shape], "float", { kind: "constant", name, data: { type: "float", dims: [...shape], values } });
  }

  int64s(values: ArrayLike<number>, shape: Shape = [values.length]): OnnxValue {
    // shapes and axes repeat: one initializer for each distinct list
    const list = Array.from(values);
    return this.cached(`i${shape.join(",")}:${list.join(",")}`, () => new Val([...shape], "int64", { kind: "constant", data: { type: "int64", dims: [...shape], values: list } }));
  }

  private cached(key: string, make: () => Val): Val {
    let v = this.constants.get(key);
    if (v === undefined) this.constants.set(key, (v = make()));
    return v;
  }

  reshape(x: OnnxValue, shape: Shape): OnnxValue {
    if (sizeOf(x.shape) !== sizeOf(shape)) throw new ParalensError(`toOnnx: ${this.lens}: cannot view ${fmtShape(x.shape)} as ${fmtShape(shape)}`);
    if (sameShape(x.shape, shape)) return x;
    const from = (x as Val).from;
    const source = from.kind === "node" && from.node.op === "Reshape" ? from.node.inputs[0]! : x;
    if (sameShape(source.shape, shape)) return source;
    return this.node("Reshape", [source, this.int64s(shape)], shape, {}, x.type);
  }

  transpose(x: OnnxValue, perm: readonly number[]): OnnxValue {
    const from = (x as Val).from;
    if (from.kind === "node" && from.node.op === "Transpose") {
      const inner = (from.node.attributes["perm"] as { ints: readonly number[] }).ints;
      const composed = perm.map((p) => inner[p]!);
      const source = from.node.inputs[0]!;
      return composed.every((p, i) => p === i) ? source : this.transposeNode(source, composed);
    }
    return perm.every((p, i) => p === i) ? x : this.transposeNode(x, perm);
  }

  private transposeNode(x: OnnxValue, perm: readonly number[]): OnnxValue {
    return this.node("Transpose", [x], perm.map((p) => x.shape[p]!), { perm: { ints: perm } }, x.type);
  }

  unavailable(what: string, shape: Shape): OnnxValue {
    return new Val([...shape], "float", { kind: "unavailable", what });
  }
}
