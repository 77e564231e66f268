// Bring your model, end to end: a CNN PyTorch trained on the digits 0-4
// (examples/torch/digits_cnn.py wrote examples/models/digits-0-4.onnx) is
// imported with fromOnnx, its convolutions frozen, and its head fitted to the
// digits 5-9; then toOnnx writes it back and ONNX Runtime runs it, giving
// paralens's logits. The page examples/web/finetune/ runs the same steps
// (examples/web/finetune/finetune.js) in the browser.
//
//   npm run example -- onnx-finetune [--per-class n] [--epochs n] [--quick] [--json] [--web-data]
//
// Of each class the first images train and the last 200 test (PyTorch
// trained on the first 600 of 0-4, so no test image was seen). --web-data
// writes the quick run's digits for the page (examples/web/finetune/digits.bin).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as P from "paralens";
import * as io from "paralens/io";
import { finetuneDigits } from "./data/finetune-digits.ts";
import { option, report } from "./cli/progress.ts";
import { maxAbsDiff } from "./cli/logits.ts";
import { decodeDigits, finetune, parameterHash } from "./web/finetune/finetune.js";

const quick = process.argv.includes("--quick") || process.argv.includes("--web-data");
const perClass = option("per-class", quick ? 60 : 600);
const epochs = option("epochs", quick ? 4 : 6);
const bytes = finetuneDigits(perClass);
if (process.argv.includes("--web-data")) {
  const file = join(import.meta.dirname, "web", "finetune", "digits.bin");
  writeFileSync(file, bytes);
  console.log(`wrote ${file} (${bytes.length} bytes)`);
}
const digits = decodeDigits(bytes);
const onnx = readFileSync(join(import.meta.dirname, "models", "digits-0-4.onnx"));

await P.init();
const t0 = performance.now();
const { learner, before, after } = await finetune(P, io, onnx, digits, {
  epochs,
  onEpochEnd: (r: P.EpochReport) => console.log(`epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  accuracy ${r.accuracy.toFixed(4)}`),
});
const seconds = (performance.now() - t0) / 1000;
console.log(`digits 5-9 (${digits.test.y.length} held out): accuracy ${before.new.toFixed(4)} as PyTorch left it, ${after.new.toFixed(4)} after fitting the head on ${digits.train.y.length}`);
console.log(`digits 0-4 (${digits.old.y.length} held out): accuracy ${before.old.toFixed(4)} before, ${after.old.toFixed(4)} after (the head now answers 5-9)`);

// back to ONNX, and ONNX Runtime's logits against paralens's
const ort = await import("onnxruntime-node");
const batch = digits.test.y.length;
const session = await ort.InferenceSession.create(io.toOnnx(learner, { batch }));
const input = session.inputNames[0]!;
const result = await session.run({ [input]: new ort.Tensor("float32", digits.test.x, [batch, 1, 28, 28]) });
const theirs = result[session.outputNames[0]!]!.data as Float32Array;
const ours = learner.predict(digits.test.x);
const diff = maxAbsDiff("onnx-finetune", ours, theirs);
// relative to the largest logit: the two engines sum the convolutions in different orders
const relative = diff / theirs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const argmax = (z: Float32Array, n: number): number => z.subarray(n * 10, n * 10 + 10).reduce((best, v, i, row) => (v > row[best]! ? i : best), 0);
let agree = 0;
for (let n = 0; n < batch; n++) if (argmax(ours, n) === argmax(theirs, n)) agree++;
await session.release();
console.log(
  `toOnnx: ONNX Runtime's logits of the ${batch} test digits differ from paralens's by at most ${diff.toExponential(2)} ` +
    `(${relative.toExponential(2)} of the largest); the predicted digit is the same for ${agree} of ${batch}`,
);
const hash = parameterHash(learner);
learner.dispose();

report("onnx-finetune", {
  newBefore: before.new, newAfter: after.new, oldBefore: before.old, oldAfter: after.old, trainPerClass: perClass, epochs, seconds,
  onnxRuntimeMaxAbsDiff: diff, onnxRuntimeMaxRelDiff: relative, onnxRuntimeSamePrediction: agree / batch, parameterHash: hash,
});
