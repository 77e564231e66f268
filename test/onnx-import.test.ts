// fromOnnx on graphs written here: each op's import checked three ways (the
// wasm plan against the float64 reference, the reference against finite
// differences: test/util.ts's checkLensCase), a round trip through toOnnx,
// and hostile files, each refused with an error that names the node or the
// tensor at fault.
import { test } from "./harness.ts";
import { assert, assertThrows } from "./assert.ts";
import {
  init, supervised, seq, dense, mse, transformer, ParalensError, type Para, type Wires, initialisers,
} from "../ts-api/index.ts";
import { fromOnnx, onnxParameters, onnxImports, toOnnx } from "../ts-api/io/index.ts";
import { type Attributes, type GraphData, type TensorData, encodeModel } from "../ts-api/backend/onnx/model.ts";
import { ProtoWriter } from "../ts-api/backend/onnx/proto.ts";
import { checkLensCase, maxRelError, randomCase, runReference, runWasm } from "./util.ts";

await init();

type N = [op: string, inputs: string[], outputs: string[], attributes?: Attributes];

/** A graph of one input "x" [batch, ...shape] (batch 2 in the file), its nodes, initializers and output "y". */
function graph(shape: number[], nodes: N[], inits: Record<string, TensorData> = {}, outShape: number[] = [], opset?: number): Uint8Array {
  const g: GraphData = {
    name: "g",
    nodes: nodes.map(([op, inputs, outputs, attributes = {}], i) => ({ op, name: `n${i}`, inputs, outputs, attributes })),
    initializers: Object.entries(inits).map(([name, t]) => ({ ...t, name })),
    inputs: [{ name: "x", type: "float", shape: [2, ...shape] }],
    outputs: [{ name: "y", type: "float", shape: [2, ...outShape] }],
    valueInfo: [],
  };
  const bytes = encodeModel(g, { name: "test", version: "0" });
  return opset === undefined ? bytes : withOpset(bytes, opset);
}

// the writer's model ends with its opset import (field 8: "", version): rewrite that last varint
function withOpset(bytes: Uint8Array, opset: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1] = opset;
  return out;
}

const floats = (dims: number[], seed = 1): TensorData => ({ type: "float", dims, values: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.3 + i * 1.7)) });
const int64s = (values: number[], dims = [values.length]): TensorData => ({ type: "int64", dims, values });

/** The three-way check of an imported graph on a random case (inputs in [-1, 1], shifted by `offset`). */
function check(name: string, model: Para<Wires, Wires>, offset = 0): void {
  const c = randomCase(model, 3, 5);
  if (offset) c.inputs.forEach((x) => x.forEach((v, i) => (x[i] = v + offset)));
  checkLensCase(name, c);
}

