// A dense autoencoder on MNIST with a 2-D latent, trained by the same
// supervised lens as the classifiers with the label wire fed the input
// itself: supervised(encoder ; decoder, { loss: mse }) and fit(x, x).
//
//   784 -> 256 relu -> 64 relu -> 2  ;  2 -> 64 relu -> 256 relu -> 784 sigmoid
//
// Writes the test digits' latent codes as an SVG scatter coloured by digit
// and originals above their reconstructions as PNG, and reports the
// reconstruction error per pixel, mean((x' - x)^2), on the test split.
//
//   npm run example -- autoencoder [--epochs n] [--lr x] [--quick] [--json]
import { join } from "node:path";
import { init, seq, dense, supervised, mse, adam, compile, type Para, type Wires, initialisers } from "paralens";
import { loadMnist, MNIST_PIXELS } from "./data/mnist.ts";
import { gridPng, scatterSvg, writeOut } from "./images/png.ts";
import { option, progressBar, report } from "./cli/progress.ts";

await init();
const quick = process.argv.includes("--quick");
const epochs = option("epochs", quick ? 1 : 30);
const lr = option("lr", 0.001);
const batchSize = option("batch", 64);
const seed = option("seed", 0);
const out = join(import.meta.dirname, "..", quick ? "build/images/quick" : "docs/images");
const started = performance.now();

const split = loadMnist({ train: 8000, test: 2000, seed });
// --quick: a tenth of the training digits, enough to see the loss fall
const trainX = quick ? split.trainX.subarray(0, 800 * MNIST_PIXELS) : split.trainX;
const { testX, testY } = split;
const LATENT = 2;
const encoder = seq(dense(784, 256, "relu", { init: initialisers.heUniform }), dense(256, 64, "relu", { init: initialisers.heUniform }), dense(64, LATENT)) as Para<Wires, Wires>;
const decoder = seq(dense(LATENT, 64, "relu", { init: initialisers.heUniform }), dense(64, 256, "relu", { init: initialisers.heUniform }), dense(256, 784, "sigmoid")) as Para<Wires, Wires>;
const model = seq(encoder, decoder) as Para<Wires, Wires>;
console.log(`autoencoder: ${trainX.length / MNIST_PIXELS} training and ${testY.length} test digits; ${model.name}`);

/** Mean squared error per pixel: the loss is 1/2 sum (x' - x)^2 per digit. */
const perPixel = (loss: number): number => (2 * loss) / MNIST_PIXELS;
// the label is the input: the same supervised lens, its label wire fed x
const learner = supervised(model, { loss: mse, optimiser: adam({ lr }), rate: 1, seed });
const testMse: number[] = [];
const history = await learner.fit(trainX, trainX, {
  epochs,
  batchSize,
  seed,
  onBatchEnd: progressBar(epochs),
  onEpochEnd: (r) => {
    if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
    testMse.push(perPixel(learner.evaluate(testX, testX).loss));
    console.log(`epoch ${r.epoch}/${epochs}  training MSE per pixel ${perPixel(r.loss).toFixed(4)}  test ${testMse[testMse.length - 1]!.toFixed(4)}  ${r.seconds.toFixed(1)} s`);
  },
});

// the latent codes: the encoder alone, on the learner's first parameters (the model's order is the encoder's, then the decoder's)
const codes = new Float32Array(testY.length * LATENT);
const encode = compile(encoder, { batch: testY.length, params: learner.params.slice(0, encoder.params.length), changes: "none" });
encode.inputs[0]!.set(testX);
encode.forward();
codes.set(encode.outputs[0]!.data);
encode.dispose();
writeOut(join(out, "autoencoder-latent.svg"), scatterSvg([{ title: `latent codes of ${testY.length} test digits`, points: codes, labels: testY }], { size: 420, legend: true }));

// originals (rows 1 and 3) above their reconstructions (rows 2 and 4): two test digits of each class
const shown: number[] = [];
for (let d = 0; d < 10; d++) for (let i = 0, k = 0; i < testY.length && k < 2; i++) if (testY[i] === d) shown.push(i), k++;
const originals = new Float32Array(shown.length * MNIST_PIXELS);
shown.forEach((i, j) => originals.set(testX.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), j * MNIST_PIXELS));
const rebuilt = learner.predict(originals);
const rows = new Float32Array(2 * originals.length);
for (let half = 0; half < 2; half++) {
  const at = half * 10 * MNIST_PIXELS;
  rows.set(originals.subarray(at, at + 10 * MNIST_PIXELS), 2 * at);
  rows.set(rebuilt.subarray(at, at + 10 * MNIST_PIXELS), 2 * at + 10 * MNIST_PIXELS);
}
writeOut(join(out, "autoencoder.png"), gridPng({ images: rows, count: 40, h: 28, w: 28, columns: 10 }));
console.log(`wrote ${join(out, "autoencoder-latent.svg")} and ${join(out, "autoencoder.png")} (rows: test digits, their reconstructions, twice)`);

const final = testMse[testMse.length - 1] ?? perPixel(learner.evaluate(testX, testX).loss);
// the baseline a 2-number code must beat: every digit rebuilt as the mean training digit
const meanDigit = new Float64Array(MNIST_PIXELS);
for (let i = 0; i < trainX.length; i++) meanDigit[i % MNIST_PIXELS]! += trainX[i]! / (trainX.length / MNIST_PIXELS);
let baseline = 0;
for (let i = 0; i < testX.length; i++) baseline += (testX[i]! - meanDigit[i % MNIST_PIXELS]!) ** 2;
baseline /= testX.length;
console.log(`test reconstruction MSE per pixel ${final.toFixed(4)} (the mean training digit for every digit: ${baseline.toFixed(4)}); training ${history.seconds.toFixed(1)} s`);
report("autoencoder", {
  testMsePerPixel: final,
  trainMsePerPixel: perPixel(history.loss[history.loss.length - 1] ?? NaN),
  meanDigitMsePerPixel: baseline,
  latent: LATENT,
  epochs,
  batchSize,
  lr,
  trainingSeconds: history.seconds,
  totalSeconds: (performance.now() - started) / 1000,
});
learner.dispose();
