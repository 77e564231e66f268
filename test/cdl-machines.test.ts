// Unfolds and machines: the coalgebra laws of streams, take(k) running
// exactly k steps, Mealy runs equal to stepping with the state carried by
// hand, Moore outputs that cannot see the current input; shared gradients and
// finite differences as for folds.
import { type Para, dense, init, par, seq, initialisers, wires } from "../ts-api/index.ts";
import { gru, mealy, moore, point, unfold, elman } from "../ts-api/cdl/index.ts";
import { assert, assertEqual } from "./assert.ts";
import { finiteDifferences, initial, maxRelError, normal, normalChanges, normalInputs, runWasm, runReference, sameValues, type Case } from "./util.ts";
import { test } from "./harness.ts";

await init();

type AnyPara = Para<readonly (readonly number[])[], readonly (readonly number[])[]>;
const S = 4, O = 2, I = 3, N = 3;

// a stream cell S -> O x S: the next state is tanh(s W + b), the output a dense readout of it
const streamCell = seq(dense(S, S, "tanh"), wires.wire([[S]], [0, 0]), par(dense(S, O), wires.id([S]))) as AnyPara;
const stream = unfold(streamCell);

// a Mealy cell I x S -> O x S
const mealyCell = wires.diagram("step", [[I], [S]], (d, [x, h]) => {
  const h2 = d.apply1(gru(I, S), [x!, h!], "gru");
  return [d.apply1(dense(S, O, "sigmoid"), [h2], "out"), h2];
});

test("unfold laws: head(unfold(x)) = o(x) and tail(unfold(x)) = unfold(n(x)), exactly", () => {
  const rng = new initialisers.Rng(1);
  const p = initial(streamCell, 2);
  const x = normal(rng, N * S);
  for (const run of [runReference, runWasm]) {
    const [o, n] = run({ lens: streamCell, batch: N, params: p, inputs: [x] }).outputs;
    assert(sameValues(run({ lens: stream.head(), batch: N, params: p, inputs: [x] }).outputs[0]!, o!), `${run.name}: head`);
    for (const k of [1, 3, 7]) {
      const fromNext = run({ lens: stream.take(k), batch: N, params: p, inputs: [n!] }).outputs[0]!;
      assert(sameValues(run({ lens: stream.tail().take(k), batch: N, params: p, inputs: [x] }).outputs[0]!, fromNext), `${run.name}: tail, k = ${k}`);
      // and the stream from x is o(x) followed by the stream from n(x)
      const all = run({ lens: stream.take(k + 1), batch: N, params: p, inputs: [x] }).outputs[0]!;
      for (let e = 0; e < N; e++) {
        assert(sameValues(all.subarray(e * (k + 1) * O, e * (k + 1) * O + O), o!.subarray(e * O, (e + 1) * O)), "first output");
        assert(sameValues(all.subarray(e * (k + 1) * O + O, (e + 1) * (k + 1) * O), fromNext.subarray(e * k * O, (e + 1) * k * O)), "the rest");
      }
    }
  }
});

test("a stream is lazy: building it runs nothing, and take(k) runs the cell exactly k times", () => {
  let calls = 0;
  const counting: AnyPara = { ...streamCell, forward: (k, p, x) => (calls++, streamCell.forward(k, p, x)) };
  const s = unfold(counting);
  const later = s.tail().tail();
  assertEqual(calls, 0, "building streams ran the cell");
  const p = initial(streamCell, 3);
  const x = normal(new initialisers.Rng(2), N * S);
  for (const k of [1, 4, 9]) {
    calls = 0;
    runReference({ lens: s.take(k), batch: N, params: p, inputs: [x] });
    assertEqual(calls, k, `take(${k})`);
    calls = 0;
    runReference({ lens: later.take(k), batch: N, params: p, inputs: [x] });
    assertEqual(calls, k + 2, `tail().tail().take(${k})`);
  }
});

test("Mealy: running a sequence equals stepping the cell with the state carried by hand, exactly", () => {
  const rng = new initialisers.Rng(3);
  const T = 5;
  const machine = mealy(mealyCell);
  const run = machine.run(T);
  const p = initial(run, 4);
  const xs = normal(rng, N * T * I);
  const s0 = normal(rng, N * S);
  for (const backend of [runReference, runWasm]) {
    const [ys, last] = backend({ lens: run, batch: N, params: p, inputs: [xs, s0] }).outputs;
    let state: ArrayLike<number> = s0;
    for (let t = 0; t < T; t++) {
      const x = Float64Array.from({ length: N * I }, (_, j) => xs[(Math.floor(j / I) * T + t) * I + (j % I)]!);
      const [o, next] = backend({ lens: mealyCell, batch: N, params: p, inputs: [x, state] }).outputs;
      for (let e = 0; e < N; e++) assert(sameValues(ys!.subarray((e * T + t) * O, (e * T + t + 1) * O), o!.subarray(e * O, (e + 1) * O)), `${backend.name}: output ${t}`);
      state = next!;
    }
    assert(sameValues(last!, state), `${backend.name}: last state`);
  }
});

