// The batching predictor with the engine on two threads: the larger batches
// are cut across the workers, and each row must still get the same bits
// alone and in a batch of any size (and the same bits as on one thread,
// which the portable test's reference, the learner's own predict, pins).
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { adam, engine, init, predictor, softmaxCrossEntropy, supervised } from "../ts-api/index.ts";
import { mnistMlp } from "../examples/models/mnist.ts";
import { checkBatchInvariance, testRows } from "./serve-invariance.ts";

await init({ threads: 2 });

test("predictor on 2 threads: each MNIST MLP row gets the same bits alone and in batches of every size 1..64", async () => {
  assertEqual(engine().threads.count, 2, `threads: ${engine().threads.reason}`);
  const learner = supervised(mnistMlp(), { loss: softmaxCrossEntropy, optimiser: adam(), seed: 3 });
  try {
    assert((await checkBatchInvariance(learner, testRows(70, 784), 64)) > 0);
  } finally {
    learner.dispose();
  }
});

test("predictor on 2 threads: many concurrent calls are answered and close() drains them", async () => {
  const learner = supervised(mnistMlp(), { loss: softmaxCrossEntropy, seed: 1 });
  const p = predictor(learner, { maxBatch: 32, maxDelayMs: 1 });
  const rows = testRows(200, 784, 3);
  const answers = rows.map((r) => p.predict(r));
  await p.close();
  const all = await Promise.all(answers);
  const direct = learner.predict(rows.map((r) => Array.from(r)));
  all.forEach((a, i) => assertEqual(Array.from(a).join(), Array.from(direct.subarray(i * 10, i * 10 + 10)).join(), `row ${i}`));
  assertEqual(p.stats().rows, 200);
  learner.dispose();
});
