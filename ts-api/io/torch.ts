// PyTorch's conventions mapped onto paralens's, both ways:
//
//   paralens                              PyTorch
//   linear weight [in, out]  (y = x W)    nn.Linear weight [out, in]  (y = x W^T)
//   conv2d filter [kh, kw, cin, cout]     nn.Conv2d weight [cout, cin, kh, kw]  (OIHW)
//   lstm gates.weight [A + H, 4H],        nn.LSTM weight_ih [4H, A], weight_hh [4H, H],
//        gates.bias [4H], gates [i,f,o,g]         bias_ih + bias_hh [4H], gates [i,f,g,o]
//   any other parameter (biases)          the same values, the same shape
//
// The LSTMs are the same function: c' = f c + i g, h' = o tanh(c'), each gate
// from [x, h] through one matrix, so the map is a transpose, a split and a
// reordering of the gate blocks (and paralens's one bias is the sum of the two).
// The GRUs are not: paralens's (Cho et al. 2014, eq. 6) resets the state
// before the matrix, n = tanh(W [x, r * h] + b), while nn.GRU resets after it,
// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); no weights make the two agree
// for every input, so a GRU is refused. An Elman cell's [A + H, H] matrix
// matches no single nn.RNN tensor and is refused by its shape.
//
// Names: a table { paralensName: torchName } pins some (an LSTM parameter takes
// [ihName, hhName]); every other parameter, in model order, takes the first
// unused PyTorch tensor, in the order given (a decoded file's data order,
// PyTorch's state_dict order when written in that order), whose shape is its
// PyTorch shape. Every tensor must be used: a leftover one is an error, as
// is a parameter with nothing to take; only a model with batchNorm leaves
// out PyTorch's num_batches_tracked (its weight, bias, running_mean and
// running_var are parameters of the same names and shapes).
import type { ParamSpec } from "../algebra/para.ts";
import { ParalensError, describe as describeValue, fmtShape } from "../engine/errors.ts";
import type { TensorData } from "./safetensors/codec.ts";

/**
 * PyTorch tensors by name: a Map (e.g. decodeSafetensors(bytes).tensors) or a record.
 *
 * @category IO
 */
export type TorchTensors = ReadonlyMap<string, TensorData> | Readonly<Record<string, TensorData>>;
/**
 * { paralensName: torchName }, or [weight_ih, weight_hh] (and [bias_ih, bias_hh]) names for an LSTM's gates.
 *
 * @category IO
 */
export type TorchNames = Readonly<Record<string, string | readonly [string, string]>>;

type Kind = "linear" | "conv" | "same" | "lstm-weight" | "lstm-bias";
interface ModelLike {
  readonly name: string;
  readonly params: readonly ParamSpec[];
}

function modelLike(what: string, model: unknown, names: unknown): asserts model is ModelLike {
  if (!Array.isArray((model as Partial<ModelLike> | null)?.params)) throw new ParalensError(`${what}: the model must be a layer or a learner, got ${describeValue(model)}`);
  if (typeof names !== "object" || names === null) throw new ParalensError(`${what}: names must be an object of PyTorch names by parameter, got ${describeValue(names)}`);
}

/** What a parameter is, from its name and shape; throws for a GRU. */
function kindOf(p: ParamSpec, names: ReadonlySet<string>): Kind {
  const cell = /^(.*)(gates|candidate)\.(weight|bias)$/.exec(p.name);
  if (cell !== null && names.has(`${cell[1]}candidate.weight`) && names.has(`${cell[1]}gates.weight`)) {
    throw new ParalensError(
      `torch bridge: "${p.name}" belongs to a GRU, which has no exact nn.GRU counterpart: paralens resets the state before the matrix, ` +
        `tanh(W [x, r * h] + b), nn.GRU after it, tanh(W_in x + b_in + r * (W_hn h + b_hn))`,
    );
  }
  if (cell !== null && cell[2] === "gates" && names.has(`${cell[1]}gates.bias`) && names.has(`${cell[1]}gates.weight`)) {
    if (cell[3] === "weight" && p.shape.length === 2 && p.shape[1]! % 4 === 0 && p.shape[0]! > p.shape[1]! / 4) return "lstm-weight";
    if (cell[3] === "bias" && p.shape.length === 1 && p.shape[0]! % 4 === 0) return "lstm-bias";
  }
  if (p.shape.length === 4) return "conv";
  if (p.shape.length === 2) return "linear";
  return "same";
}

