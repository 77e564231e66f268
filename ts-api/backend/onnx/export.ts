// A model's inference graph as an ONNX file. The exporter is a third backend
// built from the op registry, beside the wasm planner and the float64
// reference: each op's ONNX lowering (ops/*.ts) writes its nodes, the
// model's forward pass runs once on it, the parameters become initializers,
// and what feeds no output is dropped. An op without a lowering, or a lens
// that reads what inference does not compute, stops the export with an error
// that names the lens.
import type { Value } from "../../algebra/category.ts";
import type { Para } from "../../algebra/para.ts";
import { partsAt } from "../../algebra/parts.ts";
import type { Wires } from "../../algebra/shapes.ts";
import { ParalensError, describe, fmtShape, optionsArgument } from "../../engine/errors.ts";
import type { Op } from "../../ops/op.ts";
import { type RealOps, loadedOps } from "../../ops/index.ts";
import { plannedLowerings } from "../../ops/tables.ts";
import { Recorder, Val } from "./graph.ts";
import { type GraphData, type NodeData, type ValueInfo, encodeModel } from "./model.ts";

/**
 * How toOnnx writes a model: the batch size fixed in the graph, where the parameters come from, the graph's name.
 *
 * @category IO
 */
export interface OnnxOptions {
  /** Examples per run: the first axis of the graph's inputs and outputs. */
  batch: number;
  /** The parameters by name (learner.parameters()); a learner passed as the model gives its own. */
  parameters?: Readonly<Record<string, ArrayLike<number>>>;
  /** The graph's name (default: the model's). */
  name?: string;
}

/**
 * A learner, or anything with a model and its parameters by name.
 *
 * @category IO
 */
export interface WithParameters {
  /** The model whose inference graph is written. */
  readonly model: Para<Wires, Wires>;
  /** Its parameters by name. */
  parameters(): Readonly<Record<string, ArrayLike<number>>>;
}

// Carrier members a lens may look for that are not ops: anything else a lens
// asks for (a Z2 gate, say) is not an operation of the reals.
const CARRIER = new Set(["shape", "add", "zeros", "observe", "within", "part"]);

/** The exporting backend: every primitive's `onnx` lowering, recording into `g`. */
function onnxOps(g: Recorder): RealOps {
  const methods = Object.fromEntries(
    Object.entries(loadedOps()).map(([name, op]) => {
      // a planned op's lowering is in its table (ops/op.ts)
      const lower = "reference" in op ? (op as Op).onnx : plannedLowerings[name as keyof typeof plannedLowerings];
      const method = lower
        ? (...args: unknown[]) => lower(g, ...(args as never[]))
        : () => {
            throw new ParalensError(`toOnnx: ${g.lens} uses the op "${name}", which has no ONNX lowering`);
          };
      return [name, method];
    }),
  );
  const ops = { ...methods, shape: (v: Value) => (v as unknown as Val).shape, within: g.within.bind(g), part: g.part.bind(g) };
  return new Proxy(ops, {
    get(target, key) {
      if (typeof key === "string" && !(key in target) && !CARRIER.has(key)) {
        return () => {
          throw new ParalensError(`toOnnx: ${g.lens} calls "${key}", which is not an operation of the reals`);
        };
      }
      return (target as Record<string | symbol, unknown>)[key];
    },
  }) as unknown as RealOps;
}

const PRODUCER = { name: "paralens", version: "0.1.0" };

/**
 * The inference graph of a model as the bytes of an ONNX file (opset 18), for
 * a fixed batch size: inputs "input" (or "input0", "input1", ...) of shape
 * [batch, ...dom], outputs "output" (or "output0", ...), parameters as
 * initializers under their own names. Images stay NHWC at the graph's edges.
 *
 * @example
 * ```ts
 * const learner = supervised(seq(dense(4, 8, "relu"), dense(8, 3)), { loss: softmaxCrossEntropy });
 * const bytes = toOnnx(learner, { batch: 1 });   // write it to a .onnx file: it runs in ONNX Runtime
 * ```
 *
 * @category IO
 */
