// A PyTorch model with nn.BatchNorm2d and nn.BatchNorm1d exported in
// training mode (examples/torch/export_onnx_models.py writes the fixture,
// bn_train, in test/fixtures/onnx, with a module of it in base64 so that this
// test runs in Node, Deno and the browser alike): fromOnnx imports each
// BatchNormalization as the batchNorm layer, its running statistics
// parameters of role "statistic". In a training plan the outputs are within
// 1e-5 and the gradients of sum(output * R) within 1e-4 of PyTorch's (each
// relative to its tensor's largest value), on the float64 reference and the
// wasm plan; the statistics after one step are PyTorch's after one forward
// pass in train mode. And toOnnx writes the trained model back (inference
// form), which fromOnnx reads to the same outputs.
import { test } from "./harness.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { init, seq, dense, flatten, layers, mse, sgd, adam, supervised, compile, type Para, type Wires } from "../ts-api/index.ts";
import { decodeSafetensors, fromOnnx, onnxParameters, toOnnx } from "../ts-api/io/index.ts";
import { onnx as onnxBase64, tensors as tensorsBase64 } from "./fixtures/onnx/bn_train.ts";
import { normalInputs, runReference, runWasm } from "./util.ts";
import { initialisers } from "../ts-api/index.ts";

await init();

const bytesOf = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const onnxBytes = bytesOf(onnxBase64);
const { tensors } = decodeSafetensors(bytesOf(tensorsBase64));
const get = (name: string): Float32Array => tensors.get(name)?.values ?? fail(`the fixture has no ${name}`);
function fail(msg: string): never {
  throw new Error(msg);
}

/**
 * max |a - b| over the largest |b|: an error relative to the tensor's scale.
 * A tensor that is zero up to rounding (the gradient of a convolution's bias
 * before batch normalization, which the mean subtraction cancels) is measured
 * against `scale` instead, the largest value of its kind in the model.
 */
