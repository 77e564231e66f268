// Models exported by torch.onnx.export (examples/torch/export_onnx_models.py
// writes the fixtures) imported with fromOnnx: outputs within 1e-5 and the
// gradients of sum(output * R) within 1e-4 of PyTorch's (float64 from the
// float32 weights), each relative to the largest value of its tensor, on the
// float64 reference and on the wasm plan. Node-only: it reads files.
import { readFileSync } from "node:fs";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { init, type Para, type Wires } from "../ts-api/index.ts";
import { decodeSafetensors, fromOnnx, onnxParameters } from "../ts-api/io/index.ts";
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

/**
 * PyTorch's gradient of each ONNX parameter: by name, or, for a weight the
 * exporter stored transposed under a name of its own (onnx::MatMul_12), the
 * transpose of the PyTorch gradient whose weight it equals transposed.
 */
function torchGradients(model: Para<Wires, Wires>, params: Record<string, Float32Array>, tensors: ReturnType<typeof decodeSafetensors>["tensors"]): Float32Array[] {
  return model.params.map((p) => {
    const direct = tensors.get(`grad.${p.name}`);
    if (direct) return direct.values;
    const [r, c] = p.shape as [number, number];
    for (const [k, t] of tensors) {
      if (!k.startsWith("param.") || t.shape.length !== 2 || t.shape[0] !== c || t.shape[1] !== r) continue;
      const back = transposed(t.values, c, r);
      if (back.every((v, i) => v === params[p.name]![i])) return transposed(tensors.get(`grad.${k.slice(6)}`)!.values, c, r);
    }
    throw new Error(`no PyTorch gradient for ${p.name}`);
  });
}

for (const name of ["mlp", "cnn", "block", "encoder_layer", "gpt"]) {
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