const cases: [string, Uint8Array, number?][] = [
  ["Gemm with transB, alpha, beta; Sigmoid", graph([3], [["Gemm", ["x", "w", "b"], ["h"], { transB: { int: 1 }, alpha: { float: 0.5 }, beta: { float: 2 } }], ["Sigmoid", ["h"], ["y"]]], { w: floats([4, 3]), b: floats([4], 2) }, [4])],
  ["MatMul on [T, d] rows, Sub, Mul, Div by a parameter", graph([2, 3], [["MatMul", ["x", "w"], ["h"]], ["Sub", ["h", "c"], ["s"]], ["Mul", ["s", "s"], ["m"]], ["Div", ["m", "d"], ["y"]]], { w: floats([3, 4]), c: floats([4], 3), d: { type: "float", dims: [4], values: [1.5, 2, 2.5, 3] } }, [2, 4])],
  ["Transpose, Slice with a step, Concat, Unsqueeze, Squeeze", graph([3, 4], [
    ["Transpose", ["x"], ["t"], { perm: { ints: [0, 2, 1] } }],
    ["Slice", ["t", "st", "en", "ax", "sp"], ["s"]],
    ["Concat", ["s", "t"], ["c"], { axis: { int: 1 } }],
    ["Unsqueeze", ["c", "u"], ["q"]], ["Squeeze", ["q", "u"], ["y"]],
  ], { st: int64s([3]), en: int64s([-100]), ax: int64s([1]), sp: int64s([-2]), u: int64s([2]) }, [6, 3])],
  ["Exp, Log, Sqrt, Abs, Neg, Reciprocal, Tanh, Pow 3 on positive inputs", graph([4], [
    ["Exp", ["x"], ["e"]], ["Log", ["e"], ["l"]], ["Sqrt", ["x"], ["r"]], ["Add", ["l", "r"], ["a"]], ["Abs", ["a"], ["b"]], ["Neg", ["b"], ["n"]],
    ["Reciprocal", ["x"], ["rc"]], ["Tanh", ["n"], ["t"]], ["Pow", ["t", "three"], ["p"]], ["Add", ["p", "rc"], ["y"]],
  ], { three: { type: "float", dims: [], values: [3] } }, [4]), 2],
  ["Softmax on axis 1 of [3, 4], ReduceSum keepdims 0, Expand, Where with a known mask, Max", graph([3, 4], [
    ["Softmax", ["x"], ["s"], { axis: { int: 1 } }],
    ["ReduceSum", ["s", "axis2"], ["r"], { keepdims: { int: 0 } }],
    ["Unsqueeze", ["r", "axis2"], ["u"]],
    ["Expand", ["u", "shape"], ["e"]],
    ["Where", ["mask", "e", "s"], ["w"]], ["Max", ["w", "x"], ["y"]],
  ], { axis2: int64s([2]), shape: int64s([1, 1, 4]), mask: { type: "float", dims: [3, 4], values: [1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0] } }, [3, 4])],
  ["Conv with stride 2 and uneven pads, MaxPool with ceil_mode, GlobalAveragePool", graph([2, 7, 6], [
    ["Conv", ["x", "k", "kb"], ["c"], { kernel_shape: { ints: [3, 2] }, strides: { ints: [2, 1] }, pads: { ints: [1, 0, 0, 1] } }],
    ["Relu", ["c"], ["r"]],
    ["MaxPool", ["r"], ["m"], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } }],
    ["GlobalAveragePool", ["m"], ["g"]], ["Flatten", ["g"], ["y"]],
  ], { k: floats([3, 2, 3, 2]), kb: floats([3], 4) }, [3])],
  ["Conv in 2 groups and depthwise (group = channels), AveragePool with pads", graph([4, 5, 5], [
    ["Conv", ["x", "k2"], ["a"], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, group: { int: 2 } }],
    ["Conv", ["a", "kd", "bd"], ["b"], { kernel_shape: { ints: [2, 2] }, group: { int: 6 } }],
    ["AveragePool", ["b"], ["y"], { kernel_shape: { ints: [2, 2] }, pads: { ints: [1, 1, 0, 0] }, strides: { ints: [2, 2] } }],
  ], { k2: floats([6, 2, 3, 3]), kd: floats([6, 1, 2, 2], 3), bd: floats([6], 4) }, [6, 3, 3])],
  ["Gather along an axis, Pad with zeros, LayerNormalization, ReduceMean", graph([4, 3], [
    ["Gather", ["x", "idx"], ["g"], { axis: { int: 1 } }],
    ["Pad", ["g", "pads"], ["p"]],
    ["LayerNormalization", ["p", "gamma", "beta"], ["n"], { axis: { int: -1 }, epsilon: { float: 1e-5 } }],
    ["ReduceMean", ["n"], ["y"], { axes: { ints: [1] } }],
  ], { idx: int64s([2, 0, 2]), pads: int64s([0, 0, 1, 0, 0, 1]), gamma: floats([5], 5), beta: floats([5], 6) }, [1, 5], 17)],
  ["LeakyRelu, Clip, HardSigmoid, HardSwish, Softplus, Gelu (both), Sum, ReduceMax, Tile", graph([2, 3], [
    ["LeakyRelu", ["x"], ["a"], { alpha: { float: 0.1 } }], ["Clip", ["x", "lo", "hi"], ["b"]],
    ["HardSigmoid", ["x"], ["c"]], ["HardSwish", ["a"], ["d"]], ["Softplus", ["b"], ["e"]],
    ["Gelu", ["c"], ["f"]], ["Gelu", ["d"], ["g"], { approximate: { string: "tanh" } }],
    ["Sum", ["a", "b", "c", "d", "e", "f", "g"], ["s"]],
    ["ReduceMax", ["s", "one"], ["m"]], ["Tile", ["m", "reps"], ["t"]], ["Mul", ["t", "s"], ["y"]],
  ], { lo: { type: "float", dims: [], values: [-0.5] }, hi: { type: "float", dims: [], values: [0.6] }, one: int64s([2]), reps: int64s([1, 1, 3]) }, [2, 3], 20)],
  // torch's sequence-first attention: the batch axis moved to axis 1, merged with the heads and with the rows, and moved back
  ["Transpose of the batch axis, Reshape to [T, batch*heads, d/heads] by Shape/Gather/Mul/Concat, stacked MatMul, Slice, Softmax, Gemm on [T*batch, d]", graph([3, 5], [
    ["Transpose", ["x"], ["ts"], { perm: { ints: [1, 0, 2] } }], ["Slice", ["ts", "one1", "five1", "minus1"], ["t"]],
    ["Shape", ["t"], ["s"]], ["Gather", ["s", "one"], ["b"], { axis: { int: 0 } }], ["Mul", ["b", "two"], ["bh"]],
    ["Unsqueeze", ["bh", "zero1"], ["bh1"]], ["Concat", ["three1", "bh1", "two1"], ["heads"], { axis: { int: 0 } }],
    ["Reshape", ["t", "heads"], ["r"]],
    ["Transpose", ["r"], ["q"], { perm: { ints: [1, 0, 2] } }], ["Transpose", ["r"], ["k"], { perm: { ints: [1, 2, 0] } }],
    ["MatMul", ["q", "k"], ["sc"]], ["Add", ["sc", "mask"], ["sm"]], ["Softmax", ["sm"], ["p"], { axis: { int: -1 } }],
    ["Mul", ["q", "gain"], ["qg"]],
    ["MatMul", ["p", "qg"], ["o"]], ["Transpose", ["o"], ["o2"], { perm: { ints: [1, 0, 2] } }],
    ["Shape", ["x"], ["sx"]], ["Gather", ["sx", "zero"], ["n"], { axis: { int: 0 } }], ["Mul", ["n", "three"], ["rows"]],
    ["Unsqueeze", ["rows", "zero1"], ["rows1"]], ["Concat", ["rows1", "four1"], ["flat"], { axis: { int: 0 } }],
    ["Reshape", ["o2", "flat"], ["f"]], ["Gemm", ["f", "w", "wb"], ["g"], { transB: { int: 1 } }],
    ["Unsqueeze", ["n", "zero1"], ["n1"]], ["Concat", ["three1", "n1", "four1"], ["back"], { axis: { int: 0 } }],
    ["Reshape", ["g", "back"], ["gb"]], ["Transpose", ["gb"], ["y"], { perm: { ints: [1, 0, 2] } }],
  ], {
    zero: int64s([0], []), one: int64s([1], []), two: int64s([2], []), three: int64s([3], []),
    zero1: int64s([0]), one1: int64s([1]), two1: int64s([2]), three1: int64s([3]), four1: int64s([4]), five1: int64s([5]), minus1: int64s([-1]),
    mask: floats([3, 3], 2), gain: floats([1], 3), w: floats([4, 4], 4), wb: floats([4], 5),
  }, [3, 4], 17)],
  // nn.LSTM as torch exports it: the batch axis moved to axis 1 around the node, a zero initial state of ConstantOfShape([1, batch, H])
  ["LSTM between Transposes, initial_h of ConstantOfShape([1, batch, H]), Squeeze of Y and Y_c", graph([3, 2], [
    ["Transpose", ["x"], ["t"], { perm: { ints: [1, 0, 2] } }],
    ["Shape", ["x"], ["s"]], ["Gather", ["s", "zero"], ["n"], { axis: { int: 0 } }], ["Unsqueeze", ["n", "zero1"], ["n1"]],
    ["Concat", ["one1", "n1", "four1"], ["hs"], { axis: { int: 0 } }], ["ConstantOfShape", ["hs"], ["h0"]],
    ["LSTM", ["t", "w", "r", "b", "", "h0"], ["ys", "yh", "yc"], { hidden_size: { int: 4 } }],
    ["Squeeze", ["ys", "one1"], ["q"]], ["Transpose", ["q"], ["p"], { perm: { ints: [1, 0, 2] } }],
    ["Squeeze", ["yc", "zero1"], ["c"]], ["Unsqueeze", ["c", "one1"], ["c1"]], ["Add", ["p", "c1"], ["y"]],
  ], { zero: int64s([0], []), zero1: int64s([0]), one1: int64s([1]), four1: int64s([4]), w: floats([1, 16, 2]), r: floats([1, 16, 4], 2), b: floats([1, 32], 3) }, [3, 4])],
  // layout 1 (batch first), the reset before the state's product, and an initial state per example; then nn.GRU's form (linear_before_reset 1) without B
  ["GRU with layout 1, linear_before_reset 0 and initial_h from the input; GRU with linear_before_reset 1 and no B", graph([3, 2], [
    ["Slice", ["x", "zero1", "one1", "one1"], ["x0"]], ["MatMul", ["x0", "wh"], ["h0"]],
    ["GRU", ["x", "w", "r", "b", "", "h0"], ["ys"], { hidden_size: { int: 4 }, layout: { int: 1 } }],
    ["Squeeze", ["ys", "two1"], ["q"]], ["Transpose", ["q"], ["t"], { perm: { ints: [1, 0, 2] } }],
    ["GRU", ["t", "w2", "r2"], ["", "h"], { hidden_size: { int: 3 }, linear_before_reset: { int: 1 } }],
    ["Squeeze", ["h", "zero1"], ["y"]],
  ], { zero1: int64s([0]), one1: int64s([1]), two1: int64s([2]), wh: floats([2, 4], 4), w: floats([1, 12, 2]), r: floats([1, 12, 4], 2), b: floats([1, 24], 3), w2: floats([1, 9, 4], 5), r2: floats([1, 9, 3], 6) }, [3], 17)],
];

