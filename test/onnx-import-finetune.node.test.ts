// Bring your model, end to end: the CNN PyTorch exported (test/fixtures/onnx/)
// imported with its convolutions frozen, its head fitted to new labels, and
// written back with toOnnx: ONNX Runtime gives paralens's predictions.
// Node-only: it reads a file and runs ONNX Runtime (a native addon).
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { init, adam, softmaxCrossEntropy, supervised, initialisers } from "../ts-api/index.ts";
import { fromOnnx, onnxParameters, toOnnx } from "../ts-api/io/index.ts";
import { maxRelError } from "./util.ts";

await init();

test("an imported CNN with frozen convolutions fits a new head, and ONNX Runtime runs its export as paralens does", async () => {
  const bytes = readFileSync(new URL("./fixtures/onnx/cnn.onnx", import.meta.url));
  const frozen = ["conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "conv2.weight", "conv2.bias"];
  const model = fromOnnx(bytes, { frozen });
  const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.02 }), rate: 1, seed: 1 });
  learner.setParameters(onnxParameters(bytes));
  const before = learner.parameters();

  // 64 images [2, 8, 10], labelled by the imported model's own classes shifted by one: a new head the frozen features can express
  const rng = new initialisers.Rng(4);
  const x = Float32Array.from({ length: 64 * 160 }, () => rng.normal());
  const logits = learner.predict(x);
  const y = Array.from({ length: 64 }, (_, i) => {
    const row = Array.from(logits.subarray(i * 5, i * 5 + 5));
    return (row.indexOf(Math.max(...row)) + 1) % 5;
  });
  const first = learner.evaluate(x, y).loss;
  await learner.fit(x, y, { epochs: 40, batchSize: 16, seed: 2 });
  const last = learner.evaluate(x, y).loss;
  assert(last < 0.5 * first, `the head learns: loss ${first} -> ${last}`);
  const after = learner.parameters();
  for (const name of frozen) assert(after[name]!.every((v, i) => v === before[name]![i]), `${name} is frozen`);
  assert(after["fc.weight"]!.some((v, i) => v !== before["fc.weight"]![i]), "fc.weight is trained");

  const batch = 4;
  const session = await ort.InferenceSession.create(toOnnx(learner, { batch }));
  const inputs = x.subarray(0, batch * 160);
  const results = await session.run({ input: new ort.Tensor("float32", Float32Array.from(inputs), [batch, 2, 8, 10]) });
  await session.release();
  const theirs = results["output"]!.data as Float32Array;
  const ours = learner.predict(inputs);
  const e = maxRelError(theirs, ours);
  console.log(`onnx import fine-tune: loss ${first.toFixed(3)} -> ${last.toFixed(3)}; ONNX Runtime vs paralens ${e.toExponential(2)}`);
  assert(e <= 1e-5, `ONNX Runtime's predictions differ from paralens's by ${e} (relative)`);
  learner.dispose();
});
