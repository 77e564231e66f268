// examples/serve/handler.ts without a server: web Requests in, Responses out.
// Back-pressure reaches the client as a 503 with Retry-After naming the
// limit, and the next request that fits is answered.
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { dense, engine, init, mse, predictor, supervised } from "../ts-api/index.ts";
import { createHandler } from "../examples/serve/handler.ts";

await init();

test("examples/serve handler: a request beyond the predictor's queue gets a 503 naming maxQueue, and the next one that fits is answered", async () => {
  const learner = supervised(dense(2, 1), { loss: mse });
  const served = predictor(learner, { maxBatch: 8, maxDelayMs: 0, maxQueue: 2 });
  const handler = createHandler({ predictor: served, arenaBytes: () => engine().stats().bytes });
  const post = (rows: number[][]) => handler(new Request("http://localhost/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rows }) }));
  try {
    const full = await post([[1, 2], [3, 4], [5, 6]]);
    assertEqual(full.status, 503);
    assertEqual(full.headers.get("retry-after"), "1");
    const { error } = await full.json();
    assert(/the queue is full \(maxQueue 2 rows waiting\)/.test(error), error);
    const fits = await post([[1, 2], [3, 4]]);
    assertEqual(fits.status, 200);
    assertEqual((await fits.json()).outputs.length, 2);
    const learn = await handler(new Request("http://localhost/learn", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    assertEqual(learn.status, 404, "a server without an online learner does not learn");
    const metrics = await (await handler(new Request("http://localhost/metrics"))).json();
    assertEqual([metrics.requests, metrics.errors, metrics.refused].join(), "4,2,1");
  } finally {
    await served.close();
    learner.dispose();
  }
});