for (const [name, bytes, offset] of cases) test(`fromOnnx: ${name}: plan, reference and finite differences agree`, () => check(name, fromOnnx(bytes), offset));

test("fromOnnx: an embedding (Gather of a table's rows by token ids from the input) trains its table; plan and reference agree", () => {
  const model = fromOnnx(graph([4], [["Gather", ["table", "x"], ["e"]], ["Tanh", ["e"], ["y"]]], { table: floats([10, 3]) }, [4, 3]));
  const c = randomCase(model, 3, 2);
  c.inputs[0]!.forEach((_, i, a) => (a[i] = (i * 7) % 10));
  const [ref, wasm] = [runReference(c), runWasm(c)];
  assert(maxRelError(wasm.outputs[0]!, ref.outputs[0]!) < 1e-5 && maxRelError(wasm.paramChanges[0]!, ref.paramChanges[0]!) < 1e-5, "plan and reference");
  // the table's change: each row's share of dy * (1 - y^2), summed over the tokens that picked it
  const expected = new Float64Array(30);
  const y = ref.outputs[0]!;
  c.inputs[0]!.forEach((id, t) => {
    for (let j = 0; j < 3; j++) expected[id * 3 + j] = expected[id * 3 + j]! + c.changes[0]![t * 3 + j]! * (1 - y[t * 3 + j]! ** 2);
  });
  assert(maxRelError(ref.paramChanges[0]!, expected) < 1e-12, "the table's change is scattered back to the rows picked");
  assert(ref.inputChanges[0] === null, "token ids take no change");
});