/** The shapes of the PyTorch tensors behind a parameter (two for an LSTM's). */
function torchShapes(p: ParamSpec, kind: Kind): number[][] {
  const s = p.shape;
  if (kind === "linear") return [[s[1]!, s[0]!]];
  if (kind === "conv") return [[s[3]!, s[2]!, s[0]!, s[1]!]];
  if (kind === "lstm-weight") {
    const h = s[1]! / 4;
    return [[4 * h, s[0]! - h], [4 * h, h]];
  }
  if (kind === "lstm-bias") return [[s[0]!], [s[0]!]];
  return [[...s]];
}

const describe: Record<Kind, string> = {
  linear: "a linear weight, [out, in] in PyTorch",
  conv: "a conv2d filter, [cout, cin, kh, kw] in PyTorch",
  same: "the same shape in PyTorch",
  "lstm-weight": "an LSTM's gates, weight_ih [4H, A] and weight_hh [4H, H] in PyTorch",
  "lstm-bias": "an LSTM's gate bias, bias_ih and bias_hh [4H] in PyTorch",
};

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const entries = (t: TorchTensors): [string, TensorData][] => (t instanceof Map ? [...t] : Object.entries(t as Record<string, TensorData>));

/** paralens gate block b is PyTorch's block GATE_ORDER[b]: [i, f, o, g] vs [i, f, g, o] (the map is its own inverse). */
const GATE_ORDER = [0, 1, 3, 2];

/** Pairs every parameter with its PyTorch tensors' names: the table first, then by order and shape. */
function match(model: ModelLike, torch: ReadonlyMap<string, TensorData>, names: TorchNames, what: string): { p: ParamSpec; kind: Kind; torch: string[] }[] {
  modelLike(what, model, names);
  const all = new Set(model.params.map((p) => p.name));
  for (const key of Object.keys(names)) if (!all.has(key)) throw new ParalensError(`${what}: the name table maps "${key}", which is not a parameter of ${model.name}`);
  const used = new Set<string>();
  const plan = model.params.map((p) => ({ p, kind: kindOf(p, all), torch: [] as string[] }));
  const check = (p: ParamSpec, kind: Kind, name: string, shape: readonly number[]): void => {
    const t = torch.get(name);
    if (t === undefined) throw new ParalensError(`${what}: the name table maps "${p.name}" to "${name}", which is not among the PyTorch tensors`);
    if (!same(t.shape, shape)) {
      throw new ParalensError(`${what}: "${p.name}" is ${fmtShape(p.shape)} in paralens (${describe[kind]}), so PyTorch's "${name}" should be ${fmtShape(shape)}, but it is ${fmtShape(t.shape)}`);
    }
    if (used.has(name)) throw new ParalensError(`${what}: PyTorch's "${name}" is mapped to two parameters`);
    used.add(name);
  };
  for (const m of plan) {
    const pinned = names[m.p.name];
    if (pinned === undefined) continue;
    const list = typeof pinned === "string" ? [pinned] : [...pinned];
    const shapes = torchShapes(m.p, m.kind);
    if (list.length !== shapes.length) throw new ParalensError(`${what}: "${m.p.name}" is ${describe[m.kind]}, so the name table must give ${shapes.length} name(s), got ${JSON.stringify(pinned)}`);
    list.forEach((n, i) => check(m.p, m.kind, n, shapes[i]!));
    m.torch = list;
  }
  // batch normalization's step count (num_batches_tracked) has no paralens counterpart: its running statistics are enough
  const counts = model.params.some((p) => p.role === "statistic");
  const order = [...torch.keys()].filter((n) => !(counts && /(^|\.)num_batches_tracked$/.test(n) && !used.has(n)));
  for (const m of plan) {
    if (m.torch.length > 0) continue;
    for (const shape of torchShapes(m.p, m.kind)) {
      const name = order.find((n) => !used.has(n) && same(torch.get(n)!.shape, shape));
      if (name === undefined) {
        const next = order.find((n) => !used.has(n));
        const seen = next === undefined ? "no PyTorch tensor is left" : `the next unused PyTorch tensor, "${next}", is ${fmtShape(torch.get(next)!.shape)}`;
        throw new ParalensError(`${what}: "${m.p.name}" is ${fmtShape(m.p.shape)} in paralens (${describe[m.kind]}), so it needs a PyTorch tensor of shape ${fmtShape(shape)}, but ${seen}`);
      }
      used.add(name);
      m.torch.push(name);
    }
  }
  const left = order.filter((n) => !used.has(n));
  if (left.length > 0) throw new ParalensError(`${what}: ${model.name} has no parameter for PyTorch's ${left.map((n) => `"${n}" ${fmtShape(torch.get(n)!.shape)}`).join(", ")}`);
  return plan;
}

