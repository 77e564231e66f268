// Learning the input: the input wire bent round to the parameter side
// (inputAsParameter) has the model's input gradient as its parameter change,
// on wasm, on the float64 reference and by finite differences; the penalties
// on a dreamed input likewise. learnInput puts an optimiser on the input and
// freezes the model: its plan runs no kernel for the model's gradients, the
// model's parameters keep their bits, and the steps raise the objective.
import { test } from "./harness.ts";
import { assert, assertClose, assertEqual } from "./assert.ts";
import { type RandomCase, checkLensCase, randomCase, runReference } from "./util.ts";
import {
  init, engine, seq, par, dense, compile, adam, reparam, frozen, type Para, type Wires, type Optimiser, backends, initialisers, layers, learning, losses, optimisers, wires,
} from "../ts-api/index.ts";

await init();


const mlp = (): Para<Wires, Wires> => seq(dense(4, 5), layers.tanh, dense(5, 3));

test("inputAsParameter: the input's gradient, as a parameter change, is wasm = float64 reference = finite differences", () => {
  const bent = learning.inputAsParameter(mlp(), { examples: 3 });
  assertEqual(bent.params.map((p) => p.name).join(","), "input,0.weight,0.bias,2.weight,2.bias");
  assertEqual(bent.params[0]!.shape.join(","), "3,4");
  assertEqual(bent.dom.length, 0);
  checkLensCase("inputAsParameter", randomCase(bent as Para<Wires, Wires>, 3, 7));
  // the same numbers as the model's own input change
  const c = randomCase(bent as Para<Wires, Wires>, 3, 8);
  const direct = runReference({ lens: mlp(), batch: 3, params: c.params.slice(1), inputs: [c.params[0]!], changes: c.changes });
  const viaParam = runReference(c);
  assertClose(viaParam.paramChanges[0]!, direct.inputChanges[0]!, { rtol: 0, atol: 1e-300 }, "input change moved to the parameter side");
});

test("penalties: l2Penalty and totalVariation are wasm = float64 reference = finite differences", () => {
  checkLensCase("l2Penalty", randomCase(losses.l2Penalty([3, 2], 0.5) as Para<Wires, Wires>, 2, 3));
  checkLensCase("totalVariation", randomCase(losses.totalVariation([3, 4, 2], 0.3) as Para<Wires, Wires>, 2, 4));
  // a constant image has no variation; a checkerboard on 2 x 2 has 4 unit steps
  const flat = runReference({ lens: losses.totalVariation([2, 2, 1]) as Para<Wires, Wires>, batch: 1, params: [], inputs: [[5, 5, 5, 5]] });
  assertEqual(flat.outputs[0]![0], 0);
  const board = runReference({ lens: losses.totalVariation([2, 2, 1]) as Para<Wires, Wires>, batch: 1, params: [], inputs: [[0, 1, 1, 0]] });
  assertEqual(board.outputs[0]![0], 4);
});

/** The dreaming lens of a classifier: (learnInput(model ; softmax ; log) x id) ; dotProduct ; ascending rate. */
function dreamLens(model: Para<Wires, Wires>, examples: number, lr: number): Para<Wires, Wires> {
  const logProb = seq(model, layers.softmax, layers.log);
  return seq(par(learning.learnInput(logProb, adam({ lr }), { examples }), wires.id([[3]])), losses.dotProduct, optimisers.ascend(losses.constantRate(1))) as Para<Wires, Wires>;
}

