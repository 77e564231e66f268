// Models exported by torch.onnx.export (examples/torch/export_onnx_models.py
// writes the fixtures) imported with fromOnnx: outputs within 1e-5 and the
// gradients of sum(output * R) within 1e-4 of PyTorch's (float64 from the
// float32 weights), each relative to the largest value of its tensor, on the
// float64 reference and on the wasm plan. Node-only: it reads files and runs
// ONNX Runtime (a native addon).
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { init, type Para, type Wires } from "../ts-api/index.ts";
import { decodeSafetensors, fromOnnx, onnxParameters } from "../ts-api/io/index.ts";
import { type Attributes, type TensorData, encodeModel } from "../ts-api/backend/onnx/model.ts";
import { runReference, runWasm } from "./util.ts";

await init();

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url));

/** max |a - b| over the largest |b|: an error relative to the tensor's scale. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert(a.length === b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let [d, m] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return Number.isNaN(d) ? Infinity : d / Math.max(m, 1e-30);
}

/** A [r, c] matrix's values transposed. */
function transposed(v: ArrayLike<number>, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = v[i * c + j]!;
  return out;
}

// PyTorch orders an LSTM's gate blocks i, f, g, o and a GRU's r, z, n; ONNX
// i, o, f, c and z, r, h: ONNX block b is PyTorch block order[b]
const GATE_ORDERS = [[0, 3, 1, 2], [1, 0, 2]];

/** Values of `blocks` equal blocks (along the first axis) reordered: block b is block order[b] of v. */
function regated(v: ArrayLike<number>, order: readonly number[]): Float32Array {
  const size = v.length / order.length;
  const out = new Float32Array(v.length);
  order.forEach((from, b) => {
    for (let j = 0; j < size; j++) out[b * size + j] = v[from * size + j]!;
  });
  return out;
}

/**
 * The gradient of a recurrent node's W or R [1, gates*H, k] or B [1, 2*gates*H]
 * (ONNX's gate order, names of the exporter's own, B the input's bias then
 * the state's): PyTorch's gradients of the weights or biases it equals with
 * their gate blocks reordered, or undefined when it is no such tensor.
 */
function regatedGradient(values: Float32Array, tensors: ReturnType<typeof decodeSafetensors>["tensors"]): Float32Array | undefined {
  const find = (part: Float32Array): Float32Array | undefined => {
    for (const [k, t] of tensors) {
      if (!k.startsWith("param.") || t.values.length !== part.length) continue;
      for (const order of GATE_ORDERS) {
        if (t.shape[0]! % order.length !== 0) continue;
        if (regated(t.values, order).every((v, i) => v === part[i])) return regated(tensors.get(`grad.${k.slice(6)}`)!.values, order);
      }
    }
    return undefined;
  };
  const whole = find(values);
  if (whole) return whole;
  const half = values.length / 2;
  const [a, b] = [find(values.subarray(0, half)), find(values.subarray(half))];
  return a && b ? Float32Array.from([...a, ...b]) : undefined;
}

/**
 * PyTorch's gradient of each ONNX parameter: by name, or, for a weight the
 * exporter stored transposed under a name of its own (onnx::MatMul_12), the
 * transpose of the PyTorch gradient whose weight it equals transposed, or,
 * for a recurrent node's weights, PyTorch's with the gates reordered.
 */
function torchGradients(model: Para<Wires, Wires>, params: Record<string, Float32Array>, tensors: ReturnType<typeof decodeSafetensors>["tensors"]): Float32Array[] {
  return model.params.map((p) => {
    const direct = tensors.get(`grad.${p.name}`);
    if (direct) return direct.values;
    if (p.shape.length !== 2 || p.shape[0] === 1) return regatedGradient(params[p.name]!, tensors) ?? fail(p.name);
    const [r, c] = p.shape as [number, number];
    for (const [k, t] of tensors) {
      if (!k.startsWith("param.") || t.shape.length !== 2 || t.shape[0] !== c || t.shape[1] !== r) continue;
      const back = transposed(t.values, c, r);
      if (back.every((v, i) => v === params[p.name]![i])) return transposed(tensors.get(`grad.${k.slice(6)}`)!.values, c, r);
    }
    return fail(p.name);
  });
}

function fail(name: string): never {
  throw new Error(`no PyTorch gradient for ${name}`);
}

