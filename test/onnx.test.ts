// ONNX export, read back by the tests' own protobuf reader (onnx-decode.ts):
// the writer's wire format, what a graph holds (versions, nodes, parameters
// bit for bit, shapes), dead nodes dropped, and every model that cannot be
// exported refused with an error that names the lens. ONNX Runtime runs the
// exports in onnx.node.test.ts.
import { test } from "./harness.ts";
import { assert, assertEqual, assertThrows } from "./assert.ts";
import {
  type Para, type Wires, conv2d, dense, init, lens, maxPool2d, mse, par, seq, layers, wires,
} from "../ts-api/index.ts";
import { toOnnx } from "../ts-api/io/index.ts";
import { window2d } from "../ts-api/ops/conv/window.ts";
import { xorGate } from "../ts-api/z2/index.ts";
import { fold, gru, named, point } from "../ts-api/cdl/index.ts";
import { ProtoWriter } from "../ts-api/backend/onnx/proto.ts";
import { mnistMlp } from "../examples/models/mnist.ts";
import { decodeModel } from "./onnx-decode.ts";
import { initial } from "./util.ts";

await init();

type AnyPara = Para<Wires, Wires>;
/** A pattern matching the text as it is. */
const literal = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const parametersOf = (model: AnyPara, seed = 1): Record<string, Float32Array> =>
  Object.fromEntries(model.params.map((p, i) => [p.name, Float32Array.from(initial(model, seed)[i]!)]));

test("the protobuf writer: varints (negative ones as ten bytes), floats, strings and nested messages", () => {
  // the examples of the protobuf encoding guide: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67
  assertEqual(hex(new ProtoWriter().int(1, 150).finish()), "08 96 01");
  assertEqual(hex(new ProtoWriter().string(2, "testing").finish()), "12 07 74 65 73 74 69 6e 67");
  assertEqual(hex(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish()), "1a 03 08 96 01");
  assertEqual(hex(new ProtoWriter().int(1, -1).finish()), "08 ff ff ff ff ff ff ff ff ff 01");
  assertEqual(hex(new ProtoWriter().int(1, 2 ** 40).finish()), "08 80 80 80 80 80 20");
  assertEqual(hex(new ProtoWriter().float(2, 1).finish()), "15 00 00 80 3f");
  assertThrows(() => new ProtoWriter().int(1, 0.5), literal("whole number"));
});

test("toOnnx: the MNIST MLP is MatMul, Add, Relu, MatMul, Add over its parameters, bit for bit, in opset 18", () => {
  const model = mnistMlp();
  const parameters = parametersOf(model);
  const m = decodeModel(toOnnx(model, { batch: 5, parameters }));
  assertEqual(m.irVersion, 8);
  assertEqual(m.opset.version, 18);
  assertEqual(m.opset.domain, "");
  assertEqual(m.graph.nodes.map((n) => n.op).join(), "MatMul,Add,Relu,MatMul,Add");
  assertEqual(m.graph.nodes[0]!.name, "0: dense(784 -> 128, relu)/linear(784 -> 128)/MatMul#0", "nodes are named after the layer and the lens they come from");
  assertEqual(JSON.stringify(m.graph.inputs), JSON.stringify([{ name: "input", type: 1, shape: [5, 784] }]));
  assertEqual(JSON.stringify(m.graph.outputs), JSON.stringify([{ name: "output", type: 1, shape: [5, 10] }]));
  assertEqual(m.graph.initializers.map((t) => `${t.name} [${t.dims}]`).join(", "), "0.weight [784,128], 0.bias [128], 1.weight [128,10], 1.bias [10]");
  for (const t of m.graph.initializers) {
    const want = parameters[t.name]!;
    assert(t.values.length === want.length && t.values.every((v, i) => Object.is(v, want[i])), `${t.name} is not written bit for bit`);
  }
  assertEqual(m.graph.valueInfo.map((v) => `[${v.shape}]`).join(" "), "[5,128] [5,128] [5,128] [5,10]");
});

test("toOnnx: a conv layer is Conv between NHWC transposes, with pads [top, left, bottom, right]; transposes between two convs cancel", () => {
  const model = seq(conv2d({ filters: 3, kernel: [3, 2], stride: 2, padding: "same", bias: false }), conv2d({ filters: 2, kernel: 1, bias: false })).at([8, 6, 2]) as AnyPara;
  const m = decodeModel(toOnnx(model, { batch: 1, parameters: parametersOf(model) }));
  assertEqual(m.graph.nodes.map((n) => n.op).join(), "Transpose,Transpose,Conv,Transpose,Conv,Transpose");
  const [first, second] = m.graph.nodes.filter((n) => n.op === "Conv");
  const g = window2d("", 8, 6, [3, 2], 2, "same");
  assertEqual(JSON.stringify(first!.attributes), JSON.stringify({ kernel_shape: { ints: [3, 2] }, strides: { ints: [2, 2] }, pads: { ints: [g.pt, g.pl, g.pb, g.pr] } }));
  assert(g.pb !== g.pt || g.pr !== g.pl, "the case has uneven padding");
  assertEqual(second!.inputs[0], first!.outputs[0], "the second conv reads the first's NCHW output directly");
});