test("Moore: the output at step t does not depend on input t (values and gradients)", () => {
  const rng = new initialisers.Rng(4);
  const T = 4;
  const machine = moore(dense(S, O), elman(I, S));
  const f = machine.outputs(T, point([S]));
  const p = initial(f, 5).map((v) => v.map((x) => x + 0.3 * rng.normal()));
  const xs = normal(rng, N * T * I);
  const base = runReference({ lens: f, batch: N, params: p, inputs: [xs] }).outputs[0]!;
  for (let t = 0; t < T; t++) {
    const nudged = Float64Array.from(xs);
    for (let e = 0; e < N; e++) for (let j = 0; j < I; j++) nudged[(e * T + t) * I + j]! += 1;
    const y = runReference({ lens: f, batch: N, params: p, inputs: [nudged] }).outputs[0]!;
    for (let e = 0; e < N; e++) {
      for (let u = 0; u < T; u++) {
        const [a, b] = [base.subarray((e * T + u) * O, (e * T + u + 1) * O), y.subarray((e * T + u) * O, (e * T + u + 1) * O)];
        if (u <= t) assert(sameValues(a, b), `output ${u} changed when input ${t} did`);
        else if (u === t + 1) assert(maxRelError(a, b) > 1e-6, `output ${u} ignored input ${t}`);
      }
    }
    // the change of output t alone sends no change to input t
    const dy = new Float64Array(N * T * O);
    for (let e = 0; e < N; e++) dy.fill(1, (e * T + t) * O, (e * T + t + 1) * O);
    const dx = runReference({ lens: f, batch: N, params: p, inputs: [xs], changes: [dy] }).inputChanges[0] ?? new Float64Array(N * T * I);
    for (let e = 0; e < N; e++) for (let u = t; u < T; u++) for (let j = 0; j < I; j++) assertEqual(dx[(e * T + u) * I + j], 0, `d output ${t} / d input ${u}`);
    if (t > 0) assert(dx.some((v) => v !== 0), `output ${t} sends no change to earlier inputs`);
  }
});

test("streams and machines: shared gradients are sums over uses (1e-10), wasm matches the reference, finite differences pass", () => {
  const rng = new initialisers.Rng(5);
  const T = 4;
  const machine = mealy(mealyCell);
  const cases: [string, AnyPara, AnyPara, number[]][] = [
    ["unfold", stream.take(T), stream.untied(T), Array.from({ length: T }, () => 0)],
    ["mealy", machine.run(T), machine.untied(T), Array.from({ length: T }, () => 0)],
  ];
  for (const [name, tied, untied, uses] of cases) {
    const p = initial(tied, 6);
    const k = p.length;
    const pu = uses.flatMap(() => p);
    const x = normalInputs(tied, N, rng);
    const dy = normalChanges(tied, N, rng);
    const c: Case = { lens: tied, batch: N, params: p, inputs: x, changes: dy };
    const a = runReference(c);
    const b = runReference({ lens: untied, batch: N, params: pu, inputs: x, changes: dy });
    a.outputs.forEach((y, i) => assert(sameValues(y, b.outputs[i]!), `${name}: tied and untied outputs differ`));
    for (let j = 0; j < k; j++) {
      const sum = new Float64Array(a.paramChanges[j]!.length);
      uses.forEach((_, u) => b.paramChanges[u * k + j]?.forEach((v, i) => (sum[i] = sum[i]! + v)));
      assert(maxRelError(a.paramChanges[j]!, sum) <= 1e-10, `${name}: ${tied.params[j]!.name} is not the sum over uses`);
    }
    const wasm = runWasm(c);
    a.outputs.forEach((y, i) => assert(maxRelError(wasm.outputs[i]!, y) < 1e-4, `${name}: wasm output ${i}`));
    a.paramChanges.forEach((d, i) => assert(maxRelError(wasm.paramChanges[i]!, d!) < 1e-4, `${name}: wasm gradient of ${tied.params[i]!.name}`));
    const fd = finiteDifferences(c);
    a.paramChanges.forEach((d, i) => assert(maxRelError(d!, fd.paramChanges[i]!) < 1e-6, `${name}: ${tied.params[i]!.name} vs finite differences`));
    a.inputChanges.forEach((d, i) => assert(maxRelError(d!, fd.inputChanges[i]!) < 1e-6, `${name}: input ${i} vs finite differences`));
  }
  // Moore from a learned initial state, as one whole model
  const f = moore(dense(S, O), elman(I, S)).outputs(T, point([S]));
  const p = initial(f, 7).map((v) => v.map((x) => x + 0.2 * rng.normal()));
  const x = normalInputs(f, N, rng);
  const dy = normalChanges(f, N, rng);
  const c: Case = { lens: f, batch: N, params: p, inputs: x, changes: dy };
  const ref = runReference(c);
  const fd = finiteDifferences(c);
  ref.paramChanges.forEach((d, i) => assert(maxRelError(d!, fd.paramChanges[i]!) < 1e-6, `moore: ${f.params[i]!.name} vs finite differences`));
  assertEqual(f.params.map((q) => q.name).join(","), "init.value,output.weight,output.bias,next.weight,next.bias", "moore parameter names");
});
