// A CI-sized training run: a small transformer on a text drawn from a tiny
// grammar learns it well enough that its validation loss falls below the
// unigram model's (counted on the training text, computed here), and the
// cached decoder then samples from it.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { Decoder, Rng, adam, supervised, tokenCrossEntropy, transformer } from "../ts-api/index.ts";
import { init } from "../ts-api/index.ts";

await init();

const words = ["the ", "whale ", "sea ", "ship ", "a ", "ahab ", "white ", "sails ", "on ", "deep "];
function text(n: number, rng: Rng): Int32Array {
  let s = "";
  while (s.length < n) s += words[rng.int(words.length)];
  const chars = [...new Set(words.join(""))].sort();
  return Int32Array.from([...s.slice(0, n)].map((c) => chars.indexOf(c)));
}

test("a small transformer's validation loss falls below the unigram baseline", () => {
  const rng = new Rng(3);
  const vocab = new Set(words.join("")).size;
  const [train, valid] = [text(4000, rng), text(600, rng)];
  const counts = new Float64Array(vocab).fill(1);
  train.forEach((c) => counts[c]!++);
  const total = counts.reduce((a, b) => a + b);
  const unigram = -valid.reduce((s, c) => s + Math.log(counts[c]! / total), 0) / valid.length;

  const options = { vocab, context: 12, dim: 16, heads: 2, layers: 1 };
  const learner = supervised(transformer(options), { loss: tokenCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 2 });
  const windows = (ids: Int32Array, starts: number[]) => {
    const T = options.context;
    const x = new Float32Array(starts.length * T), y = new Float32Array(starts.length * T * vocab);
    starts.forEach((s, e) => {
      for (let i = 0; i < T; i++) {
        x[e * T + i] = ids[s + i]!;
        y[(e * T + i) * vocab + ids[s + i + 1]!] = 1;
      }
    });
    return { x, y };
  };
  const valStarts = Array.from({ length: 40 }, (_, i) => i * 14);
  const validation = () => {
    const { x, y } = windows(valid, valStarts);
    return learner.evaluate(x, y).loss;
  };
  const before = validation();
  for (let step = 0; step < 150; step++) {
    const { x, y } = windows(train, Array.from({ length: 8 }, () => rng.int(train.length - 13)));
    learner.step(x, y);
  }
  const after = validation();
  assert(after < unigram, `validation loss ${after.toFixed(3)} nats is not below the unigram's ${unigram.toFixed(3)} (it started at ${before.toFixed(3)})`);

  const decoder = new Decoder(options, learner.params);
  const sampled = decoder.generate([0], 30, new Rng(1), { temperature: 0.5 });
  assert(sampled.length === 30 && sampled.every((t) => t >= 0 && t < vocab), "30 tokens of the vocabulary");
  decoder.dispose();
  learner.dispose();
});
