// The ops of convolution, pooling and attention come with their layers
// (ops/index.ts): loading a layer registers its group in every backend, and a
// backend asked for an op that no loaded module brought names the layer to
// import. (That a bundle without those layers carries none of their ops is
// checked on the packed package: test/install.node.test.ts.)
import { test } from "./harness.ts";
import { assert, assertThrows } from "./assert.ts";
import { ParalensError, backends } from "../ts-api/index.ts";
import { backendOps, loadedOps, primitives } from "../ts-api/ops/index.ts";

test("layers register their ops' groups: with the layers loaded, every backend has them", () => {
  const ops = loadedOps();
  for (const name of ["conv2d", "conv2dFilterGrad", "maxPool2d", "avgPool2dReverse", "splitHeads", "causalSoftmax", "gatherRows", "dropout", "exp", "sqrt", "reshape", "concatColumns"]) {
    assert(name in ops, `${name} is loaded`);
    assert(!(name in primitives), `${name} is not among the ops every backend always has`);
    assert(typeof (backends.reference as unknown as Record<string, unknown>)[name] === "function", `the reference has ${name}`);
  }
});

test("an op whose layer was not loaded is a ParalensError naming the layer to import", () => {
  const ops = backendOps({}, "compile") as unknown as Record<string, () => unknown>;
  const err = assertThrows(() => ops.conv2d!(), /^compile: the op conv2d is not loaded: it comes with the conv2d layer, so import that/);
  assert(err instanceof ParalensError, "a ParalensError");
  assertThrows(() => ops.gatherRows!(), /the op gatherRows is not loaded: it comes with the embedding layer/);
});