export function toOnnx(model: Para<Wires, Wires> | WithParameters, options: OnnxOptions): Uint8Array<ArrayBuffer> {
  optionsArgument("toOnnx", options);
  if (typeof model !== "object" || model === null) throw new ParalensError(`toOnnx: the model must be a layer of fixed shape or a learner, got ${describe(model)}`);
  const isLearner = "parameters" in model && typeof model.parameters === "function";
  const para = isLearner ? model.model : (model as Para<Wires, Wires>);
  if ((para as { kind: string }).kind !== "para") {
    throw new ParalensError(`toOnnx: ${para.name} takes the shape it is fed; export it at an input shape, e.g. ${para.name}.at([28, 28, 1])`);
  }
  const { batch } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`toOnnx: batch must be a whole number >= 1, got ${describe(batch)}`);
  const values = options.parameters ?? (isLearner ? model.parameters() : undefined);
  if (values === undefined && para.params.length > 0) {
    throw new ParalensError(`toOnnx: ${para.name} has parameters; pass them as options.parameters (e.g. learner.parameters()) or pass the learner`);
  }
  const g = new Recorder(partsAt(para, 1));
  const params = para.params.map((p) => {
    // own names only: a parameter named "constructor" is not Object's
    const v = values !== undefined && Object.hasOwn(values, p.name) ? values[p.name] : undefined;
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (v === undefined) throw new ParalensError(`toOnnx: missing parameter "${p.name}" of ${para.name}`);
    if (v.length !== size) throw new ParalensError(`toOnnx: parameter "${p.name}" is ${fmtShape(p.shape)} (${size} values), got ${v.length}`);
    return g.parameter(p.name, v, p.shape);
  });
  const known = new Set(para.params.map((p) => p.name));
  for (const name of Object.keys(values ?? {})) if (!known.has(name)) throw new ParalensError(`toOnnx: ${para.name} has no parameter "${name}"`);

  const inputs = para.dom.map((s, index) => new Val([batch, ...s], "float", { kind: "input", index }));
  const [ys] = para.forward(onnxOps(g), params as unknown as Value[], inputs as unknown as Value[]);
  return encodeModel(graphOf(g, options.name ?? para.name, para.params.map((p) => p.name), inputs, ys as unknown as Val[]), PRODUCER, `${para.name}, batch ${batch}`);
}

const numbered = (base: string, count: number, i: number): string => (count === 1 ? base : `${base}${i}`);

/** The recorded nodes that feed the outputs, named, with their initializers. */
function graphOf(g: Recorder, name: string, parameters: readonly string[], inputs: readonly Val[], outputs: readonly Val[]): GraphData {
  const names = new Map<Val, string>();
  inputs.forEach((v, i) => names.set(v, numbered("input", inputs.length, i)));
  // an output that is not a node's own (an input, a constant, or a value given twice) is copied by an Identity node
  const claimed = new Set<Val>();
  const ends = outputs.map((v, i) => {
    const outName = numbered("output", outputs.length, i);
    const own = v.from.kind === "node" && !claimed.has(v);
    claimed.add(v);
    const end = own ? v : (g.node("Identity", [v], v.shape, {}, v.type) as Val);
    names.set(end, outName);
    return end;
  });

  // keep the nodes that an output depends on, in recording order (which is topological)
  const live = new Set<Val>(ends);
  const kept = [...g.nodes]
    .reverse()
    .filter((n) => {
      if (!live.has(n.output)) return false;
      for (const v of n.inputs) live.add(v);
      return true;
    })
    .reverse();

  // parameters keep their names; generated names ("matmul3", "const7") avoid them
  const taken = new Set([...names.values(), ...parameters]);
  for (const p of parameters) if ([...names.values()].includes(p)) throw new ParalensError(`toOnnx: a parameter is named "${p}", as an input or output of the graph is`);
  const initializers: GraphData["initializers"][number][] = [];
  const valueInfo: ValueInfo[] = [];
  let count = 0;
  const fresh = (base: string): string => {
    let n = `${base}${count++}`;
    while (taken.has(n)) n = `${base}${count++}`;
    taken.add(n);
    return n;
  };
  const nameOf = (v: Val): string => {
    let n = names.get(v);
    if (n !== undefined) return n;
    if (v.from.kind === "constant") {
      n = v.from.name ?? fresh("const");
      initializers.push({ ...v.from.data, name: n });
    } else if (v.from.kind === "node") {
      n = fresh(v.from.node.op.toLowerCase());
      valueInfo.push({ name: n, type: v.type, shape: v.shape });
    } else throw new ParalensError(`toOnnx: an unnamed value of shape ${fmtShape(v.shape)}`);
    names.set(v, n);
    return n;
  };
  const nodes: NodeData[] = kept.map((n, i) => ({
    op: n.op,
    name: `${n.layer === undefined ? "" : `${n.layer}/`}${n.lens}/${n.op}#${i}`,
    inputs: n.inputs.map(nameOf),
    outputs: [nameOf(n.output)],
    attributes: n.attributes,
  }));
  const info = (v: Val): ValueInfo => ({ name: names.get(v)!, type: v.type, shape: v.shape });
  return { name, nodes, initializers, inputs: inputs.map(info), outputs: ends.map(info), valueInfo };
}
