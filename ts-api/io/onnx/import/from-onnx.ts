// An ONNX file as a Para: the graph's initializers become parameters under
// their own names, and its nodes a tape of paralens ops (rules/), so the
// imported model runs on the planner, the float64 reference and the ONNX
// exporter, and trains, like any other lens. Shapes are checked and every
// value computable from constants and shapes alone is folded when the file is
// read; the batch axis stays symbolic, as a Para's wires are per example.
import type { Value } from "../../../algebra/category.ts";
import { type Para, type ParamSpec, para } from "../../../algebra/para.ts";
import type { Shape, Wires } from "../../../algebra/shapes.ts";
import { ParalensError, describe } from "../../../engine/errors.ts";
import { type OnnxModel, type OnnxNode, decodeOnnx } from "./decode.ts";
import { type Known, type Live, isFloat, known } from "./known.ts";
import { MIN_INPUTS, STATIC_INPUTS, rules } from "./rules/index.ts";
import { Ctx, type Rule, type Step } from "./rules/rule.ts";
import { nchw } from "./rules/elementwise.ts";
import { Tape, Tv, sameShape } from "./tape.ts";
import { describeShape } from "./view.ts";

/**
 * How fromOnnx reads a file.
 *
 * @category IO
 */
export interface FromOnnxOptions {
  /** Parameters kept fixed: they stay parameters (saved, exported) but their change is always zero. */
  readonly frozen?: readonly string[];
  /** Initializers folded into the graph as constants instead of becoming parameters. */
  readonly constants?: readonly string[];
  /** The Para's name (default: "onnx(<graph inputs> -> <outputs>)"). */
  readonly name?: string;
}

/**
 * The ONNX ops fromOnnx imports, sorted.
 *
 * @example
 * ```ts
 * onnxImports().includes("Conv");  // true
 * ```
 *
 * @category IO
 */
export function onnxImports(): string[] {
  return Object.keys(rules()).sort();
}

interface Planned {
  readonly node: OnnxNode;
  readonly rule: Rule;
  readonly step: Step;
}

/**
 * A trainable Para from the bytes of an ONNX file (opset 7 to 22; what
 * torch.onnx.export writes for MLPs, CNNs, transformer layers, LSTMs and GRUs). The
 * graph's first input axis is the batch (named or a number); the Para's wires
 * are the rest. Float initializers become parameters under their file names
 * (ONNX's layout: a Gemm weight is [out, in]), except those read only as
 * shapes, axes or the statistics of batch normalization in inference mode
 * (folded). Batch normalization in training mode (training_mode = 1, what
 * torch.onnx.export writes with TrainingMode.TRAINING) is the batchNorm
 * layer: its running statistics are parameters of role "statistic", which a
 * learner's step moves as PyTorch's forward pass in train mode does. A
 * malformed file or an op paralens does not import is a ParalensError naming
 * the node.
 *
 * @example
 * ```ts
 * const bytes = toOnnx(supervised(seq(dense(4, 8, "relu"), dense(8, 3)), { loss: mse }), { batch: 1 }); // or torch.onnx.export's file
 * const model = fromOnnx(bytes, { frozen: ["0.weight"] });
 * const learner = supervised(model, { loss: mse, optimiser: adam() });
 * learner.setParameters(onnxParameters(bytes));                  // the file's weights
 * ```
 *
 * @category IO
 */
