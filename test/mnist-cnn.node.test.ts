// The demo CNN learns real digits: a CI-sized run of the mnist-cnn example's
// network and optimiser (2,000 training digits, 2 epochs, fixed seeds),
// asserted against the test accuracy it was measured to reach. Node only:
// the digits are read from the `mnist` package's files.
import { init, supervised, softmaxCrossEntropy, adam } from "../ts-api/index.ts";
import { loadMnist } from "../examples/data/mnist.ts";
import { demoCnn } from "../examples/models/mnist.ts";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

await init();

// Measured: 0.9290 (strict build, Node 20, with both the simple and the packed
// GEMM of the core; 2.6 s of training). The bar leaves room for changes
// that move the bits (a different GEMM summation order, say) but not the skill.
const THRESHOLD = 0.91;

test("the demo CNN reaches its measured accuracy on a subset of MNIST in two epochs", async () => {
  const { trainX, trainY, testX, testY } = loadMnist({ train: 2000, test: 1000, seed: 0 });
  const learner = supervised(demoCnn(), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.002 }), rate: 1, seed: 0 });
  const history = await learner.fit(trainX, trainY, { epochs: 2, batchSize: 32, seed: 0 });
  const { accuracy } = learner.evaluate(testX, testY);
  learner.dispose();
  console.log(`mnist-cnn subset: test accuracy ${accuracy.toFixed(4)}, training ${history.seconds.toFixed(1)} s`);
  assert(history.loss[1]! < history.loss[0]!, `the training loss falls: ${history.loss.join(", ")}`);
  assert(accuracy >= THRESHOLD, `test accuracy ${accuracy} is below the measured bar ${THRESHOLD}`);
});
