// Online learning beside serving: learn() calls that arrive together make one
// step; a bad example fails its own call only; a predictor reading the same
// learner sees the parameters of some whole step, never half of one; and
// checkpoints are handed over every so many steps and at close().
import { test } from "./harness.ts";
import { assert, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import { ParalensError, dense, init, mse, predictor, seq, softmaxCrossEntropy, supervised, serve } from "../ts-api/index.ts";

await init();

test("online: learn() calls made together train as one step, resolving with its loss", async () => {
  const learner = supervised(dense(2, 1), { loss: mse, rate: 0.1, seed: 1 });
  const twin = supervised(dense(2, 1), { loss: mse, rate: 0.1, seed: 1 });
  const trainer = serve.online(learner, { maxBatch: 4, maxDelayMs: 0 });
  try {
    const xs = [[1, 2], [0, 1], [2, 0], [1, 1], [3, 1], [0, 0]];
    const ys = [[3], [1], [2], [2], [4], [0]];
    const losses = await Promise.all(xs.map((x, i) => trainer.learn(x, ys[i]!)));
    // a full step of 4, then one of 2: the twin takes the same steps by hand
    const first = twin.step(xs.slice(0, 4), ys.slice(0, 4));
    const second = twin.step(xs.slice(4), ys.slice(4));
    assertEqual(losses.join(), [first, first, first, first, second, second].join());
    assertEqual(Array.from(learner.parameters().weight!).join(), Array.from(twin.parameters().weight!).join());
    const s = trainer.stats();
    assertEqual([s.examples, s.steps, s.lastLoss].join(), [6, 2, second].join());
  } finally {
    await trainer.close();
    learner.dispose();
    twin.dispose();
  }
});

test("online: a bad example rejects its own call only, naming what is wrong", async () => {
  const learner = supervised(dense(2, 3), { loss: softmaxCrossEntropy, labels: "indices" });
  const trainer = serve.online(learner, { maxDelayMs: 0 });
  try {
    const calls: [unknown, unknown, RegExp | null][] = [
      [[1, 2], 0, null],
      [[1], 0, /learn x: the row has 1 values, expected 2/],
      [[1, NaN], 0, /learn x: value 1 of the row is NaN/],
      [[1, 2], 3, /learn y: .*3; class indices are whole numbers in \[0, 3\)/],
      [[1, 2], "1", /learn y/],
      [[1, 2], 2, null],
    ];
    const results = await Promise.allSettled(calls.map(([x, y]) => trainer.learn(x as number[], y as number)));
    results.forEach((r, i) => {
      const expected = calls[i]![2];
      if (expected === null) assert(r.status === "fulfilled" && Number.isFinite(r.value), `call ${i} trained`);
      else assert(r.status === "rejected" && r.reason instanceof ParalensError && expected.test(r.reason.message), `call ${i}: ${r.status === "rejected" ? r.reason.message : "trained"}`);
    });
    assertEqual(trainer.stats().steps, 1, "the two good examples made one step");
  } finally {
    await trainer.close();
    learner.dispose();
  }
});

test("online: predictions made while learning see the parameters of a whole step, never part of one", async () => {
  const model = seq(dense(3, 8, "tanh"), dense(8, 2));
  const learner = supervised(model, { loss: mse, rate: 0.2, seed: 7 });
  const states: Uint8Array[] = [await learner.save()];
  const trainer = serve.online(learner, { maxBatch: 3, maxDelayMs: 0, checkpoint: { everySteps: 1, write: (b) => void states.push(b) } });
  const p = predictor(learner, { maxBatch: 4, maxDelayMs: 0 });
  const row = [0.3, -0.2, 0.9];
  const predictions: Promise<Float32Array>[] = [];
  const learning: Promise<number>[] = [];
  for (let i = 0; i < 30; i++) {
    learning.push(trainer.learn([i / 30, 1 - i / 30, (i % 3) / 3], [Math.sin(i), Math.cos(i)]));
    predictions.push(p.predict(row));
    // let some batches run between the calls
    if (i % 4 === 3) await new Promise((r) => setTimeout(r, 0));
  }
  await Promise.all(learning);
  const seen = await Promise.all(predictions);
  await p.close();
  await trainer.close();
  // what the model gives at each saved state (before any step, after each)
  const probe = supervised(model, { loss: mse });
  const possible: string[] = [];
  for (const bytes of states) {
    await probe.load(bytes);
    possible.push(Array.from(probe.predict([row])).join());
  }
  assert(new Set(possible).size > 2, "the steps changed the predictions");
  seen.forEach((s, i) => assert(possible.includes(Array.from(s).join()), `prediction ${i} is the model's at some whole step`));
  probe.dispose();
  learner.dispose();
});

test("online: a checkpoint every N steps and one at close(); options checked by name", async () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  const saved: number[] = [];
  const trainer = serve.online(learner, { maxBatch: 1, maxDelayMs: 0, checkpoint: { everySteps: 2, write: () => void saved.push(trainer.stats().steps) } });
  await Promise.all(Array.from({ length: 5 }, (_, i) => trainer.learn([i, 1], [i])));
  await trainer.close();
  assertEqual(saved.join(), "2,4,5");
  assertEqual(trainer.stats().checkpoints, 3);
  await assertRejects(() => trainer.learn([1, 1], [1]), /online: closed/);
  assertThrows(() => serve.online(learner, { checkpoint: { everySteps: 0, write: () => {} } }), /checkpoint\.everySteps must be a whole number >= 1, got 0/);
  assertThrows(() => serve.online(learner, { checkpoint: { everySteps: 1 } as never }), /checkpoint\.write must be a function/);
  assertThrows(() => serve.online(learner, { maxBatch: -1 }), /online: maxBatch must be .*, got -1/);
  assertThrows(() => serve.online({} as never), /online: expected a Learner/);
  learner.dispose();
});
