// The batching predictor: a row's outputs are the same bits alone and in any
// batch; calls that arrive together run as one forward pass, on the smallest
// plan that holds them; a bad row, a full queue or a closed predictor rejects
// only the call concerned; every option is checked by name.
import { test } from "./harness.ts";
import { assert, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import { ParalensError, adam, dense, init, mse, predictor, seq, softmaxCrossEntropy, supervised } from "../ts-api/index.ts";
import { demoCnn, mnistMlp } from "../examples/models/mnist.ts";
import { checkBatchInvariance, testRows } from "./serve-invariance.ts";

await init();

test("predictor: each MNIST MLP row gets the same bits alone and in batches of every size 1..64", async () => {
  const learner = supervised(mnistMlp(), { loss: softmaxCrossEntropy, optimiser: adam(), seed: 3 });
  try {
    const compared = await checkBatchInvariance(learner, testRows(70, 784), 64);
    assertEqual(compared, 3 * (64 * 65) / 2);
  } finally {
    learner.dispose();
  }
});

test("predictor: each CNN row gets the same bits alone and in batches of every size 1..12", async () => {
  const learner = supervised(demoCnn(), { loss: softmaxCrossEntropy, seed: 4 });
  try {
    await checkBatchInvariance(learner, testRows(15, 784, 2), 12);
  } finally {
    learner.dispose();
  }
});

test("predictor: a batch runs on the smallest plan that holds it (powers of two, then maxBatch), the rest padded", async () => {
  const learner = supervised(dense(3, 2), { loss: mse });
  const p = predictor(learner, { maxBatch: 12, maxDelayMs: 0 });
  try {
    const padded: number[] = [];
    for (const n of [1, 2, 3, 5, 8, 9, 12]) {
      const before = p.stats().paddedRows;
      await Promise.all(Array.from({ length: n }, (_, i) => p.predict([i, 1, 2])));
      padded.push(p.stats().paddedRows - before);
    }
    // plans of 1, 2, 4, 8 and 12 rows
    assertEqual(padded.join(","), [0, 0, 1, 3, 0, 3, 0].join(","));
    // 20 calls at once: a full batch of 12 and one of 8
    const before = p.stats();
    await Promise.all(Array.from({ length: 20 }, (_, i) => p.predict([i, 0, 0])));
    assertEqual(p.stats().batches - before.batches, 2);
    assertEqual(p.stats().rows - before.rows, 20);
  } finally {
    await p.close();
    learner.dispose();
  }
});

test("predictor: a bad row rejects its own call only; the rows batched with it are answered", async () => {
  const learner = supervised(dense(3, 2), { loss: mse, seed: 5 });
  const p = predictor(learner, { maxBatch: 8, maxDelayMs: 0 });
  try {
    const good = [1, 2, 3];
    const alone = await p.predict(good);
    const calls: [unknown, RegExp | null][] = [
      [good, null],
      [[1, 2], /the row has 2 values, expected 3 \(shape \[3\]\)/],
      [[1, NaN, 3], /value 1 of the row is NaN/],
      [[1, 2, "3"], /value 2 of the row is "3" \(a string\)/],
      [[null, 2, 3], /value 0 of the row is null/],
      [[1, 2, Infinity], /value 2 of the row is Infinity/],
      [[1, 2, 1e39], /value 2 of the row is 1e\+39/],
      ["1,2,3", /a row must be an array or a typed array of 3 numbers, got "1,2,3"/],
      [undefined, /got undefined/],
      [Float32Array.of(1, 2, 3), null],
    ];
    const before = p.stats().batches;
    const results = await Promise.allSettled(calls.map(([row]) => p.predict(row as number[])));
    assertEqual(p.stats().batches, before + 1, "the good rows ran as one batch");
    results.forEach((r, i) => {
      const expected = calls[i]![1];
      if (expected === null) {
        assert(r.status === "fulfilled", `call ${i} is answered`);
        assertEqual(Array.from(r.value).join(), Array.from(alone).join(), `call ${i}: the same outputs as alone`);
      } else {
        assert(r.status === "rejected", `call ${i} is refused`);
        assert(r.reason instanceof ParalensError, `call ${i}: a ParalensError`);
        assert(expected.test(r.reason.message), `call ${i}: "${r.reason.message}" matches ${expected}`);
      }
    });
  } finally {
    await p.close();
    learner.dispose();
  }
});

test("predictor: a full queue refuses calls beyond maxQueue, naming the limit, and takes calls again once it drains", async () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  const p = predictor(learner, { maxBatch: 8, maxDelayMs: 0, maxQueue: 4 });
  try {
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => p.predict([i, i])));
    assertEqual(results.map((r) => r.status).join(), "fulfilled,fulfilled,fulfilled,fulfilled,rejected,rejected");
    const reason = (results[5] as PromiseRejectedResult).reason as Error;
    assert(reason instanceof ParalensError && /the queue is full \(maxQueue 4 rows waiting\)/.test(reason.message), reason.message);
    assertEqual(p.stats().refused, 2);
    assertEqual((await p.predict([1, 1])).length, 1);
  } finally {
    await p.close();
    learner.dispose();
  }
});