function relative(a: ArrayLike<number>, b: ArrayLike<number>, scale = 0): number {
  assert(a.length === b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let [d, m] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return Number.isNaN(d) ? Infinity : d / Math.max(m < 1e-9 * scale ? scale : m, 1e-30);
}

const STATISTICS = ["bn2d.running_mean", "bn2d.running_var", "bn1d.running_mean", "bn1d.running_var"];

test("fromOnnx: BatchNormalization in training mode (BatchNorm2d, BatchNorm1d) gives PyTorch's outputs, gradients and running statistics", () => {
  const model = fromOnnx(onnxBytes);
  const params = onnxParameters(onnxBytes);
  assertDeepEqual(model.params.filter((p) => p.role === "statistic").map((p) => p.name), STATISTICS, "the running statistics are parameters of role statistic");
  for (const s of STATISTICS) assertDeepEqual(Array.from(params[s]!), Array.from(get(`buffer.${s}`)), `the file's ${s} is PyTorch's before the step`);
  const input = tensors.get("input")!;
  const c = { lens: model, batch: input.shape[0]!, params: model.params.map((p) => params[p.name]!), inputs: [input.values], changes: [get("loss_weights")] };
  const largest = Math.max(...model.params.map((p) => Math.max(0, ...Array.from(tensors.get(`grad.${p.name}`)?.values ?? [], Math.abs))));
  const report: string[] = [];
  for (const [backend, run] of [["reference", runReference(c)], ["planner", runWasm(c)]] as const) {
    const out = relative(run.outputs[0]!, get("output"));
    assert(out <= 1e-5, `${backend}: the output differs from PyTorch's by ${out} (relative)`);
    let grads = relative(run.inputChanges[0]!, get("grad.input"));
    let stats = 0;
    model.params.forEach((p, i) => {
      const d = run.paramChanges[i]!;
      assert(d !== null, `${backend}: no change for ${p.name}`);
      if (p.role === "statistic") {
        // not a derivative: the running statistic's step, old + change = PyTorch's after one forward pass in train mode
        const after = Array.from(params[p.name]!, (v, k) => v + d[k]!);
        const e = relative(after, get(`running.${p.name}`));
        stats = Math.max(stats, e);
        assert(e <= 1e-5, `${backend}: ${p.name} after the step differs from PyTorch's by ${e} (relative)`);
        return;
      }
      const e = relative(d, get(`grad.${p.name}`), largest);
      grads = Math.max(grads, e);
      assert(e <= 1e-4, `${backend}: the gradient of ${p.name} differs from PyTorch's by ${e} (relative)`);
    });
    report.push(`${backend}: output ${out.toExponential(2)}, gradients ${grads.toExponential(2)}, running statistics ${stats.toExponential(2)}`);
  }
  console.log(`onnx import bn_train: ${report.join("; ")}`);
});

test("fromOnnx: a learner's step on the imported batch normalization moves the running statistics as PyTorch's forward pass does, whatever the optimiser", () => {
  const model = fromOnnx(onnxBytes);
  const input = tensors.get("input")!;
  for (const optimiser of [sgd(), adam({ lr: 0.01 })]) {
    const learner = supervised(model, { loss: mse, optimiser, rate: 0.3 });
    try {
      learner.setParameters(onnxParameters(onnxBytes));
      learner.step(input.values, new Float32Array(input.shape[0]! * 3));
      const after = learner.parameters();
      for (const s of STATISTICS) {
        const e = relative(after[s]!, get(`running.${s}`));
        assert(e <= 1e-5, `${optimiser.optimiserName}: ${s} after the step differs from PyTorch's by ${e} (relative)`);
      }
    } finally {
      learner.dispose();
    }
  }
});

// (ONNX Runtime runs this export as paralens does: test/onnx.node.test.ts, with the cases of test/onnx-models.ts)
test("toOnnx: the imported model in training mode, after a step, exports in inference form with its running statistics", () => {
  const model = fromOnnx(onnxBytes);
  const input = tensors.get("input")!;
  const learner = supervised(model, { loss: mse, optimiser: sgd(), rate: 0.1 });
  try {
    learner.setParameters(onnxParameters(onnxBytes));
    learner.step(input.values, new Float32Array(input.shape[0]! * 3).fill(0.5));
    const file = onnxParameters(toOnnx(learner, { batch: 3 }));
    // the statistics are read only by the inference form's arithmetic: initializers the import folds, with the trained values
    for (const s of STATISTICS) assert(!(s in file), `${s} is no parameter of the inference form`);
    assert(learner.parameters()["bn2d.running_var"]!.some((v, k) => v !== get("buffer.bn2d.running_var")[k]), "the step moved the statistics");
  } finally {
    learner.dispose();
  }
});

test("toOnnx: a model with batchNorm exports its inference form (running statistics), and fromOnnx reads it back to the same outputs", () => {
  const model = seq(layers.conv2d({ filters: 3, kernel: 3, padding: "same" }), layers.batchNorm(3), flatten, dense(60, 4), layers.batchNorm(4, { momentum: 0.3 })).at([5, 4, 2]) as Para<Wires, Wires>;
  const learner = supervised(model, { loss: mse, optimiser: adam({ lr: 0.01 }), seed: 4 });
  try {
    const rng = new initialisers.Rng(5);
    const [x] = normalInputs(model, 6, rng);
    for (let i = 0; i < 3; i++) learner.step(x!, new Float32Array(6 * 4).map((_, k) => Math.sin(k)));
    const parameters = learner.parameters();
    assert(parameters["1.running_var"]!.some((v) => v !== 1), "training moved the running variance");
    const bytes = toOnnx(learner, { batch: 6 });
    const back = fromOnnx(bytes);
    // the inference form: the statistics are read as constants, the learned weights stay parameters
    assert(!back.params.some((p) => p.role === "statistic"), "no statistic parameters in the inference form");
    const file = onnxParameters(bytes);
    const plan = compile(back, { batch: 6, changes: "none" });
    try {
      back.params.forEach((p, i) => plan.params[i]!.set(file[p.name]!));
      plan.inputs[0]!.set(x!);
      plan.forward();
      const e = relative(plan.outputs[0]!.toArray(), learner.predict(x!));
      console.log(`toOnnx then fromOnnx of batchNorm: outputs within ${e.toExponential(2)} (relative)`);
      assert(e <= 1e-5, `the round trip's outputs differ by ${e} (relative)`);
    } finally {
      plan.dispose();
    }
  } finally {
    learner.dispose();
  }
});
