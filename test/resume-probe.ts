// A process of the resumption test (test/resume.node.test.ts): trains the
// learner of test/resume.node.test.ts in one of three ways and prints the
// hash of its parameters and optimiser state.
//   whole           6 epochs in one fit
//   first <file>    epochs 1-3, saving the learner to <file> after epoch 3
//   rest <file>     a fresh learner loads <file> and trains epochs 4-6
//   cut <file>      stops in the middle of epoch 4 (after its step 3), saving the learner to <file> there
//   resume <file>   a fresh learner loads <file> and trains from step 4 of epoch 4 to the end
import { readFileSync, writeFileSync } from "node:fs";
import { type BatchReport, adam, dense, init, seq, softmaxCrossEntropy, supervised, layers } from "../ts-api/index.ts";

await init();
const [mode, file] = process.argv.slice(2);
const x = Array.from({ length: 100 }, (_, i) => [Math.sin(i * 1.3), Math.cos(i * 0.7), ((i * 37) % 17) / 17 - 0.5]);
const y = x.map(([a, b, c]) => (a! + b! > 0 ? (c! > 0 ? 2 : 1) : 0));
// a different seed for the fresh learner: everything it has must come from the file
const learner = supervised(seq(dense(3, 16), layers.relu, dense(16, 3)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: 1, seed: mode === "rest" || mode === "resume" ? 99 : 7 });
const options = { epochs: 6, batchSize: 16, seed: 5 };
if (mode === "whole") await learner.fit(x, y, options);
else if (mode === "first") {
  // save() takes the state at the call; the file is written once it is encoded
  let saved: Promise<Uint8Array> | undefined;
  await learner.fit(x, y, { ...options, epochs: 3, onEpochEnd: (r) => void (r.epoch === 3 && (saved = learner.save())) });
  writeFileSync(file!, await saved!);
} else if (mode === "cut") {
  // saved from onBatchEnd, then stopped as a killed process would be: nothing after the save counts
  const stop = new AbortController();
  let saved: Promise<Uint8Array> | undefined;
  const onBatchEnd = (r: BatchReport): void => {
    if (r.epoch === 4 && r.batch === 3) {
      saved = learner.save();
      stop.abort(new Error("cut"));
    }
  };
  await learner.fit(x, y, { ...options, onBatchEnd, signal: stop.signal }).catch((e: Error) => {
    if (e.message !== "cut") throw e;
  });
  writeFileSync(file!, await saved!);
} else if (mode === "resume") {
  await learner.load(new Uint8Array(readFileSync(file!)));
  await learner.fit(x, y, { ...options, initialEpoch: 3, initialStep: 3 });
} else {
  await learner.load(new Uint8Array(readFileSync(file!)));
  await learner.fit(x, y, { ...options, initialEpoch: 3 });
}
// FNV-1a over the bits of every state tensor
let h = 0x811c9dc5;
for (const t of learner.state) for (const w of new Uint32Array(t.toArray().buffer)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
console.log(h.toString(16));