test("predictor: close() answers every waiting call, then refuses new ones", async () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  // a long delay: without close() these would wait a minute
  const p = predictor(learner, { maxBatch: 8, maxDelayMs: 60_000 });
  const waiting = [p.predict([1, 2]), p.predict([3, 4]), p.predict([5, 6])];
  const closed = p.close();
  assertEqual((await Promise.all(waiting)).length, 3);
  await closed;
  assert(p.close() === closed, "close() again gives the same promise");
  await assertRejects(() => p.predict([1, 2]), /predictor: closed; no new calls are taken after close\(\)/);
  learner.dispose();
});

test("predictor: a learner disposed before its predictor is closed is refused by name, not read from freed memory", async () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  const p = predictor(learner, { maxDelayMs: 0 });
  const waiting = p.predict([1, 2]);
  learner.dispose();
  await assertRejects(() => waiting, /predictor: the model's parameters were disposed \(learner\.dispose\(\)\); close\(\) the predictor before disposing its learner/);
  await assertRejects(() => p.predict([1, 2]), /parameters were disposed/);
  await p.close();
});

test("predictor: a learner's step between batches is seen whole by the next batch", async () => {
  const learner = supervised(seq(dense(2, 4, "tanh"), dense(4, 1)), { loss: mse, rate: 0.5, seed: 2 });
  const p = predictor(learner, { maxDelayMs: 0 });
  try {
    const before = await p.predict([0.5, -0.5]);
    learner.step([[0.5, -0.5], [1, 1]], [[3], [-3]]);
    const after = await p.predict([0.5, -0.5]);
    assert(before[0] !== after[0], "the prediction changed with the step");
    assertEqual(after[0], learner.predict([[0.5, -0.5]])[0], "the learner's own prediction after the step");
  } finally {
    await p.close();
    learner.dispose();
  }
});

test("predictor: a model with parameters by name is served without a learner, its parameters checked", async () => {
  const model = dense(2, 1);
  const p = predictor({ model, parameters: { weight: [0.5, -1], bias: [0.25] } }, { maxDelayMs: 0 });
  assertEqual((await p.predict([2, 3]))[0], 0.5 * 2 - 3 + 0.25);
  await p.close();
  assertThrows(() => predictor({ model, parameters: { weight: [0.5, -1] } }), /missing parameter "bias"/);
  assertThrows(() => predictor({ model, parameters: { weight: [0.5, -1], bias: [0], beta: [1] } }), /has no parameter "beta"/);
  assertThrows(() => predictor({ model, parameters: { weight: [0.5], bias: [0] } }), /"weight" is \[2, 1\] \(2 values\), got 1/);
  assertThrows(() => predictor({ model, parameters: { weight: [0.5, NaN], bias: [0] } }), /"weight" value 1 is NaN/);
  assertThrows(() => predictor({ model: {} as never, parameters: {} }), /the model must be a layer/);
  assertThrows(() => predictor(42 as never), /expected a Learner or \{ model, parameters \}, got 42/);
});

test("predictor: every option is checked, naming the option and the value", () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  try {
    const cases: [unknown, RegExp][] = [
      [{ maxBatch: 0 }, /maxBatch must be a whole number from 1 to 4096, got 0/],
      [{ maxBatch: 2.5 }, /maxBatch must be .*, got 2\.5/],
      [{ maxBatch: "8" }, /maxBatch must be .*, got "8" \(a string\)/],
      [{ maxBatch: 5000 }, /maxBatch must be .*, got 5000/],
      [{ maxDelayMs: -1 }, /maxDelayMs must be a number of milliseconds from 0 to 3600000, got -1/],
      [{ maxDelayMs: NaN }, /maxDelayMs must be .*, got NaN/],
      [{ maxQueue: 0 }, /maxQueue must be a whole number from 1 to 16777216, got 0/],
      [{ maxQueue: null }, /maxQueue must be .*, got null/],
      [{ maxbatch: 8 }, /unknown option "maxbatch"; the options are maxBatch, maxDelayMs, maxQueue/],
      [7, /options must be an object, got 7/],
    ];
    for (const [options, message] of cases) {
      const err = assertThrows(() => predictor(learner, options as never), message);
      assert(err instanceof ParalensError, `a ParalensError for ${JSON.stringify(options)}`);
    }
    // the defaults
    const p = predictor(learner);
    assertEqual(p.inWidth, 2);
    void p.close();
  } finally {
    learner.dispose();
  }
});

test("batcher, settling each call from its own timer (as on Cloudflare Workers): one batch, every call answered, a failed batch rejects its calls", async () => {
  const { Batcher } = await import("../ts-api/serve/batcher.ts");
  const runs: number[][] = [];
  const b = new Batcher<number, number>("test", { maxBatch: 4, maxDelayMs: 0, maxQueue: 100 }, (items) => {
    runs.push([...items]);
    if (items.includes(-1)) throw new Error("a bad batch");
    return items.map((x) => x * 2);
  }, "items", true);
  // more than maxBatch: in this mode a full batch also waits for a timer, then runs in chunks of maxBatch
  assertEqual((await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)))).join(), "2,4,6,8,10,12");
  assertEqual(JSON.stringify(runs), "[[1,2,3,4],[5,6]]");
  const settled = await Promise.allSettled([b.submit(7), b.submit(-1)]);
  assertEqual(settled.map((s) => s.status).join(), "rejected,rejected");
  const waiting = b.submit(8);
  await b.close();
  assertEqual(await waiting, 16, "close() answers what waits");
});