test("fromOnnx of toOnnx: a paralens model written and read back computes the same outputs and gradients", () => {
  const model = seq(dense(4, 8, "relu"), dense(8, 3));
  const learner = supervised(model, { loss: mse, seed: 3 });
  const bytes = toOnnx(learner, { batch: 2 });
  const back = fromOnnx(bytes);
  const theirs = learner.parameters();
  const ours = onnxParameters(bytes);
  assert(back.params.every((p) => ours[p.name] !== undefined && theirs[p.name] !== undefined), `parameters keep their names: ${back.params.map((p) => p.name).join(", ")}`);
  const c = randomCase(model, 2, 9);
  c.params = model.params.map((p) => Float64Array.from(theirs[p.name]!));
  const d = { ...c, lens: back, params: back.params.map((p) => Float64Array.from(ours[p.name]!)) };
  const [a, b] = [runReference(c), runReference(d)];
  assert(maxRelError(b.outputs[0]!, a.outputs[0]!) < 1e-12, "outputs");
  assert(maxRelError(b.inputChanges[0]!, a.inputChanges[0]!) < 1e-12, "input gradients");
  const wasm = runWasm(d);
  assert(maxRelError(wasm.outputs[0]!, a.outputs[0]!) < 1e-5, "outputs on the plan");
  learner.dispose();
});

