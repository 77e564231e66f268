// The demo: a small convolutional network trained on 8,000 real MNIST digits
// and tested on 2,000 others (a seeded split of the `mnist` package's 10,000).
//
//   conv 3x3 1->8 same ; relu ; max-pool 2 ; conv 3x3 8->16 same ; relu ; max-pool 2 ;
//   flatten ; dense 784->64 relu ; dense 64->10
//
// Softmax cross-entropy, Adam, batches of 32: six epochs at a step size of
// 0.002, then two at 0.0002. The second phase is a learning-rate drop: a new
// Adam lens (fresh state) on the parameters the first phase trained, which
// settles the noisy last steps of the first phase (about +0.5% test accuracy).
//
//   npm run demo                (or: npm run example -- mnist-cnn [--epochs n] [--fine n] [--json])
import { init, supervised, softmaxCrossEntropy, adam, type History } from "paralens";
import { loadMnist } from "./data/mnist.ts";
import { demoCnn } from "./models/mnist.ts";
import { epochLine, option, progressBar, report } from "./cli/progress.ts";

await init();
const phases = [
  { epochs: option("epochs", 6), lr: 0.002 },
  { epochs: option("fine", 2), lr: 0.0002 },
].filter((p) => p.epochs > 0);
const epochs = phases.reduce((n, p) => n + p.epochs, 0);
const batchSize = option("batch", 32);
const seed = option("seed", 0);

const started = performance.now();
const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed });
console.log(`MNIST: ${trainY.length} training and ${testY.length} test digits (split seed ${seed})`);
const model = demoCnn();
console.log(`model: ${model.name}`);
console.log(`parameters: ${model.params.map((p) => `${p.name} [${p.shape.join(", ")}]`).join(", ")}`);

let trained: Record<string, Float32Array> | undefined;
let test = { loss: NaN, accuracy: NaN };
let seconds = 0;
let last: History | undefined;
let done = 0;
for (const { epochs: n, lr } of phases) {
  const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr }), rate: 1, seed });
  if (trained) learner.setParameters(trained);
  last = await learner.fit(trainX, trainY, {
    epochs: n,
    batchSize,
    seed: seed + done,
    validation: { x: testX, y: testY },
    onBatchEnd: progressBar(epochs, done),
    onEpochEnd: epochLine(epochs, done, `  (Adam ${lr})`),
  });
  seconds += last.seconds;
  done += n;
  trained = learner.parameters();
  test = learner.evaluate(testX, testY);
  learner.dispose();
}
const examplesPerSecond = (epochs * trainY.length) / seconds;
const total = (performance.now() - started) / 1000;
console.log(
  `test accuracy ${test.accuracy.toFixed(4)} (test loss ${test.loss.toFixed(4)}); ` +
    `training ${seconds.toFixed(1)} s at ${Math.round(examplesPerSecond)} examples/s; ${total.toFixed(1)} s in all`,
);
report("mnist-cnn", {
  testAccuracy: test.accuracy,
  testLoss: test.loss,
  trainAccuracy: last?.accuracy[last.accuracy.length - 1] ?? NaN,
  epochs,
  batchSize,
  trainingSeconds: seconds,
  examplesPerSecond,
  totalSeconds: total,
});