/**
 * PyTorch tensors (e.g. a state_dict saved as safetensors) as paralens parameters of `model`, by paralens name.
 *
 * @example
 * ```ts
 * const model = seq(dense(4, 8, "relu"), dense(8, 3));
 * const learner = supervised(model, { loss: softmaxCrossEntropy });
 * const bytes = encodeSafetensors(toTorch(model, learner.parameters()));  // as torch.save would hold them
 * learner.setParameters(fromTorch(model, decodeSafetensors(bytes).tensors));
 * learner.dispose();
 * ```
 *
 * @category IO
 */
export function fromTorch(model: ModelLike, tensors: TorchTensors, names: TorchNames = {}): Record<string, Float32Array> {
  if (typeof tensors !== "object" || tensors === null) throw new ParalensError(`fromTorch: tensors must be a Map or an object of tensors by name, got ${describeValue(tensors)}`);
  modelLike("fromTorch", model, names);
  const torch = new Map(entries(tensors));
  const out: Record<string, Float32Array> = Object.create(null);
  for (const { p, kind, torch: [a, b] } of match(model, torch, names, "fromTorch")) {
    const x = torch.get(a!)!.values;
    const v = new Float32Array(p.shape.reduce((n, d) => n * d, 1));
    const s = p.shape;
    if (kind === "linear") transpose(x, v, s[1]!, s[0]!);
    else if (kind === "conv") {
      const [kh, kw, ci, co] = s as [number, number, number, number];
      for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) v[((y * kw + z) * ci + c) * co + o] = x[((o * ci + c) * kh + y) * kw + z]!;
    } else if (kind === "lstm-weight") {
      const y = torch.get(b!)!.values;
      const h = s[1]! / 4;
      const inputs = s[0]! - h;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < h; j++) {
          const row = GATE_ORDER[g]! * h + j;
          for (let r = 0; r < inputs; r++) v[r * 4 * h + g * h + j] = x[row * inputs + r]!;
          for (let r = 0; r < h; r++) v[(inputs + r) * 4 * h + g * h + j] = y[row * h + r]!;
        }
      }
    } else if (kind === "lstm-bias") {
      const y = torch.get(b!)!.values;
      const h = s[0]! / 4;
      for (let g = 0; g < 4; g++) for (let j = 0; j < h; j++) v[g * h + j] = x[GATE_ORDER[g]! * h + j]! + y[GATE_ORDER[g]! * h + j]!;
    } else v.set(x);
    out[p.name] = v;
  }
  return out;
}