test("learnInput: no kernel runs for the frozen model's gradients, its parameters keep their bits, and dreaming raises the target's probability", () => {
  const model = mlp();
  const weights = backends.initParams(model, 3);
  const before = weights.map((t) => t.toArray());
  const lens = dreamLens(model, 3, 0.1);
  assertEqual(lens.params.map((p) => p.name).join(","), "input.m,input.v,input.t,input,0.weight,0.bias,2.weight,2.bias");
  const e = engine();
  const own = lens.params.slice(0, 4).map((p) => e.tensor(p.shape));
  const plan = compile(lens, { batch: 3, params: [...own, ...weights], changes: "params" });
  // training the model itself needs gemmTN for its weight gradients; this plan has none, nor the bias sums
  assert(!plan.stats.kernels.includes("gemmTN"), `a weight gradient kernel ran: ${plan.stats.kernels.join(" ")}`);
  assert(!plan.stats.kernels.includes("sumRows"), `a bias gradient kernel ran: ${plan.stats.kernels.join(" ")}`);
  assert(plan.stats.kernels.includes("adamStep"), "the input's update runs");
  const rng = new initialisers.Rng(5);
  own[3]!.set(Float32Array.from({ length: 12 }, () => rng.normal() * 0.5));
  plan.inputs[0]!.set([1, 0, 0, 0, 1, 0, 0, 0, 1]); // example e dreams class e
  const probe = compile(seq(model, layers.softmax), { batch: 3, params: weights, changes: "none" });
  const target = (): number[] => {
    probe.inputs[0]!.set(own[3]!.toArray());
    probe.forward();
    const p = probe.outputs[0]!.toArray();
    return [p[0]!, p[4]!, p[8]!];
  };
  const start = target();
  for (let s = 0; s < 150; s++) (plan.forward(), plan.reverse());
  const end = target();
  end.forEach((p, i) => assert(p > start[i]! + 0.3, `class ${i}: probability ${start[i]} -> ${p}`));
  weights.forEach((t, i) => assert(t.toArray().every((v, j) => Object.is(v, before[i]![j])), `model parameter ${i} changed`));
  plan.dispose();
  probe.dispose();
  for (const t of [...own, ...weights]) t.dispose();
});

test("frozen: the reparameterised model gives no parameter change, on both backends", () => {
  const f = reparam(mlp(), frozen);
  const c = randomCase(f as Para<Wires, Wires>, 2, 9);
  const r = runReference(c);
  r.paramChanges.forEach((d, i) => assertClose(d!, c.params[i]!, { rtol: 0, atol: 1e-300 }, `frozen parameter ${i} comes back as it was`));
});

/** One step of an input optimiser on l = <x, w> per example (ascending): x' from x0, by its compiled plan. */
function stepOnce(opt: Optimiser, x0: readonly number[], w: readonly number[], origin?: readonly number[]): Float32Array {
  const objective = seq(learning.learnInput(seq(layers.linear(3, 1), layers.reshape([])), opt, { examples: 2 }), optimisers.ascend(losses.constantRate(1))) as Para<Wires, Wires>;
  const e = engine();
  const params = objective.params.map((p) => e.tensor(p.shape));
  const at = objective.params.findIndex((p) => p.name === "input");
  params[at]!.set(x0);
  params[at + 1]!.set(w);
  if (origin) params[0]!.set(origin);
  const plan = compile(objective, { batch: 2, params, changes: "params" });
  plan.forward();
  plan.reverse();
  const out = params[at]!.toArray();
  plan.dispose();
  for (const t of params) t.dispose();
  return out;
}

test("signGradient: one step is x + step sign(gradient) (FGSM), computed by hand", () => {
  const x0 = [0.5, 0.5, 0.5, 0.2, 0.4, 0.6];
  const w = [2, -3, 0];
  const got = stepOnce(optimisers.signGradient(0.1), x0, w);
  const expected = x0.map((x, i) => Math.fround(x) + Math.fround(0.1) * Math.sign(w[i % 3]!));
  assertClose(got, expected, { rtol: 0, atol: 1e-7 }, "x + 0.1 sign(w)");
});

test("projectedSignGradient: steps stay within the radius of the origin and within [0, 1]", () => {
  const origin = [0.5, 0.5, 0.5, 0.02, 0.98, 0.5];
  let x = [...origin];
  const w = [1, -1, 1];
  for (let s = 0; s < 5; s++) x = [...stepOnce(optimisers.projectedSignGradient({ step: 0.03, radius: 0.05 }), x, w, origin)];
  const expected = [0.55, 0.45, 0.55, 0.07, 0.93, 0.55];
  assertClose(x, expected, { rtol: 0, atol: 1e-6 }, "five steps of 0.03, clipped at 0.05");
  // pushed downwards from near 0: the range clips before the ball does
  const low = stepOnce(optimisers.projectedSignGradient({ step: 0.1, radius: 0.2 }), [0.05, 0.5, 0.5, 0.5, 0.5, 0.5], [-1, 1, 1], [0.05, 0.5, 0.5, 0.5, 0.5, 0.5]);
  assertEqual(low[0], 0);
});
