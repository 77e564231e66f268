// Every example model, and a model for every op with an ONNX lowering,
// exported with toOnnx and run in ONNX Runtime (onnxruntime-node, CPU): its
// outputs match the wasm plan's on the same parameters and inputs within
// 1e-5 relative (|a - b| / (1 + |b|)). Node-only: ONNX Runtime is a native
// addon. What cannot be exported is tested portably in onnx.test.ts.
import * as ort from "onnxruntime-node";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { init, supervised, softmaxCrossEntropy, transformer, type Para, type Wires, backends, losses, serve } from "../ts-api/index.ts";
import { toOnnx } from "../ts-api/io/index.ts";
import { mnistMlp } from "../examples/models/mnist.ts";
import { type ExportCase, everyOpCase, inputsFor, irisCases, layerCases } from "./onnx-models.ts";
import { maxRelError, runWasm } from "./util.ts";

await init();

const numbered = (base: string, count: number, i: number): string => (count === 1 ? base : `${base}${i}`);

/** The case's outputs from ONNX Runtime, one array per output wire. */
async function runOnnx(c: ExportCase, inputs: readonly Float32Array[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(toOnnx(c.model, { batch: c.batch, parameters: c.parameters }));
  const feeds = Object.fromEntries(c.model.dom.map((s, i) => [numbered("input", c.model.dom.length, i), new ort.Tensor("float32", inputs[i]!, [c.batch, ...s])]));
  const results = await session.run(feeds);
  await session.release();
  return c.model.cod.map((s, i) => {
    const t = results[numbered("output", c.model.cod.length, i)]!;
    assert(t.dims.join() === [c.batch, ...s].join(), `${c.label}: output ${i} is [${t.dims}], expected [${[c.batch, ...s]}]`);
    return t.data as Float32Array;
  });
}

async function check(c: ExportCase): Promise<void> {
  const inputs = inputsFor(c, 3);
  const ours = runWasm({ lens: c.model, batch: c.batch, params: c.model.params.map((p) => c.parameters[p.name]!), inputs }).outputs;
  const theirs = await runOnnx(c, inputs);
  const errors = ours.map((y, i) => maxRelError(theirs[i]!, y));
  console.log(`onnx ${c.label}: max relative difference ${errors.map((e) => e.toExponential(2)).join(", ")}`);
  errors.forEach((e, i) => assert(e <= 1e-5, `${c.label}: output ${i} differs from paralens's by ${e} (relative)`));
}

for (const c of [...layerCases(), everyOpCase()]) test(`ONNX Runtime runs the export of ${c.label} as paralens does`, () => check(c));

test("ONNX Runtime runs the export of the Iris models, trained, as paralens does", async () => {
  for (const c of await irisCases()) await check(c);
});

test("a learner exports its own parameters, and the graph's batch is the one asked for", async () => {
  const learner = supervised(mnistMlp(), { loss: softmaxCrossEntropy, seed: 3 });
  const x = inputsFor({ label: "", model: learner.model, parameters: {}, batch: 7 }, 5)[0]!;
  const session = await ort.InferenceSession.create(toOnnx(learner, { batch: 7 }));
  assert(session.inputNames.join() === "input" && session.outputNames.join() === "output", `names ${session.inputNames} -> ${session.outputNames}`);
  const out = (await session.run({ input: new ort.Tensor("float32", x, [7, 784]) })).output!;
  const e = maxRelError(out.data as Float32Array, learner.predict(x));
  assert(e <= 1e-5, `learner export differs by ${e}`);
  await session.release();
  learner.dispose();
});

test("ONNX Runtime runs the cross-entropies with class-index labels (GatherElements) as paralens does", async () => {
  const cases = [[softmaxCrossEntropy, [7], []], [losses.tokenCrossEntropy, [4, 5], [4]]] as const;
  for (const [loss, logits, indices] of cases) {
    const c: ExportCase = { label: `${loss.name} with index labels`, model: loss.at([logits, indices]) as unknown as Para<Wires, Wires>, parameters: {}, batch: 3 };
    const classes = logits[logits.length - 1]!;
    const z = inputsFor(c, 4)[0]!;
    const labels = Float32Array.from({ length: 3 * indices.reduce((a: number, b: number) => a * b, 1) }, (_, i) => (7 * i + 2) % classes);
    const ours = runWasm({ lens: c.model, batch: 3, params: [], inputs: [z, labels] }).outputs[0]!;
    const e = maxRelError((await runOnnx(c, [z, labels]))[0]!, ours);
    console.log(`onnx ${c.label}: max relative difference ${e.toExponential(2)}`);
    assert(e <= 1e-5, `${c.label}: differs from paralens's by ${e} (relative)`);
  }
});

test("the decoder's step exports (its cache written by ScatterND): fed its own state, ONNX Runtime gives Decoder.step's logits token after token", async () => {
  const options = { vocab: 11, context: 8, dim: 16, heads: 2, layers: 2 };
  const params = backends.initParams(transformer(options), 3);
  const machine = serve.decoderMachine(options);
  const parameters = Object.fromEntries(machine.cell.params.map((p, i) => [p.name, params[i]!.toArray()]));
  const session = await ort.InferenceSession.create(toOnnx(machine.cell, { batch: 1, parameters }));
  const decoder = new serve.Decoder(options, params);
  // the state wires: the position, then a key and a value cache per layer, from zeros
  let state: Float32Array[] = machine.cell.dom.slice(1).map((w) => new Float32Array(w.reduce((a, b) => a * b, 1)));
  let worst = 0;
  for (const token of [3, 1, 4, 1, 5, 9, 2, 6]) {
    const ours = decoder.step(token);
    const feeds: Record<string, ort.Tensor> = { input0: new ort.Tensor("float32", new Float32Array([token]), [1, 1]) };
    machine.cell.dom.slice(1).forEach((w, i) => (feeds[`input${i + 1}`] = new ort.Tensor("float32", state[i]!, [1, ...w])));
    const results = await session.run(feeds);
    worst = Math.max(worst, maxRelError(results.output0!.data as Float32Array, ours));
    state = machine.cell.cod.slice(1).map((_, i) => results[`output${i + 1}`]!.data as Float32Array);
  }
  console.log(`onnx decoder step over 8 tokens: max relative difference ${worst.toExponential(2)}`);
  assert(worst <= 1e-5, `the exported step's logits differ from Decoder.step's by ${worst} (relative)`);
  assert(state[0]![0] === 8, `the exported step counts its position: ${state[0]![0]}`);
  await session.release();
  decoder.dispose();
  for (const t of params) t.dispose();
});
