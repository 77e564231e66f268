// The ops of convolution, pooling and attention come with their layers
// (ops/index.ts): making a layer registers its group in every backend, and a
// backend asked for an op that no layer made so far brought names the layer to
// make. (That a bundle without those layers carries none of their ops is
// checked on the packed package: test/install.node.test.ts.)
import { test } from "./harness.ts";
import { assert, assertThrows } from "./assert.ts";
import { ParalensError, backends, layers } from "../ts-api/index.ts";
import { backendOps, loadedOps, primitives } from "../ts-api/ops/index.ts";

test("layers register their ops' groups when they are made: then every backend has them", () => {
  // (whether they are absent before: tests share a page in the browser, so that is checked on bundles, test/install.node.test.ts)
  layers.conv2d({ filters: 2, kernel: 3 });
  layers.avgPool2d(2);
  layers.attention({ heads: 1 });
  layers.embedding(5, 2);
  layers.dropout(0.1);
  layers.reshape([2]);
  const ops = loadedOps();
  for (const name of ["conv2d", "conv2dFilterGrad", "maxPool2d", "avgPool2dReverse", "splitHeads", "causalSoftmax", "gatherRows", "dropout", "exp", "sqrt", "reshape", "concatColumns"]) {
    assert(name in ops, `${name} is loaded`);
    assert(!(name in primitives), `${name} is not among the ops every backend always has`);
    assert(typeof (backends.reference as unknown as Record<string, unknown>)[name] === "function", `the reference has ${name}`);
  }
});

test("an op whose layer was not made is a ParalensError naming the layer to make", () => {
  const ops = backendOps({}, "compile") as unknown as Record<string, () => unknown>;
  const err = assertThrows(() => ops.conv2d!(), /^compile: the op conv2d is not loaded: it comes with the conv2d layer, whose ops are registered when one is made: make one in the program that uses it, before the plan/);
  assert(err instanceof ParalensError, "a ParalensError");
  assertThrows(() => ops.gatherRows!(), /the op gatherRows is not loaded: it comes with the embedding layer/);
});