test("fromOnnx of toOnnx: paralens's transformer (token ids cast to int64, the batch folded into the rows, the tied table) reads back with the same outputs and gradients", () => {
  const model = transformer({ vocab: 11, context: 6, dim: 8, heads: 2, layers: 2 });
  const c = randomCase(model, 2, 5);
  c.inputs[0]!.forEach((_, i, a) => (a[i] = (i * 7 + 3) % 11));
  // the file holds float32 values: both sides start from them
  c.params = c.params.map((p) => Float64Array.from(Float32Array.from(p)));
  const parameters = Object.fromEntries(model.params.map((p, i) => [p.name, Float32Array.from(c.params[i]!)]));
  const bytes = toOnnx(model, { batch: 2, parameters });
  // the exporter's own constants (scales, epsilons, the causal mask) stay constants
  const back = fromOnnx(bytes, { constants: Object.keys(onnxParameters(bytes)).filter((k) => parameters[k] === undefined) });
  assert(back.params.map((p) => p.name).sort().join() === Object.keys(parameters).sort().join(), `the parameters are the model's, the table once: ${back.params.map((p) => p.name).join(", ")}`);
  const d = { ...c, lens: back, params: back.params.map((p) => Float64Array.from(parameters[p.name]!)) };
  const [a, b] = [runReference(c), runReference(d)];
  // within float32 rounding: the file holds the scales and epsilons as float32 (1e-5 is 9.99999975e-6)
  assert(maxRelError(b.outputs[0]!, a.outputs[0]!) < 1e-6, `outputs: ${maxRelError(b.outputs[0]!, a.outputs[0]!)}`);
  back.params.forEach((p, i) => {
    const e = maxRelError(b.paramChanges[i]!, a.paramChanges[model.params.findIndex((q) => q.name === p.name)]!);
    assert(e < 1e-6, `the gradient of ${p.name} (the table's sums its two uses): ${e}`);
  });
  assert(b.inputChanges[0] === null, "token ids take no change");
  const wasm = runWasm(d);
  assert(maxRelError(wasm.outputs[0]!, a.outputs[0]!) < 1e-5, `outputs on the plan: ${maxRelError(wasm.outputs[0]!, a.outputs[0]!)}`);
  const worst = (run: typeof b | typeof wasm): number => Math.max(...back.params.map((p, i) => maxRelError(run.paramChanges[i]!, a.paramChanges[model.params.findIndex((q) => q.name === p.name)]!)));
  back.params.forEach((p, i) => {
    const e = maxRelError(wasm.paramChanges[i]!, a.paramChanges[model.params.findIndex((q) => q.name === p.name)]!);
    assert(e < 1e-5, `the gradient of ${p.name} on the plan: ${e}`);
  });
  console.log(`fromOnnx(toOnnx(transformer)): reference outputs ${maxRelError(b.outputs[0]!, a.outputs[0]!).toExponential(2)}, gradients ${worst(b).toExponential(2)}; plan outputs ${maxRelError(wasm.outputs[0]!, a.outputs[0]!).toExponential(2)}, gradients ${worst(wasm).toExponential(2)}`);
});

test("fromOnnx: frozen parameters take no change; constants are not parameters", () => {
  const bytes = graph([3], [["Gemm", ["x", "w", "b"], ["y"], { transB: { int: 1 } }]], { w: floats([2, 3]), b: floats([2], 2) }, [2]);
  const frozen = fromOnnx(bytes, { frozen: ["w"] });
  const run = runReference(randomCase(frozen, 2, 1));
  assert(run.paramChanges[0] === null && run.paramChanges[1] !== null, "w frozen, b trained");
  assert(fromOnnx(bytes, { constants: ["w"] }).params.map((p) => p.name).join() === "b", "w folded in as a constant");
  assertThrows(() => fromOnnx(bytes, { frozen: ["W"] }), /options name "W", which is not an initializer/);
});