export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): Para<Wires, Wires> {
  const model = decodeOnnx(bytes);
  const frozen = nameSet(options.frozen, "frozen");
  const constants = nameSet(options.constants, "constants");
  const inits = new Map<string, Known>();
  for (const t of model.initializers) {
    if (t.name === "") throw new ParalensError("fromOnnx: an initializer has no name");
    if (inits.has(t.name)) throw new ParalensError(`fromOnnx: the initializer "${t.name}" is given twice`);
    inits.set(t.name, known(t.dtype, t.dims, t.data));
  }
  for (const name of [...frozen, ...constants]) if (!inits.has(name)) throw new ParalensError(`fromOnnx: options name "${name}", which is not an initializer of the file (it has ${[...inits.keys()].map((k) => `"${k}"`).join(", ") || "none"})`);

  const nodes = topological(model);
  const parameters = model.initializers.filter((t) => isFloat(t.dtype) && !constants.has(t.name) && readAsData(t.name, nodes));
  const statistics = statisticsOf(nodes, parameters.map((t) => t.name));
  for (const name of frozen) if (!parameters.some((p) => p.name === name)) throw new ParalensError(`fromOnnx: "${name}" is frozen but is not a parameter (it is read only as a shape or a statistic, or named in constants)`);

  const dataInputs = model.inputs.filter((i) => !inits.has(i.name));
  if (dataInputs.length === 0) throw new ParalensError("fromOnnx: the graph has no input that is not an initializer");
  let batchHint: number | undefined;
  const dom = dataInputs.map((input) => {
    const dims = input.dims ?? fail(`the graph input "${input.name}" has no shape`);
    // whole-number inputs (token ids) are fed as floats, as paralens's embeddings take them
    if (input.dtype !== undefined && input.dtype !== "float" && input.dtype !== "double" && input.dtype !== "int64" && input.dtype !== "int32") fail(`the graph input "${input.name}" is of type ${input.dtype}; paralens feeds floats or token ids`);
    if (dims.length === 0) fail(`the graph input "${input.name}" is a scalar; paralens needs a batch axis first`);
    if (typeof dims[0] === "number" && dims[0] > 0) batchHint = dims[0];
    const rest = dims.slice(1);
    if (rest.some((d) => typeof d !== "number" || d < 1)) fail(`the graph input "${input.name}" is [${dims.join(", ")}]: every axis after the batch must be a fixed size`);
    return rest as number[];
  });

  const values = new Map<string, Known | Live>();
  const defined = (name: string, what: string): void => {
    if (values.has(name)) fail(`${what} "${name}" is defined twice`);
  };
  for (const [name, k] of inits) values.set(name, k);
  for (const p of parameters) values.set(p.name, { kind: "live", shape: [...p.dims], batched: false });
  dataInputs.forEach((input, i) => {
    defined(input.name, "the graph input");
    values.set(input.name, { kind: "live", shape: dom[i]!, batched: true, fed: true });
  });

  const planned: Planned[] = [];
  const uncomputed = new Map<string, () => never>();
  for (const node of nodes) {
    const n = new Ctx(node, model.opset, batchHint);
    const rule = rules()[node.op] ?? n.fail(`the op ${node.op} is not supported; paralens imports ${onnxImports().join(", ")}`);
    for (const name of node.inputs) if (uncomputed.has(name)) uncomputed.get(name)!();
    const xs = node.inputs.map((name) => (name === "" ? undefined : values.get(name)));
    const needs = MIN_INPUTS[node.op] ?? 1;
    if (xs.slice(0, needs).some((x) => x === undefined) || xs.length < needs) n.fail(`needs ${needs} input(s), got ${xs.filter((x) => x !== undefined).length}`);
    if (node.outputs.length === 0) n.fail("has no outputs");
    const allKnown = xs.every((x) => x === undefined || x.kind === "known");
    let outs: readonly (Known | Live)[] = [];
    try {
      if (rule.fold && (allKnown || node.op === "Shape") && !(allKnown && rule.perExample?.(xs as Known[]))) outs = rule.fold(n, xs as Known[]);
      else if (rule.live) {
        const moved = xs.find((x) => x?.kind === "live" && x.view !== undefined) as Live | undefined;
        if (moved && !rule.views) n.fail(`reads ${n.shapeOf(moved)}, a value whose batch axis the graph moved from first (a Transpose or Reshape of it); paralens follows such values through ${Object.keys(rules()).filter((k) => rules()[k]!.views).sort().join(", ")} only`);
        const step = rule.live(n, xs);
        planned.push({ node, rule, step });
        outs = step.outputs;
      } else n.fail(`needs every input known when the file is read (a constant, or computed from shapes), but some depend on the model's input`);
    } catch (e) {
      // a rule's own checks name the node; anything else it met is an input no check foresaw
      if (e instanceof ParalensError) throw e;
      n.fail(`its inputs or attributes cannot be read (${e instanceof Error ? e.message : String(e)})`);
    }
    node.outputs.forEach((name, i) => {
      if (name === "") return;
      // an output paralens does not compute (batch normalization's updated statistics) may be left unread
      if (outs[i] === undefined) return void uncomputed.set(name, () => n.fail(`its output ${i} ("${name}") is not computed by paralens, but the graph reads it`));
      n.bounded(outs[i]!.shape, `output ${i}`);
      values.set(name, outs[i]!);
    });
  }

  const cod = model.outputs.map((o) => {
    uncomputed.get(o.name)?.();
    const v = values.get(o.name) ?? fail(`the graph output "${o.name}" is computed by no node`);
    if (v.kind !== "live" || !v.batched) fail(`the graph output "${o.name}" does not depend on the model's input`);
    if (v.view !== undefined) fail(`the graph output "${o.name}" is ${describeShape(v.shape, v.view)}: paralens needs the batch axis of an output first`);
    return [...v.shape];
  });
  if (cod.length === 0) fail("the graph has no outputs");

  const specs: ParamSpec[] = parameters.map((t) => ({
    name: t.name,
    shape: [...t.dims],
    init: () => Float64Array.from(t.data),
    role: statistics.has(t.name) ? "statistic" : "parameter",
  }));
  const name = options.name ?? `onnx(${dom.map((s) => `[${s.join(", ")}]`).join(", ")} -> ${cod.map((s) => `[${s.join(", ")}]`).join(", ")})`;
  type Kept = { tape: Tape; outs: Tv[]; leaves: Tv[] };
  return para<Wires, Wires, Kept>({
    name,
    dom,
    cod,
    params: specs,
    forward(ops, p, x) {
      const tape = new Tape(ops, ops.shape(x[0]!)[0]!);
      const env = new Map<string, Known | Tv>();
      for (const [k, v] of values) if (v.kind === "known") env.set(k, v);
      const leaves = [
        ...parameters.map((t, i) => tape.leaf(p[i]!, false, !frozen.has(t.name))),
        ...dataInputs.map((_, i) => tape.leaf(x[i]!, true, true)),
      ];
      parameters.forEach((t, i) => env.set(t.name, leaves[i]!));
      dataInputs.forEach((input, i) => env.set(input.name, leaves[parameters.length + i]!));
      for (const { node, rule, step } of planned) {
        const xs = node.inputs.map((k) => {
          const v = k === "" ? undefined : env.get(k);
          return v instanceof Tv && !rule.layout ? nchw(tape, v) : v;
        });
        const ys = step.run(tape, xs);
        node.outputs.forEach((k, i) => {
          const y = ys[i];
          if (k === "" || y === undefined) return;
          const want = step.outputs[i]!;
          const logical = y.nhwc ? [y.shape[0]!, y.shape[3]!, y.shape[1]!, y.shape[2]!] : y.shape;
          if (!sameShape(logical, want.batched ? [tape.n, ...want.shape] : want.shape)) {
            throw new ParalensError(`fromOnnx: node ${node.name} computed [${logical.join(", ")}] where its import checked [${want.shape.join(", ")}] per example`);
          }
          env.set(k, y);
        });
      }
      const outs = model.outputs.map((o) => nchw(tape, env.get(o.name) as Tv));
      return [outs.map((o) => o.value), { tape, outs, leaves }];
    },
    reverse(_ops, { tape, outs, leaves }, dy) {
      const changes = tape.backward(outs.map((o, i) => [o, dy[i] ?? null] as [Tv, Value | null]), leaves);
      return [changes.slice(0, parameters.length), changes.slice(parameters.length)];
    },
  });
}

