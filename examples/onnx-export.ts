// Models trained in paralens, served by ONNX Runtime. The MNIST MLP and the
// demo CNN are trained here, exported with toOnnx (one graph for the whole
// test split as one batch), written as .onnx files, and run by ONNX Runtime
// (onnxruntime-node, a dev dependency of paralens: install it next to your
// own copy). Both give the same test accuracy, and the logits are compared.
//
//   npm run example -- onnx-export [--epochs-mlp n] [--epochs-cnn n] [--out dir] [--json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init, adam, softmaxCrossEntropy, supervised, type Para, type Wires } from "paralens";
import { toOnnx } from "paralens/io";
import { loadMnist } from "./data/mnist.ts";
import { demoCnn, mnistMlp } from "./models/mnist.ts";
import { epochLine, option, report } from "./cli/progress.ts";
import { accuracy, maxAbsDiff } from "./cli/logits.ts";

await init();
const ort = await import("onnxruntime-node").catch(() => {
  console.error("onnx-export: ONNX Runtime is not installed (npm install onnxruntime-node)");
  process.exit(1);
});
const epochs = { mlp: option("epochs-mlp", 5), cnn: option("epochs-cnn", 2) };
const at = process.argv.indexOf("--out");
const out = at >= 0 ? process.argv[at + 1]! : mkdtempSync(join(tmpdir(), "paralens-onnx-"));

const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed: 0 });
const metrics: Record<string, number> = {};
const models: [name: "mlp" | "cnn", model: Para<Wires, Wires>][] = [["mlp", mnistMlp()], ["cnn", demoCnn()]];
try {
  for (const [name, model] of models) {
    console.log(`paralens trains the ${name} (${epochs[name]} epochs)...`);
    const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, seed: 0 });
    await learner.fit(trainX, trainY, { epochs: epochs[name], batchSize: 32, onEpochEnd: epochLine(epochs[name]) });
    const ours = learner.predict(testX);

    const t0 = performance.now();
    const bytes = toOnnx(learner, { batch: testY.length });
    const exportMs = performance.now() - t0;
    const file = join(out, `mnist-${name}.onnx`);
    writeFileSync(file, bytes);

    const session = await ort.InferenceSession.create(file);
    const t1 = performance.now();
    const result = await session.run({ input: new ort.Tensor("float32", testX, [testY.length, ...model.dom[0]!]) });
    const onnxMs = performance.now() - t1;
    const theirs = result.output!.data as Float32Array;
    await session.release();

    const diff = maxAbsDiff("onnx-export", ours, theirs);
    const [a, b] = [accuracy(ours, testY), accuracy(theirs, testY)];
    console.log(
      `${name}: ${file} (${(bytes.length / 1024).toFixed(0)} KiB, exported in ${exportMs.toFixed(0)} ms); test accuracy paralens ${a.toFixed(4)}, ` +
        `ONNX Runtime ${b.toFixed(4)} (${onnxMs.toFixed(0)} ms for ${testY.length} digits); max abs logit difference ${diff.toExponential(2)}`,
    );
    Object.assign(metrics, { [`${name}ParalensAccuracy`]: a, [`${name}OnnxAccuracy`]: b, [`${name}MaxAbsLogitDiff`]: diff, [`${name}OnnxKiB`]: Math.round(bytes.length / 1024) });
    learner.dispose();
  }
  report("onnx-export", metrics);
} finally {
  if (at < 0) rmSync(out, { recursive: true, force: true });
}