// ---- hostile files ---------------------------------------------------------

const refused = (bytes: unknown, pattern: RegExp): void => {
  const err = assertThrows(() => fromOnnx(bytes as Uint8Array), pattern);
  assert(err instanceof ParalensError, `a ParalensError, got ${err.name}`);
};

test("fromOnnx refuses what is not an ONNX file, and truncated files", () => {
  refused("model.onnx", /expects the bytes of an \.onnx file/);
  refused(new Uint8Array(0), /the file is empty/);
  refused(new TextEncoder().encode("hello, world"), /fromOnnx: /);
  const good = graph([3], [["Relu", ["x"], ["y"]]], {}, [3]);
  for (const cut of [1, 7, good.length >> 1, good.length - 3]) refused(good.subarray(0, cut), /fromOnnx: /);
});

test("fromOnnx names the node of an op it does not import, with the list it does", () => {
  const err = assertThrows(() => fromOnnx(graph([3], [["Relu", ["x"], ["h"]], ["NonMaxSuppression", ["h"], ["y"]]], {}, [3])), /node "n1" \(NonMaxSuppression\): the op NonMaxSuppression is not supported; paralens imports Abs, Add, /);
  assert(err.message.endsWith(onnxImports().join(", ")), "the message lists every op imported");
  assert(onnxImports().includes("Conv") && !onnxImports().includes("NonMaxSuppression"), "the list");
});

test("fromOnnx refuses a cycle, an undefined input and a value written twice, naming the node", () => {
  refused(graph([3], [["Relu", ["x", "b"], ["a"]], ["Relu", ["a"], ["b"]], ["Relu", ["b"], ["y"]]], {}, [3]), /in a cycle .*must be acyclic/);
  refused(graph([3], [["Relu", ["nowhere"], ["y"]]], {}, [3]), /node "n0" \(Relu\) reads "nowhere", which no node, input or initializer defines/);
  refused(graph([3], [["Relu", ["x"], ["y"]], ["Sigmoid", ["x"], ["y"]]], {}, [3]), /node "n1" \(Sigmoid\) writes "y", which node "n0" \(Relu\) writes too/);
});