test("toOnnx: what feeds no output is dropped, and an output that is an input or repeated is copied by Identity", () => {
  const model = wires.diagram("unused and repeated", [[3]], (d, [x]) => {
    d.apply1(layers.exp, [x!]);
    const y = d.apply1(layers.relu, [x!]);
    return [y, y, x!];
  }) as AnyPara;
  const m = decodeModel(toOnnx(model, { batch: 2 }));
  assertEqual(m.graph.nodes.map((n) => n.op).join(), "Relu,Identity,Identity");
  assertEqual(m.graph.outputs.map((o) => o.name).join(), "output0,output1,output2");
  assertEqual(m.graph.nodes.map((n) => `${n.inputs} -> ${n.outputs}`).join("; "), "input -> output0; output0 -> output1; input -> output2");
});

test("toOnnx: a model that cannot be exported is refused, and the error names the lens", () => {
  const withLoss = seq(par(dense(4, 3), wires.id([3])), mse.at([[3], [3]])) as AnyPara;
  assertThrows(() => toOnnx(withLoss, { batch: 2, parameters: parametersOf(withLoss) }), literal('toOnnx: mse uses the op "mse", which has no ONNX lowering'));

  const w = window2d("", 4, 4, 2, 2, "valid");
  const readsArgmax = lens({
    name: "pool-and-winners",
    dom: [[4, 4, 1]],
    cod: [[2, 2, 1]],
    forward: (ops, [x]) => {
      const [y, arg] = ops.maxPool2d(x!, w);
      return [[ops.plus(y, arg)], null];
    },
    reverse: () => [null],
  });
  assertThrows(() => toOnnx(readsArgmax as AnyPara, { batch: 1 }), literal("toOnnx: pool-and-winners reads maxPool2d's winning taps, which an exported inference graph does not compute"));

  const circuit = xorGate(4) as unknown as AnyPara;
  assertThrows(() => toOnnx(circuit, { batch: 1 }), literal('toOnnx: xor(4) calls "xor", which is not an operation of the reals'));
});

test("toOnnx: its arguments are checked", () => {
  const model = dense(2, 3);
  const parameters = parametersOf(model);
  assertThrows(() => toOnnx(layers.relu as never, { batch: 1 }), literal("relu takes the shape it is fed"));
  assertThrows(() => toOnnx(maxPool2d(2) as never, { batch: 1 }), literal("export it at an input shape"));
  assertThrows(() => toOnnx(model, { batch: 0, parameters }), literal("batch must be a whole number >= 1, got 0"));
  assertThrows(() => toOnnx(model, { batch: 1 }), literal("pass them as options.parameters"));
  assertThrows(() => toOnnx(model, { batch: 1, parameters: { ...parameters, extra: new Float32Array(1) } }), literal('has no parameter "extra"'));
  assertThrows(() => toOnnx(model, { batch: 1, parameters: { ...parameters, bias: new Float32Array(2) } }), literal('parameter "bias" is [3] (3 values), got 2'));
  const { bias: _, ...noBias } = parameters;
  assertThrows(() => toOnnx(model, { batch: 1, parameters: noBias }), literal('missing parameter "bias"'));
  const odd = named(model, ["constructor", "bias"]);
  assertThrows(() => toOnnx(odd, { batch: 1, parameters: { bias: parameters["bias"]! } }), literal('missing parameter "constructor"'));
});

test("toOnnx: a parameter shared by every step of a fold is one initializer; generated names avoid parameter names", () => {
  const model = seq(fold({ nil: point([3]), cons: gru(2, 3) }).at(4), dense(3, 1)) as AnyPara;
  const m = decodeModel(toOnnx(model, { batch: 2, parameters: parametersOf(model) }));
  const params = m.graph.initializers.filter((t) => t.dataType === 1 && model.params.some((p) => p.name === t.name)).map((t) => t.name);
  assertEqual(params.sort().join(), model.params.map((p) => p.name).sort().join(), "each parameter once");
  const gates = m.graph.nodes.filter((n) => n.inputs.includes("0.cons.gates.weight")).length;
  assertEqual(gates, 4, "the gates' weight feeds one product per step");

  const clash = named(seq(dense(2, 2), dense(2, 2)), ["matmul0", "0.bias", "const1", "1.bias"]) as AnyPara;
  const c = decodeModel(toOnnx(clash, { batch: 1, parameters: parametersOf(clash) }));
  const all = [...c.graph.initializers.map((t) => t.name), ...c.graph.nodes.flatMap((n) => n.outputs)];
  assertEqual(new Set(all).size, all.length, `names are unique: ${all.join(", ")}`);
  assert(all.includes("matmul0") && all.includes("const1"), "the parameters keep their names");
});
