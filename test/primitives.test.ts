// Every primitive lens: the wasm f32 plan matches the float64 reference on
// both passes (1e-4 relative, with a floor of 1e-5 of the array's magnitude
// for elements that cancel to near zero), and the reference's reverse pass
// matches central finite differences (1e-6 relative).
import { test } from "./harness.ts";
import { assertClose } from "./assert.ts";
import { type Case, type RandomCase, finiteDifferences, magnitude, randomCase, runReference, runWasm } from "./util.ts";
import { init, dense, seq, mse, softmaxCrossEntropy, type Para, type Wires, initialisers, layers, losses } from "../ts-api/index.ts";

await init();

function compareWithReference(name: string, c: Case): void {
  const w = runWasm(c);
  const r = runReference(c);
  const check = (what: string, a: ArrayLike<number> | null, e: ArrayLike<number> | null): void => {
    if (a === null || e === null) {
      if (a !== e && magnitude(a ?? e) !== 0) throw new Error(`${name} ${what}: one side is zero, the other is not`);
      return;
    }
    assertClose(a, e, { rtol: 1e-4, atol: 1e-5 * magnitude(e) + 1e-30 }, `${name} ${what} (wasm vs reference)`);
  };
  w.outputs.forEach((y, i) => check(`output ${i}`, y, r.outputs[i]!));
  w.paramChanges.forEach((d, i) => check(`parameter change ${i}`, d, r.paramChanges[i]!));
  w.inputChanges.forEach((d, i) => check(`input change ${i}`, d, r.inputChanges[i]!));
}

function compareWithFiniteDifferences(name: string, c: Case): void {
  const r = runReference(c);
  const fd = finiteDifferences(c);
  const check = (what: string, a: ArrayLike<number> | null, e: Float64Array): void => {
    const actual = a ?? new Float64Array(e.length);
    assertClose(actual, e, { rtol: 1e-6, atol: 1e-7 * (magnitude(e) + 1) }, `${name} ${what} (reference vs finite differences)`);
  };
  fd.paramChanges.forEach((e, i) => check(`parameter change ${i}`, r.paramChanges[i]!, e));
  fd.inputChanges.forEach((e, i) => check(`input change ${i}`, r.inputChanges[i]!, e));
}

function both(name: string, lens: Para<Wires, Wires>, batch: number, seed: number, shape?: (c: RandomCase) => void): void {
  const c = randomCase(lens, batch, seed);
  shape?.(c);
  compareWithReference(name, c);
  compareWithFiniteDifferences(name, c);
}

const linearShapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 4, 4], [2, 13, 9], [5, 3, 33], [7, 17, 6]];

test("linear: x W, dx = dy W^T, dW = x^T dy", () => {
  linearShapes.forEach(([b, i, o], s) => both(`linear(${i}, ${o}) batch ${b}`, layers.linear(i, o), b, s));
});

test("bias: x + b, db = sum of dy over the batch", () => {
  [1, 3, 4, 9].forEach((n, s) => both(`bias(${n})`, layers.bias(n), 5, 10 + s));
});

test("dense = linear ; bias ; activation, with its parameters named weight and bias", () => {
  both("dense(6, 5, tanh)", dense(6, 5, "tanh"), 3, 20);
  both("dense(4, 9, sigmoid)", dense(4, 9, "sigmoid"), 2, 21);
});

const shapes: number[][] = [[1], [3], [4], [7], [2, 3], [5, 4]];

test("activations: sigmoid, tanh, relu, leaky relu, softmax", () => {
  for (const [name, act] of [["sigmoid", layers.sigmoid], ["tanh", layers.tanh], ["relu", layers.relu], ["leakyRelu", layers.leakyRelu(0.1)], ["softmax", layers.softmax]] as const) {
    shapes.forEach((s, i) => both(`${name} ${JSON.stringify(s)}`, act.at(s), 1 + (i % 4), 30 + i));
  }
});

test("activations keep accuracy over a wide range of inputs", () => {
  // tanh near 0 (where 1 - 2/(e^2x + 1) would cancel) and large |x|
  const rng = new initialisers.Rng(7);
  for (const [name, act] of [["sigmoid", layers.sigmoid], ["tanh", layers.tanh], ["softmax", layers.softmax]] as const) {
    for (const scale of [1e-4, 1, 20]) {
      const lens = act.at([37]);
      const c = randomCase(lens, 3, rng.int(1000), scale);
      compareWithReference(`${name} at scale ${scale}`, c);
    }
  }
});

function lossCase(loss: typeof mse, width: number, seed: number, probabilities = false): [string, Para<Wires, Wires>, (c: RandomCase) => void] {
  const lens = loss.at([[width], [width]]);
  const squash = (c: RandomCase): void => {
    if (!probabilities) return;
    // predictions and labels in (0.05, 0.95), away from the clamp
    for (const a of c.inputs) for (let i = 0; i < a.length; i++) a[i] = 0.5 + 0.45 * a[i]!;
  };
  return [`${loss.name} width ${width}`, lens, squash];
}

test("losses: mse, softmax cross-entropy, binary cross-entropy, dot product, both passes and both inputs", () => {
  const widths = [1, 3, 4, 10];
  widths.forEach((w, i) => {
    for (const [name, lens, shape] of [
      lossCase(mse, w, i),
      lossCase(softmaxCrossEntropy, w, 10 + i),
      lossCase(losses.binaryCrossEntropy, w, 20 + i, true),
      lossCase(losses.dotProduct, w, 30 + i),
    ]) {
      both(name, lens, 1 + i * 2, 40 + i, shape);
    }
  });
});

test("softmax cross-entropy stays finite for huge logits", () => {
  const lens = softmaxCrossEntropy.at([[5], [5]]);
  const c = randomCase(lens, 2, 3, 1);
  c.inputs[0] = Float64Array.from(c.inputs[0]!, (v) => v * 500);
  compareWithReference("softmaxCrossEntropy with logits near ±500", c);
});

test("learning rates emit -eta / N (constant) and -eta l / N (loss-scaled)", () => {
  const rates = [
    [losses.constantRate(0.1), (_l: number, n: number) => -0.1 / n],
    [losses.lossScaledRate(0.3), (l: number, n: number) => (-0.3 * l) / n],
  ] as const;
  for (const [rate, expected] of rates) {
    for (const batch of [1, 5]) {
      const c = randomCase(rate, batch, batch);
      const want = c.inputs[0]!.map((l) => expected(l, batch));
      assertClose(runReference(c).inputChanges[0]!, want, { rtol: 1e-12 }, `${rate.name} reference`);
      assertClose(runWasm(c).inputChanges[0]!, want, { rtol: 1e-6 }, `${rate.name} wasm`);
    }
  }
});

test("a deeper composite agrees with the reference and finite differences", () => {
  const model = seq(dense(5, 7, "tanh"), dense(7, 4, "relu"), dense(4, 3), layers.softmax);
  both("dense ; dense ; dense ; softmax", model, 4, 99);
});
