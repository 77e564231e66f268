// The parts every learner shares: the scoring lens (and the supervised lens
// built from it), the parameter tensors initialised from one seed, the rate
// option, parameters by name, and dispose, checked on all three learners.
import { test } from "./harness.ts";
import { assert, assertClose, assertEqual, assertThrows } from "./assert.ts";
import { finiteDifferences, magnitude, randomCase, runReference, runWasm } from "./util.ts";
import {
  init, compile, dense, seq, mse, softmaxCrossEntropy, sgd, adam, supervised, type Para, initialisers, learning, losses, optimisers,
} from "../ts-api/index.ts";
import { StructuredLearner } from "../ts-api/cdl/index.ts";
import { rda, lut, initBits } from "../ts-api/z2/index.ts";

await init();

/** Bit-for-bit equal arrays. */
function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, message: string): void {
  assertEqual(actual.length, expected.length, `${message}: length`);
  for (let i = 0; i < expected.length; i++) assert(Object.is(actual[i], expected[i]), `${message}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
}

test("scoringLens: its doc example runs, and each output is the loss of the model's own prediction", () => {
  const model = dense(4, 3);
  const score = compile(learning.scoringLens(model, softmaxCrossEntropy), { batch: 8, changes: "none" });
  const rng = new initialisers.Rng(2);
  const x = Float32Array.from({ length: 32 }, () => rng.normal());
  const t = Float32Array.from({ length: 24 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  score.inputs[0]!.set(x);
  score.inputs[1]!.set(t);
  score.forward();
  const predict = compile(model, { batch: 8, params: score.params, changes: "none" });
  predict.inputs[0]!.set(x);
  predict.forward();
  const z = score.observed.get("prediction")!.data;
  assertSame(z, predict.outputs[0]!.data, "the tapped prediction is the model's output");
  assertSame(score.observed.get("label")!.data, t, "the tapped label is the label given");
  // -sum t log softmax(z), per example, in float64
  const want = Array.from({ length: 8 }, (_, r) => {
    const row = Array.from(z.subarray(3 * r, 3 * r + 3));
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    return row.reduce((s, v, k) => s - t[3 * r + k]! * (v - logSum), 0);
  });
  assertEqual(score.outputs[0]!.data.length, 8, "one loss per example");
  assertClose(score.outputs[0]!.data, want, { rtol: 1e-5, atol: 1e-6 }, "the losses");
  predict.dispose();
  score.dispose();
});

test("scoringLens: reverse pass against float64 reference and finite differences, for parameters, inputs and labels", () => {
  const lens = learning.scoringLens(seq(dense(3, 4, "tanh"), dense(4, 2)), mse);
  const c = randomCase(lens, 5, 11);
  const ref = runReference(c);
  const fd = finiteDifferences(c);
  const wasm = runWasm(c);
  ref.paramChanges.forEach((d, i) => assertClose(d!, fd.paramChanges[i]!, { rtol: 1e-6, atol: 1e-8 }, `reference d${lens.params[i]!.name}`));
  ref.inputChanges.forEach((d, i) => assertClose(d!, fd.inputChanges[i]!, { rtol: 1e-6, atol: 1e-8 }, `reference dx${i}`));
  ref.paramChanges.forEach((d, i) => assertClose(wasm.paramChanges[i]!, d!, { rtol: 1e-4, atol: 1e-5 * magnitude(d) }, `wasm d${lens.params[i]!.name}`));
  ref.inputChanges.forEach((d, i) => assertClose(wasm.inputChanges[i]!, d!, { rtol: 1e-4, atol: 1e-5 * magnitude(d) }, `wasm dx${i}`));
  assertClose(wasm.outputs[0]!, ref.outputs[0]!, { rtol: 1e-5, atol: 1e-6 }, "losses");
});

test("supervisedLens is the scoring lens of the reparameterised model, then the tapped loss and the rate; its types follow the model's", () => {
  const model = seq(dense(4, 6, "relu"), dense(6, 3));
  const parts = { loss: softmaxCrossEntropy, optimiser: optimisers.momentum({ gamma: 0.9 }), rate: losses.constantRate(0.1) };
  // the ends are typed: A x B -> I for a model A -> B (a compile error otherwise)
  const lens: Para<readonly [readonly [4], readonly [3]], readonly []> = learning.supervisedLens(model, parts);
  assertEqual(lens.params.map((p) => p.name).join(" "), "0.weight.velocity 0.weight 0.bias.velocity 0.bias 1.weight.velocity 1.weight 1.bias.velocity 1.bias");
  // its forward pass taps the same losses the scoring lens computes on the bare model
  const train = compile(lens, { batch: 6, changes: "params" });
  const rng = new initialisers.Rng(4);
  const x = Float32Array.from({ length: 24 }, () => rng.normal());
  const y = Float32Array.from({ length: 18 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  train.inputs[0]!.set(x);
  train.inputs[1]!.set(y);
  const modelParams = lens.params.flatMap((p, i) => (p.role === "parameter" ? [train.params[i]!] : []));
  const score = compile(learning.scoringLens(model, softmaxCrossEntropy), { batch: 6, params: modelParams, changes: "none" });
  score.inputs[0]!.set(x);
  score.inputs[1]!.set(y);
  score.forward();
  train.forward();
  assertSame(train.observed.get("loss")!.data, score.outputs[0]!.data, "tapped loss = scoring output");
  assertSame(train.observed.get("prediction")!.data, score.observed.get("prediction")!.data, "the same predictions");
  train.dispose();
  score.dispose();
});

test("state from one seed: a model starts the same whatever the optimiser or learner; Z2 parameters as initBits gives them", () => {
  const model = seq(dense(3, 5, "tanh"), dense(5, 2));
  const plain = supervised(model, { loss: mse, optimiser: sgd(), seed: 9 });
  const withAdam = supervised(model, { loss: mse, optimiser: adam(), seed: 9 });
  const structured = new StructuredLearner(() => model, { loss: mse, optimiser: optimisers.momentum(), seed: 9, key: 0 });
  const other = supervised(model, { loss: mse, seed: 10 });
  const p = plain.parameters();
  for (const [name, learner] of [["adam", withAdam], ["structured", structured]] as const) {
    const q = learner.parameters();
    for (const k of Object.keys(p)) assertSame(q[k]!, p[k]!, `${name}: ${k}`);
  }
  assert(other.parameters()["0.weight"]!.some((v, i) => v !== p["0.weight"]![i]), "another seed gives other values");
  // optimiser state starts at its initialiser (zeros), after the model's parameters were drawn
  withAdam.specs.forEach((s, i) => {
    if (s.role === "state") assert(withAdam.state[i]!.data.every((v) => v === 0), `${s.name} starts at zero`);
  });
  const circuit = seq(lut(3, 2), lut(2, 1));
  const bits = initBits(circuit, 5);
  const learner = rda(circuit, { seed: 5 });
  Object.values(learner.parameters()).forEach((v, i) => assertEqual(v.join(""), bits[i]!.read().join(""), `Z2 parameter ${i}`));
  for (const l of [plain, withAdam, structured, other, learner]) l.dispose();
  for (const b of bits) b.dispose();
});

test("rate option: a number is constantRate(number), nothing is constantRate(0.01)", () => {
  const model = dense(3, 2, "sigmoid");
  const x = [[1, 0, -1], [0.5, 2, 0]];
  const y = [[1, 0], [0, 1]];
  const trained = (rate: number | ReturnType<typeof losses.constantRate> | undefined) => {
    const l = supervised(model, { loss: mse, rate, seed: 1 });
    l.step(x, y);
    const p = l.parameters();
    l.dispose();
    return p;
  };
  const [byNumber, byLens, byDefault, byDefaultLens] = [trained(0.5), trained(losses.constantRate(0.5)), trained(undefined), trained(losses.constantRate(0.01))];
  for (const k of Object.keys(byLens)) {
    assertSame(byNumber[k]!, byLens[k]!, `0.5: ${k}`);
    assertSame(byDefault[k]!, byDefaultLens[k]!, `default: ${k}`);
  }
  assert(byNumber["weight"]!.some((v, i) => v !== byDefault["weight"]![i]), "the rate matters");
});

test("setParameters checks every name and size before writing anything, in all three learners", () => {
  const model = dense(3, 2);
  const plain = supervised(model, { loss: mse, seed: 1 });
  const structured = new StructuredLearner(() => model, { loss: mse, seed: 1, key: "only" });
  for (const learner of [plain, structured]) {
    const before = learner.parameters();
    assertThrows(() => learner.setParameters({ weight: new Float32Array(6).fill(7), bias: new Float32Array(3) }), /"bias" is \[2\] \(2 values\), got 3/);
    assertThrows(() => learner.setParameters({ weight: new Float32Array(6).fill(7) }), /missing parameter "bias"/);
    assertThrows(() => learner.setParameters({ weight: new Float32Array(6), bias: new Float32Array(2), extra: [1] }), /has no parameter "extra"/);
    assertSame(learner.parameters()["weight"]!, before["weight"]!, "nothing was written");
    learner.setParameters({ weight: [1, 2, 3, 4, 5, 6], bias: [7, 8] });
    assertEqual(learner.parameters()["bias"]!.join(), "7,8");
  }
  const circuit = rda(seq(lut(3, 2), lut(2, 1)), { seed: 2 });
  const bits = circuit.parameters();
  assertThrows(() => circuit.setParameters({ "0.table": new Array(16).fill(1), "1.table": [1, 0] }), /"1.table" is \[4\] \(4 values\), got 2/);
  assertEqual(circuit.parameters()["0.table"]!.join(""), bits["0.table"]!.join(""), "nothing was written");
  circuit.setParameters({ "0.table": new Array(16).fill(1), "1.table": [1, 0, 0, 1] });
  assertEqual(circuit.parameters()["1.table"]!.join(""), "1001");
  for (const l of [plain, structured, circuit]) l.dispose();
});

test("dispose frees the plans and the parameters; every learner refuses to run afterwards", () => {
  const plain = supervised(dense(2, 1), { loss: mse });
  plain.predict([[1, 2]]);
  plain.dispose();
  plain.dispose(); // twice is harmless
  assert(plain.state.every((t) => t.isDisposed), "the learner's tensors are freed");
  assertThrows(() => plain.predict([[1, 2]]), /learner: used after dispose/);
  const structured = new StructuredLearner(() => dense(2, 1), { loss: mse, key: 0 });
  structured.step(0, [[1, 2]], [3]);
  structured.dispose();
  assertThrows(() => structured.step(0, [[1, 2]], [3]), /StructuredLearner: used after dispose/);
  const circuit = rda(lut(2, 1));
  circuit.step([[1, 0]], [[1]]);
  circuit.dispose();
  assertThrows(() => circuit.predict([[1, 0]]), /rda: used after dispose/);
});
