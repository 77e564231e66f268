// What the character-model examples share: a text as token ids over its own
// alphabet, batches of random windows (the next character is every
// position's label), the unigram and bigram models' cross-entropies for
// scale, and a training loop of a transformer for a time budget.
import os from "node:os";
import { type Rng, adam, supervised, transformer, type TransformerOptions, initialisers, losses, serve } from "paralens";

/** The characters of a text, in order of first appearance's code point, and the text as ids. */
export function alphabet(text: string): { chars: string[]; encode: (s: string) => number[]; decode: (ids: readonly number[]) => string } {
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return {
    chars,
    encode: (s) => [...s].map((c) => index.get(c) ?? 0),
    decode: (ids) => ids.map((i) => chars[i] ?? "?").join(""),
  };
}

/** `count` windows of context + 1 ids from random places: inputs [count, T], labels the next ids [count, T] (class indices, no one-hot rows). */
export function batch(ids: Int32Array, count: number, context: number, rng: Rng, starts?: readonly number[]): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(count * context);
  const y = new Float32Array(count * context);
  for (let e = 0; e < count; e++) {
    const s = starts?.[e] ?? rng.int(ids.length - context - 1);
    for (let i = 0; i < context; i++) {
      x[e * context + i] = ids[s + i]!;
      y[e * context + i] = ids[s + i + 1]!;
    }
  }
  return { x, y };
}

/** Cross-entropy in bits per character on `test` of the unigram and bigram models counted on `train` (add-one smoothing). */
export function baselines(train: Int32Array, test: Int32Array, vocab: number): { unigram: number; bigram: number } {
  const uni = new Float64Array(vocab).fill(1);
  const bi = new Float64Array(vocab * vocab).fill(1);
  for (let i = 0; i < train.length; i++) {
    uni[train[i]!]!++;
    if (i > 0) bi[train[i - 1]! * vocab + train[i]!]!++;
  }
  const rowSums = Array.from({ length: vocab }, (_, a) => bi.subarray(a * vocab, (a + 1) * vocab).reduce((s, v) => s + v, 0));
  const total = uni.reduce((s, v) => s + v, 0);
  let [u, b] = [0, 0];
  for (let i = 1; i < test.length; i++) {
    u -= Math.log2(uni[test[i]!]! / total);
    b -= Math.log2(bi[test[i - 1]! * vocab + test[i]!]! / rowSums[test[i - 1]!]!);
  }
  return { unigram: u / (test.length - 1), bigram: b / (test.length - 1) };
}

export interface TrainOptions {
  model: TransformerOptions;
  train: Int32Array;
  validation: Int32Array;
  batchSize: number;
  lr: number;
  minutes: number;
  /** Stop after this many steps, if the time budget has not run out first (default: no limit). */
  maxSteps?: number;
  /** Windows of validation text scored at each report (evenly spaced). */
  validationWindows: number;
  reportEvery: number;
  seed: number;
  log: (line: string) => void;
}

const BITS = 1 / Math.LN2;

/** Trains for the time budget; returns the learner, the history and the final validation loss in bits per character. */
export function trainFor(o: TrainOptions) {
  const { model: options, batchSize, minutes, seed } = o;
  const T = options.context;
  const model = transformer(options);
  const learner = supervised(model, { loss: losses.tokenCrossEntropy, labels: "indices", optimiser: adam({ lr: o.lr }), rate: 1, seed });
  const rng = new initialisers.Rng(seed + 1);
  const span = o.validation.length - T - 1;
  const valStarts = Array.from({ length: o.validationWindows }, (_, i) => Math.floor((i * span) / o.validationWindows));
  const validate = (): number => {
    let sum = 0;
    for (let i = 0; i < valStarts.length; i += batchSize) {
      const part = valStarts.slice(i, i + batchSize);
      const { x, y } = batch(o.validation, part.length, T, rng, part);
      sum += learner.evaluate(x, y).loss * part.length;
    }
    return (sum / valStarts.length) * BITS;
  };
  const history: { step: number; seconds: number; tokens: number; train: number; validation: number; load: number }[] = [];
  const started = performance.now();
  const deadline = started + minutes * 60_000;
  let [step, tokens, recent, recentSteps, stepSeconds] = [0, 0, 0, 0, 0];
  const maxSteps = o.maxSteps ?? Infinity;
  const done = (): boolean => performance.now() >= deadline || step >= maxSteps;
  while (!done()) {
    const { x, y } = batch(o.train, batchSize, T, rng);
    const t0 = performance.now();
    recent += learner.step(x, y);
    stepSeconds += (performance.now() - t0) / 1000;
    recentSteps++;
    step++;
    tokens += batchSize * T;
    if (step % o.reportEvery === 0 || done()) {
      const seconds = (performance.now() - started) / 1000;
      const row = { step, seconds, tokens, train: (recent / recentSteps) * BITS, validation: validate(), load: os.loadavg()[0]! };
      history.push(row);
      o.log(
        `step ${String(step).padStart(5)}  ${seconds.toFixed(0).padStart(5)} s  ${(tokens / 1e6).toFixed(2)} M tokens  ` +
          `${Math.round((recentSteps * batchSize * T) / stepSeconds)} tokens/s  train ${row.train.toFixed(3)}  validation ${row.validation.toFixed(3)} bits/char  load ${row.load.toFixed(2)}`,
      );
      [recent, recentSteps, stepSeconds] = [0, 0, 0];
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { learner, model, history, step, tokens, seconds, validation: history.at(-1)?.validation ?? validate() };
}

/** Text sampled from a trained learner's parameters through the incremental decoder. */
export function sample(options: TransformerOptions, learner: { params: readonly import("paralens").Tensor[] }, prompt: number[], count: number, seed: number, sampling = { temperature: 0.8, topK: 20 }): number[] {
  const decoder = new serve.Decoder(options, learner.params);
  try {
    return decoder.generate(prompt, count, new initialisers.Rng(seed), sampling);
  } finally {
    decoder.dispose();
  }
}