test("fromOnnx refuses shapes that do not agree, naming the node", () => {
  refused(graph([3], [["Gemm", ["x", "w"], ["y"], { transB: { int: 1 } }]], { w: floats([2, 4]) }, [2]), /node "n0" \(Gemm\): inner sizes differ/);
  refused(graph([3], [["Reshape", ["x", "s"], ["y"]]], { s: int64s([0, 2]) }, [2]), /node "n0" \(Reshape\): cannot view \[3\] \(3 values per example\) as \[2\]/);
  refused(graph([3], [["Reshape", ["x", "s"], ["y"]]], { s: int64s([3, -1]) }, [2]), /node "n0" \(Reshape\): its target \[3, -1\] does not keep the batch axis first/);
  refused(graph([3], [["Add", ["x", "b"], ["y"]]], { b: floats([4]) }, [3]), /node "n0" \(Add\): cannot broadcast/);
  refused(graph([3], [["Softmax", ["x"], ["y"], { axis: { int: 0 } }]], {}, [3]), /node "n0" \(Softmax\): along the batch axis/);
  refused(graph([3], [["Relu", ["x"], ["r"]], ["Cast", ["r"], ["y"], { to: { int: 7 } }]], {}, [3]), /node "n1" \(Cast\): casts a value computed from the model's input to int64; paralens computes in floats only \(a graph input cast to integers is read as token ids\)/);
  // a value whose batch axis the graph moved: only where each example stays apart
  const moved = (nodes: N[], inits: Record<string, TensorData> = {}, out = [3, 4]): Uint8Array => graph([3, 4], [["Transpose", ["x"], ["t"], { perm: { ints: [1, 0, 2] } }], ...nodes], inits, out);
  refused(moved([["Identity", ["t"], ["y"]]], {}, [2, 4]), /the graph output "y" is \[3, batch, 4\]: paralens needs the batch axis of an output first/);
  refused(moved([["Reshape", ["t", "s"], ["y"]]], { s: int64s([6, -1]) }, [4]), /node "n1" \(Reshape\): its target \[6, -1\] does not keep the batch axis first|node "n1" \(Reshape\): cannot view \[3, batch, 4\]/);
  refused(moved([["Softmax", ["t"], ["y"], { axis: { int: 1 } }]]), /node "n1" \(Softmax\): along axis 1 of \[3, batch, 4\]/);
  refused(moved([["Gelu", ["t"], ["g"]], ["ReduceSum", ["g"], ["y"]]], {}), /node "n2" \(ReduceSum\): reads \[3, batch, 4\], a value whose batch axis the graph moved from first .* through .*Transpose/);
});

test("fromOnnx: BatchNormalization in training mode is the batchNorm layer; what it cannot map is refused, naming the node", () => {
  const stats = { s: floats([3], 1), b: floats([3], 2), m: floats([3], 3), v: { type: "float", dims: [3], values: [1, 2, 0.5] } as TensorData };
  const training = { training_mode: { int: 1 }, momentum: { float: 0.8 } };
  const bn = (outputs: string[], after: N[] = [], inits: Record<string, TensorData> = stats): Uint8Array => graph([3, 2], [["BatchNormalization", ["x", "s", "b", "m", "v"], outputs, training], ...after], inits, [3, 2], 15);
  const model = fromOnnx(bn(["y", "m2", "v2"]));
  assert(model.params.map((p) => `${p.name}:${p.role}`).join(" ") === "s:parameter b:parameter m:statistic v:statistic", `the parameters: ${model.params.map((p) => `${p.name}:${p.role}`).join(" ")}`);
  refused(bn(["t", "m2", "v2"], [["Add", ["t", "m2"], ["y"]]]), /node "n0" \(BatchNormalization\): its output 1 \("m2"\) is not computed by paralens, but the graph reads it/);
  refused(bn(["t"], [["Add", ["t", "m"], ["y"]]]), /node "n1" \(Add\) reads "m", a running statistic that node "n0" \(BatchNormalization\) updates in training/);
  assertThrows(() => fromOnnx(bn(["y"]), { constants: ["m"] }), /node "n0" \(BatchNormalization\): its running mean \("m"\) must be an initializer, a parameter that training updates \(not a constant\)/);
  refused(graph([3, 2], [["BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "m2", "v2"]]], stats, [3, 2], 9), /node "n0" \(BatchNormalization\): is in training mode without training_mode = 1/);
});

test("fromOnnx refuses recurrent nodes it does not compute, naming the node and the attribute", () => {
  const lstm = (attributes: Attributes, inputs = ["t", "w", "r", "b"], inits: Record<string, TensorData> = {}): Uint8Array => graph([3, 2], [
    ["Transpose", ["x"], ["t"], { perm: { ints: [1, 0, 2] } }],
    ["LSTM", inputs, ["", "h"], { hidden_size: { int: 4 }, ...attributes }], ["Squeeze", ["h", "zero1"], ["y"]],
  ], { zero1: int64s([0]), w: floats([1, 16, 2]), r: floats([1, 16, 4], 2), b: floats([1, 32], 3), ...inits }, [4]);
  refused(lstm({ direction: { string: "bidirectional" } }), /node "n1" \(LSTM\): its attribute direction is "bidirectional"; paralens imports direction "forward" only/);
  refused(lstm({}, ["t", "w", "r", "b", "", "", "", "p"], { p: floats([1, 12]) }), /node "n1" \(LSTM\): has peepholes \(input 7, P, "p"\)/);
  refused(lstm({ clip: { float: 3 } }), /node "n1" \(LSTM\): its attribute clip is set/);
  refused(lstm({ input_forget: { int: 1 } }), /node "n1" \(LSTM\): its attribute input_forget is 1/);
  refused(lstm({ activations: { string: "Relu" } }), /node "n1" \(LSTM\): its attribute activations is not the default \(Sigmoid, Tanh, Tanh\)/);
  refused(lstm({ hidden_size: { int: 5 } }), /node "n1" \(LSTM\): its W \(input 1\) is \[1, 16, 2\], expected \[1, 20, 2\]/);
  refused(lstm({}, ["t", "w", "r", "b", "lens"], { lens: int64s([2, 2]) }), /node "n1" \(LSTM\): its sequence_lens are not all 3/);
  refused(lstm({}, ["t", "w", "r", "b", "", "h0"], { h0: floats([1, 2, 4]) }), /node "n1" \(LSTM\): its initial_h \(input 5\) is a constant \[1, 2, 4\] that is not zeros/);
  // X with the batch first, read as layout 0 (the batch would be the sequence)
  refused(graph([3, 2], [["GRU", ["x", "w", "r"], ["", "h"], { hidden_size: { int: 4 } }], ["Squeeze", ["h", "zero1"], ["y"]]], { zero1: int64s([0]), w: floats([1, 12, 2]), r: floats([1, 12, 4], 2) }, [4]), /node "n0" \(GRU\): its X is \[batch, 3, 2\]; paralens imports X \[T, batch, input\] \(layout 0\)/);
});

/** A model whose graph holds one raw tensor message (an initializer) as given. */
function withTensor(tensor: ProtoWriter): Uint8Array {
  const g = new ProtoWriter().message(1, new ProtoWriter().string(1, "x").string(1, "t").string(2, "y").string(4, "Add")).string(2, "g").message(5, tensor);
  const info = (name: string) => new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, 1).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, 2)).message(1, new ProtoWriter().int(1, 3)))));
  g.message(11, info("x")).message(12, info("y"));
  return new ProtoWriter().int(1, 8).message(7, g).message(8, new ProtoWriter().string(1, "").int(2, 13)).finish();
}