/**
 * paralens parameters of `model` as PyTorch tensors, by PyTorch name: the
 * table's names, else the paralens names (an LSTM's gates give "<name>_ih" and
 * "<name>_hh"; its bias goes to bias_ih, with bias_hh zero).
 *
 * @example
 * ```ts
 * const model = seq(dense(4, 8, "relu"), dense(8, 3));
 * const learner = supervised(model, { loss: softmaxCrossEntropy });
 * const bytes = encodeSafetensors(toTorch(model, learner.parameters(), { "0.weight": "fc1.weight" }));
 * learner.dispose();
 * ```
 *
 * @category IO
 */
export function toTorch(model: ModelLike, values: Readonly<Record<string, ArrayLike<number>>>, names: TorchNames = {}): Map<string, TensorData> {
  modelLike("toTorch", model, names);
  if (typeof values !== "object" || values === null) throw new ParalensError(`toTorch: values must be an object of parameter values by name (learner.parameters()), got ${describeValue(values)}`);
  const all = new Set(model.params.map((p) => p.name));
  for (const key of Object.keys(names)) if (!all.has(key)) throw new ParalensError(`toTorch: the name table maps "${key}", which is not a parameter of ${model.name}`);
  for (const key of Object.keys(values)) if (!all.has(key)) throw new ParalensError(`toTorch: ${model.name} has no parameter "${key}"`);
  const kinds = model.params.map((p) => kindOf(p, all));
  const out = new Map<string, TensorData>();
  model.params.forEach((p, at) => {
    const kind = kinds[at]!;
    const x = values[p.name];
    const size = p.shape.reduce((n, d) => n * d, 1);
    if (x === undefined) throw new ParalensError(`toTorch: missing parameter "${p.name}"`);
    if (x.length !== size) throw new ParalensError(`toTorch: "${p.name}" is ${fmtShape(p.shape)} (${size} values), got ${x.length}`);
    const shapes = torchShapes(p, kind);
    const pinned = names[p.name];
    const torchNames = pinned === undefined ? (shapes.length === 1 ? [p.name] : [`${p.name}_ih`, `${p.name}_hh`]) : typeof pinned === "string" ? [pinned] : [...pinned];
    if (torchNames.length !== shapes.length) throw new ParalensError(`toTorch: "${p.name}" is ${describe[kind]}, so the name table must give ${shapes.length} name(s), got ${JSON.stringify(pinned)}`);
    const tensors = shapes.map((shape) => new Float32Array(shape.reduce((n, d) => n * d, 1)));
    const [v, w] = tensors as [Float32Array, Float32Array];
    const s = p.shape;
    if (kind === "linear") transpose(x, v, s[0]!, s[1]!);
    else if (kind === "conv") {
      const [kh, kw, ci, co] = s as [number, number, number, number];
      for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) v[((o * ci + c) * kh + y) * kw + z] = x[((y * kw + z) * ci + c) * co + o]!;
    } else if (kind === "lstm-weight") {
      const h = s[1]! / 4;
      const inputs = s[0]! - h;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < h; j++) {
          const row = GATE_ORDER[g]! * h + j;
          for (let r = 0; r < inputs; r++) v[row * inputs + r] = x[r * 4 * h + g * h + j]!;
          for (let r = 0; r < h; r++) w[row * h + r] = x[(inputs + r) * 4 * h + g * h + j]!;
        }
      }
    } else if (kind === "lstm-bias") {
      const h = s[0]! / 4;
      for (let g = 0; g < 4; g++) for (let j = 0; j < h; j++) v[GATE_ORDER[g]! * h + j] = x[g * h + j]!;
    } else v.set(x);
    torchNames.forEach((n, i) => {
      if (out.has(n)) throw new ParalensError(`toTorch: two parameters map to PyTorch's "${n}"`);
      out.set(n, { shape: shapes[i]!, values: tensors[i]! });
    });
  });
  return out;
}

/** out[c * rows + r] = x[r * cols + c]: a rows x cols matrix transposed. */
function transpose(x: ArrayLike<number>, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
}