/**
 * The parameters of an ONNX file by name, as fromOnnx's Para takes them
 * (learner.setParameters): the float initializers it makes parameters.
 *
 * @example
 * ```ts
 * const bytes = toOnnx(supervised(dense(3, 2), { loss: mse }), { batch: 1 });
 * Object.keys(onnxParameters(bytes));  // ["weight", "bias"]
 * ```
 *
 * @category IO
 */
export function onnxParameters(bytes: Uint8Array, options: Pick<FromOnnxOptions, "constants"> = {}): Record<string, Float32Array> {
  const model = decodeOnnx(bytes);
  const constants = nameSet(options.constants, "constants");
  const nodes = topological(model);
  const out: Record<string, Float32Array> = {};
  for (const t of model.initializers) if (isFloat(t.dtype) && !constants.has(t.name) && readAsData(t.name, nodes)) out[t.name] = Float32Array.from(t.data);
  return out;
}

function fail(msg: string): never {
  throw new ParalensError(`fromOnnx: ${msg}`);
}

function nameSet(names: readonly string[] | undefined, what: string): Set<string> {
  if (names === undefined) return new Set();
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) fail(`options.${what} must be a list of initializer names, got ${describe(names)}`);
  return new Set(names);
}

/** Whether a node is batch normalization in training mode, whose running statistics (inputs 3 and 4) it updates. */
function trainingBatchNorm(n: OnnxNode): boolean {
  const mode = n.attributes.get("training_mode");
  return n.op === "BatchNormalization" && mode?.kind === "int" && mode.value === 1;
}