test("fromOnnx refuses tensors whose bytes, sizes or types are not what they say", () => {
  const raw = (n: number) => new Uint8Array(n);
  refused(withTensor(new ProtoWriter().int(1, 3).int(2, 1).string(8, "t").bytes(9, raw(8))), /tensor "t" is 3 of float \(12 bytes\) but holds 8 bytes/);
  refused(withTensor(new ProtoWriter().int(1, 2 ** 20).int(1, 2 ** 20).int(2, 1).string(8, "t")), /tensor "t" has 1099511627776 elements, more than/);
  refused(withTensor(new ProtoWriter().int(1, 3).int(2, 8).string(8, "t")), /tensor "t" has element type 8, which paralens does not read/);
  refused(withTensor(new ProtoWriter().int(1, -3).int(2, 1).string(8, "t")), /tensor "t" has a dim -3/);
  // a length that runs past the end of its message
  const forged = withTensor(new ProtoWriter().int(1, 3).int(2, 1).string(8, "t").bytes(9, raw(12)));
  const i = forged.lastIndexOf(12);
  forged[i] = 100;
  refused(forged, /claims 100 bytes but|fromOnnx: /);
});

test("fromOnnx refuses a graph input whose axes after the batch are not fixed sizes, and an output that ignores the input", () => {
  refused(graph([3, 0], [["Relu", ["x"], ["y"]]], {}, [3, 0]), /the graph input "x" is \[2, 3, 0\]: every axis after the batch must be a fixed size/);
  refused(graph([3], [["Constant", [], ["y"], { value: { tensor: { type: "float", dims: [3], values: [1, 2, 3] } } }]], {}, [3]), /the graph output "y" does not depend on the model's input/);
});

test("fromOnnx on damaged files: every byte flip imports or is a ParalensError, never another error", () => {
  const files = cases.map((c) => c[1]);
  const rng = new initialisers.Rng(17);
  let [refusedCount, imported] = [0, 0];
  for (let k = 0; k < 1000; k++) {
    const bytes = Uint8Array.from(files[k % files.length]!);
    for (let flips = 1 + Math.floor(rng.uniform() * 3); flips > 0; flips--) bytes[Math.floor(rng.uniform() * bytes.length)] = Math.floor(rng.uniform() * 256);
    let model: Para<Wires, Wires>;
    try {
      model = fromOnnx(bytes);
    } catch (e) {
      if (!(e instanceof ParalensError)) throw new Error(`damaged file ${k}: ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack}`);
      refusedCount++;
      continue;
    }
    // what imports, runs: its shapes were checked when it was read
    runReference(randomCase(model, 2, k));
    imported++;
  }
  assert(refusedCount > 100 && imported > 100, `damaged files are refused or run (${refusedCount} refused, ${imported} imported of 1000)`);
});