for (const name of ["mlp", "cnn", "block", "encoder_layer", "gpt", "lstm", "gru", "rnn_stacked"]) {
  test(`fromOnnx: the ${name} exported by PyTorch gives PyTorch's outputs and gradients`, () => {
    const bytes = fixture(`${name}.onnx`);
    const started = performance.now();
    const model = fromOnnx(bytes);
    const importMs = performance.now() - started;
    const params = onnxParameters(bytes);
    const { tensors } = decodeSafetensors(fixture(`${name}.safetensors`));
    const input = tensors.get("input")!;
    const batch = input.shape[0]!;
    const c = {
      lens: model,
      batch,
      params: model.params.map((p) => params[p.name]!),
      inputs: [input.values],
      changes: [tensors.get("loss_weights")!.values],
    };
    // token ids (the gpt's input) take no change: the file holds no gradient for them
    const expected = { output: tensors.get("output")!.values, params: torchGradients(model, params, tensors), input: tensors.get("grad.input")?.values };
    const report: string[] = [];
    for (const [backend, run] of [["reference", runReference(c)], ["planner", runWasm(c)]] as const) {
      const out = relative(run.outputs[0]!, expected.output);
      if (expected.input === undefined) assert(run.inputChanges[0] === null, `${name} on the ${backend}: token ids take no change`);
      const grads = [...run.paramChanges.map((g, i) => relative(g!, expected.params[i]!)), ...(expected.input ? [relative(run.inputChanges[0]!, expected.input)] : [])];
      const worst = Math.max(...grads);
      const at = grads.indexOf(worst);
      report.push(`${backend}: output ${out.toExponential(2)}, gradients ${worst.toExponential(2)} (worst: ${at < model.params.length ? model.params[at]!.name : "input"})`);
      assert(out <= 1e-5, `${name} on the ${backend}: output differs from PyTorch's by ${out} (relative)`);
      grads.forEach((e, i) => assert(e <= 1e-4, `${name} on the ${backend}: the gradient of ${i < model.params.length ? model.params[i]!.name : "the input"} differs from PyTorch's by ${e} (relative)`));
    }
    if (name === "gpt") {
      // tied: the token table is one parameter, read by the Gather of the ids and by the logits' MatMul, and its change sums both
      assert(model.params.filter((p) => p.name === "tok.weight").length === 1 && tensors.has("grad.tok.weight"), "the token table is one parameter");
    }
    console.log(`onnx import ${name}: ${model.params.length} parameters, imported in ${importMs.toFixed(1)} ms; ${report.join("; ")}`);
  });
}

// ONNX's equations where no PyTorch module writes them: a GRU that resets
// before the state's product (linear_before_reset 0), and initial states
// computed per example; ONNX Runtime is the other side.
test("fromOnnx: LSTM and GRU nodes (both GRU forms, initial states from the input) give ONNX Runtime's outputs", async () => {
  const floats = (dims: number[], seed: number): TensorData => ({ type: "float", dims, values: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.3 + i * 1.7)) });
  const int64s = (values: number[]): TensorData => ({ type: "int64", dims: [values.length], values });
  const x = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.cos(i * 0.9));
  for (const [op, reset] of [["LSTM", 0], ["GRU", 0], ["GRU", 1]] as const) {
    const G = op === "LSTM" ? 4 : 3;
    const state = op === "LSTM" ? "yc" : "yh";
    // x [batch, 3, 2] to [3, batch, 2]; initial states x[:, 0] W0 moved to [1, batch, 4]; Y and the last state moved back and joined
    const nodes: [string, string[], string[], Attributes?][] = [
      ["Transpose", ["x"], ["t"], { perm: { ints: [1, 0, 2] } }],
      ["Slice", ["x", "zero", "one", "one"], ["x0"]], ["MatMul", ["x0", "w0"], ["s0"]], ["Transpose", ["s0"], ["h0"], { perm: { ints: [1, 0, 2] } }],
      [op, ["t", "w", "r", "b", "", "h0", ...(op === "LSTM" ? ["h0"] : [])], ["ys", "yh", ...(op === "LSTM" ? ["yc"] : [])], { hidden_size: { int: 4 }, ...(op === "GRU" ? { linear_before_reset: { int: reset } } : {}) }],
      ["Transpose", ["ys"], ["yt"], { perm: { ints: [2, 0, 1, 3] } }], ["Reshape", ["yt", "flat"], ["y1"]],
      ["Transpose", [state], ["st"], { perm: { ints: [1, 0, 2] } }], ["Reshape", ["st", "flat"], ["y2"]],
      ["Concat", ["y1", "y2"], ["y"], { axis: { int: 1 } }],
    ];
    const inits = { zero: int64s([0]), one: int64s([1]), flat: int64s([0, -1]), w0: floats([2, 4], 4), w: floats([1, G * 4, 2], 1), r: floats([1, G * 4, 4], 2), b: floats([1, 2 * G * 4], 3) };
    const bytes = encodeModel({
      name: "g",
      nodes: nodes.map(([kind, inputs, outputs, attributes = {}], i) => ({ op: kind, name: `n${i}`, inputs, outputs, attributes })),
      initializers: Object.entries(inits).map(([name, t]) => ({ ...t, name })),
      inputs: [{ name: "x", type: "float", shape: [2, 3, 2] }],
      outputs: [{ name: "y", type: "float", shape: [2, 16] }],
      valueInfo: [],
    }, { name: "test", version: "0" });
    const model = fromOnnx(bytes);
    const params = onnxParameters(bytes);
    const ours = runReference({ lens: model, batch: 2, params: model.params.map((p) => Float64Array.from(params[p.name]!)), inputs: [Float64Array.from(x)] }).outputs[0]!;
    const session = await ort.InferenceSession.create(bytes);
    const theirs = (await session.run({ x: new ort.Tensor("float32", x, [2, 3, 2]) }))["y"]!.data as Float32Array;
    await session.release();
    const e = relative(ours, theirs);
    console.log(`onnx import ${op}${op === "GRU" ? ` linear_before_reset ${reset}` : ""} vs ONNX Runtime: ${e.toExponential(2)}`);
    assert(e <= 1e-5, `${op}: paralens differs from ONNX Runtime by ${e} (relative)`);
  }
});
