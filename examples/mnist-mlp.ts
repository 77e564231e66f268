// A multilayer perceptron on the same 8,000 / 2,000 MNIST split as the CNN
// examples: 784 -> 128 relu -> 10, softmax cross-entropy, Adam, batches of
// 64. The model the mlp-step benchmark times, trained for real.
//
//   npm run example -- mnist-mlp [--epochs n] [--batch n] [--json]
import { init, supervised, softmaxCrossEntropy, adam } from "paralens";
import { loadMnist } from "./data/mnist.ts";
import { mnistMlp } from "./models/mnist.ts";
import { epochLine, option, progressBar, report } from "./cli/progress.ts";

await init();
const epochs = option("epochs", 10);
const batchSize = option("batch", 64);
const seed = option("seed", 0);

const started = performance.now();
const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed });
console.log(`MNIST: ${trainY.length} training and ${testY.length} test digits (split seed ${seed})`);

const model = mnistMlp();
console.log(`model: ${model.name}`);

const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, seed });
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
report("mnist-mlp", {
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