/** Whether an initializer is read as data (a weight) by some node, not only as a shape, axes or inference statistic. */
function readAsData(name: string, nodes: readonly OnnxNode[]): boolean {
  return nodes.some((n) => n.inputs.some((k, i) => k === name && (trainingBatchNorm(n) || !(STATIC_INPUTS[n.op] ?? []).includes(i))));
}

/**
 * The parameters that are running statistics of batch normalization in
 * training mode (role "statistic": their change is the moving average's step,
 * not a derivative); one read by any other node, or twice, is refused.
 */
function statisticsOf(nodes: readonly OnnxNode[], parameters: readonly string[]): Set<string> {
  const owner = new Map<string, OnnxNode>();
  for (const n of nodes) {
    if (!trainingBatchNorm(n)) continue;
    for (const k of n.inputs.slice(3, 5)) {
      if (!parameters.includes(k)) continue;
      if (owner.has(k)) fail(`node ${n.name}: its running statistic "${k}" is a running statistic of node ${owner.get(k)!.name} too; each batch normalization needs statistics of its own`);
      owner.set(k, n);
    }
  }
  for (const n of nodes) {
    n.inputs.forEach((k, i) => {
      const o = owner.get(k);
      if (o !== undefined && (o !== n || i < 3)) fail(`node ${n.name} reads "${k}", a running statistic that node ${o.name} updates in training; paralens reads such a statistic in its batch normalization only`);
    });
  }
  return new Set(owner.keys());
}

/** The nodes in an order where each comes after the nodes it reads; a cycle or an undefined input is an error naming a node. */
function topological(model: OnnxModel): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of model.nodes) {
    for (const o of n.outputs) {
      if (o === "") continue;
      if (producer.has(o)) fail(`node ${n.name} writes "${o}", which node ${producer.get(o)!.name} writes too`);
      producer.set(o, n);
    }
  }
  const given = new Set([...model.initializers.map((t) => t.name), ...model.inputs.map((i) => i.name)]);
  for (const o of producer.keys()) if (given.has(o)) fail(`node ${producer.get(o)!.name} writes "${o}", which is a graph input or initializer`);
  const order: OnnxNode[] = [];
  const state = new Map<OnnxNode, "visiting" | "done">();
  // iterative depth-first search: a deep graph must not overflow the stack
  for (const root of model.nodes) {
    if (state.has(root)) continue;
    const stack: [OnnxNode, number][] = [[root, 0]];
    state.set(root, "visiting");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i === n.inputs.length) {
        state.set(n, "done");
        order.push(n);
        stack.pop();
        continue;
      }
      top[1]++;
      const name = n.inputs[i]!;
      if (name === "" || given.has(name)) continue;
      const p = producer.get(name) ?? fail(`node ${n.name} reads "${name}", which no node, input or initializer defines`);
      const s = state.get(p);
      if (s === "visiting") fail(`node ${n.name} reads "${name}" in a cycle (through node ${p.name}): an ONNX graph must be acyclic`);
      if (s === undefined) {
        state.set(p, "visiting");
        stack.push([p, 0]);
      }
    }
  }
  return order;
}

export type { Shape };
