// A CI-sized training run: a small transformer on a text drawn from a tiny
// grammar learns it well enough that its validation loss falls below the
// unigram model's (counted on the training text, computed here), and the
// cached decoder then samples from it. Seeded alike, a learner given the next
// characters as class indices follows the one given one-hot rows, step by step.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { type Rng, adam, adamw, supervised, transformer, initialisers, losses, optimisers, serve } from "../ts-api/index.ts";
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
  const rng = new initialisers.Rng(3);
  const vocab = new Set(words.join("")).size;
  const [train, valid] = [text(4000, rng), text(600, rng)];
  const counts = new Float64Array(vocab).fill(1);
  train.forEach((c) => counts[c]!++);
  const total = counts.reduce((a, b) => a + b);
  const unigram = -valid.reduce((s, c) => s + Math.log(counts[c]! / total), 0) / valid.length;

  const options = { vocab, context: 12, dim: 16, heads: 2, layers: 1 };
  const learner = supervised(transformer(options), { loss: losses.tokenCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: 1, seed: 2 });
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

  const decoder = new serve.Decoder(options, learner.params);
  const sampled = decoder.generate([0], 30, new initialisers.Rng(1), { temperature: 0.5 });
  assert(sampled.length === 30 && sampled.every((t) => t >= 0 && t < vocab), "30 tokens of the vocabulary");
  decoder.dispose();
  learner.dispose();
});

test("the character transformer trains from class indices with the loss curve of one-hot labels (clipped AdamW, warmup then cosine)", () => {
  const rng = new initialisers.Rng(5);
  const vocab = new Set(words.join("")).size;
  const train = text(3000, rng);
  const options = { vocab, context: 12, dim: 16, heads: 2, layers: 1 };
  const lr = optimisers.joinSchedules([optimisers.linearWarmup(0.001, 0.01, 5), optimisers.cosineDecay(0.01, 25, 0.1)], [5]);
  const optimiser = optimisers.chain(optimisers.clipByGlobalNorm(1), adamw({ lr, weightDecay: 0.01 }));
  const hot = supervised(transformer(options), { loss: losses.tokenCrossEntropy, optimiser, rate: 1, seed: 2 });
  const byIndex = supervised(transformer(options), { loss: losses.tokenCrossEntropy, optimiser, rate: 1, seed: 2, labels: "indices" });
  const T = options.context;
  const curves: [number[], number[]] = [[], []];
  for (let step = 0; step < 30; step++) {
    const starts = Array.from({ length: 8 }, () => rng.int(train.length - T - 1));
    const x = new Float32Array(8 * T), next = new Float32Array(8 * T), rows = new Float32Array(8 * T * vocab);
    starts.forEach((s, e) => {
      for (let i = 0; i < T; i++) {
        x[e * T + i] = train[s + i]!;
        next[e * T + i] = train[s + i + 1]!;
        rows[(e * T + i) * vocab + train[s + i + 1]!] = 1;
      }
    });
    curves[0].push(hot.step(x, rows));
    curves[1].push(byIndex.step(x, next));
  }
  const worst = Math.max(...curves[0].map((l, i) => Math.abs(l - curves[1][i]!) / l));
  assert(worst <= 1e-6, `the loss curves differ by up to ${worst} (relative)`);
  assert(curves[0][29]! < curves[0][0]! - 0.5, `the loss falls (from ${curves[0][0]} to ${curves[0][29]})`);
  console.log(`transformer one-hot vs index labels: 30 steps, losses ${curves[0][0]!.toFixed(4)} -> ${curves[0][29]!.toFixed(4)}, largest relative difference ${worst}`);
  hot.dispose();
  byIndex.dispose();
});
