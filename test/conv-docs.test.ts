// The examples in the doc comments of conv2d, maxPool2d, avgPool2d, reshape
// and flatten, run as written, with the shapes their comments state.
import { init, seq, conv2d, maxPool2d, flatten, dense, compile, layers } from "../ts-api/index.ts";
import { test } from "./harness.ts";
import { assertDeepEqual } from "./assert.ts";

await init();

test("doc examples of the conv and pooling layers build and run", () => {
  const model = seq(conv2d({ filters: 8, kernel: 3, padding: "same" }), layers.relu, maxPool2d(2), flatten, dense(14 * 14 * 8, 10)).at([28, 28, 1]);
  assertDeepEqual(model.cod, [[10]]);
  assertDeepEqual(seq(conv2d({ filters: 8, kernel: 3 }), layers.relu, maxPool2d(2)).at([28, 28, 1]).cod, [[13, 13, 8]]);
  assertDeepEqual(seq(conv2d({ filters: 8, kernel: 3, padding: "same" }), layers.relu, layers.avgPool2d(2)).at([28, 28, 1]).cod, [[14, 14, 8]]);
  assertDeepEqual(seq(layers.reshape([28, 28, 1]), conv2d({ filters: 8, kernel: 3 })).at([784]).cod, [[26, 26, 8]]);
  const flat = seq(conv2d({ filters: 5, kernel: 3 }), layers.relu, maxPool2d(2), flatten, dense(13 * 13 * 5, 10)).at([28, 28, 1]);
  assertDeepEqual(flat.cod, [[10]]);
  const plan = compile(model, { batch: 2, changes: "none" });
  plan.forward();
  assertDeepEqual(plan.outputs[0]!.shape, [2, 10]);
  plan.dispose();
});
