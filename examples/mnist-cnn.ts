// The demo: a small convolutional network on 8,000 real MNIST digits, tested
// on 2,000 others (a seeded split of the `mnist` package's 10,000).
//
//   conv 3x3 1->8 same ; relu ; max-pool 2 ; conv 3x3 8->16 same ; relu ; max-pool 2 ; flatten ; dense 784->10
//
// trained with softmax cross-entropy and Adam, batches of 32.
//
//   npm run demo                       (or: npm run example -- mnist-cnn [--epochs n] [--json])
import {
  init, seq, conv2d, relu, maxPool2d, flatten, dense, heUniform, supervised, softmaxCrossEntropy, adam,
} from "../ts-api/index.ts";
import { loadMnist } from "./data/mnist.ts";
import { epochLine, option, progressBar, report } from "./cli/progress.ts";

await init();
const epochs = option("epochs", 5);
const batchSize = option("batch", 32);
const seed = option("seed", 0);

const started = performance.now();
const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed });
console.log(`MNIST: ${trainY.length} training and ${testY.length} test digits (split seed ${seed})`);

const model = seq(
  conv2d({ filters: 8, kernel: 3, padding: "same", init: heUniform }),
  relu,
  maxPool2d(2),
  conv2d({ filters: 16, kernel: 3, padding: "same", init: heUniform }),
  relu,
  maxPool2d(2),
  flatten,
  dense(7 * 7 * 16, 10),
).at([28, 28, 1]);
console.log(`model: ${model.name}`);
console.log(`parameters: ${model.params.map((p) => `${p.name} [${p.shape.join(", ")}]`).join(", ")}`);

const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.002 }), rate: 1, seed });
const history = await learner.fit(trainX, trainY, {
  epochs,
  batchSize,
  seed,
  validation: { x: testX, y: testY },
  onBatchEnd: progressBar(epochs),
  onEpochEnd: epochLine(epochs),
});
const test = learner.evaluate(testX, testY);
const seconds = (performance.now() - started) / 1000;
const examplesPerSecond = (epochs * trainY.length) / history.seconds;
console.log(
  `test accuracy ${test.accuracy.toFixed(4)} (test loss ${test.loss.toFixed(4)}); ` +
    `training ${history.seconds.toFixed(1)} s at ${Math.round(examplesPerSecond)} examples/s; ${seconds.toFixed(1)} s in all`,
);
report("mnist-cnn", {
  testAccuracy: test.accuracy,
  testLoss: test.loss,
  trainAccuracy: history.accuracy[history.accuracy.length - 1] ?? NaN,
  epochs,
  batchSize,
  trainingSeconds: history.seconds,
  examplesPerSecond,
  totalSeconds: seconds,
});
learner.dispose();
