// Folds over lists and trees: the algebra laws (exactly, on both backends),
// the fold against a hand-written loop (bit for bit), the shared gradient as
// the sum of the untied unrolling's per-use gradients (float64, 1e-10), wasm
// against the reference, and finite differences of whole models.
import { type Para, compile, dense, engine, init, seq, initialisers, wires } from "../ts-api/index.ts";
import { elman, fold, foldTree, gru, lstm, point, zeroPoint } from "../ts-api/cdl/index.ts";
import { assert, assertEqual } from "./assert.ts";
import {
  type Case, finiteDifferences, initial, maxRelError, orZeros, normal, normalChanges, normalInputs, runReference, runWasm, sameValues,
} from "./util.ts";
import { test } from "./harness.ts";

await init();

type AnyPara = Para<readonly (readonly number[])[], readonly (readonly number[])[]>;
const A = 2, H = 3, N = 4;
const rnn = fold({ nil: point([H]), cons: elman(A, H) });

/** Items t of a batch of lists [N, T, A], as one [N, A] array per t. */
function items(list: Float64Array, T: number): Float64Array[] {
  return Array.from({ length: T }, (_, t) => {
    const out = new Float64Array(N * A);
    for (let n = 0; n < N; n++) for (let j = 0; j < A; j++) out[n * A + j] = list[(n * T + t) * A + j]!;
    return out;
  });
}

/** The rest of each list (items 1..T-1). */
function rest(list: Float64Array, T: number): Float64Array {
  const out = new Float64Array(N * (T - 1) * A);
  for (let n = 0; n < N; n++) out.set(list.subarray((n * T + 1) * A, (n + 1) * T * A), n * (T - 1) * A);
  return out;
}

test("fold(Nil) = nil(p) for every example, and fold(Cons(a, as)) = cons(p, a, fold(as)), exactly", () => {
  const rng = new initialisers.Rng(1);
  const model = rnn.at(5);
  const p = initial(model, 2);
  const [pNil, ...pCons] = p;
  const nil = runReference({ lens: point([H]) as AnyPara, batch: 1, params: [pNil!], inputs: [] }).outputs[0]!;
  for (const run of [runReference, runWasm]) {
    const empty = run({ lens: rnn.at(0), batch: N, params: [pNil!, ...pCons], inputs: [new Float64Array(0)] }).outputs[0]!;
    const expected = run === runReference ? nil : Float32Array.from(nil);
    for (let n = 0; n < N; n++) assert(sameValues(empty.subarray(n * H, (n + 1) * H), expected), `${run.name}: fold(Nil) differs from nil`);
  }

  const list = normal(rng, N * 5 * A);
  for (const run of [runReference, runWasm]) {
    const whole = run({ lens: model, batch: N, params: p, inputs: [list] }).outputs[0]!;
    const tail = run({ lens: rnn.at(4), batch: N, params: p, inputs: [rest(list, 5)] }).outputs[0]!;
    const head = run({ lens: elman(A, H), batch: N, params: pCons, inputs: [items(list, 5)[0]!, tail] }).outputs[0]!;
    assert(sameValues(whole, head), `${run.name}: fold(Cons(a, as)) differs from cons(a, fold(as))`);
  }
});

test("the fold equals a hand-written loop over the cell, bit for bit, on both backends", () => {
  const rng = new initialisers.Rng(2);
  const T = 6;
  const model = fold({ nil: point([H]), cons: gru(A, H) }).at(T);
  const p = initial(model, 3);
  const list = normal(rng, N * T * A);
  const xs = items(list, T);
  // float64 reference: h = nil; for t from the last item to the first, h = cons(x_t, h)
  let h: ArrayLike<number> = Array.from({ length: N }, () => Array.from(p[0]!)).flat();
  for (let t = T - 1; t >= 0; t--) h = runReference({ lens: gru(A, H), batch: N, params: p.slice(1), inputs: [xs[t]!, h] }).outputs[0]!;
  assert(sameValues(runReference({ lens: model, batch: N, params: p, inputs: [list] }).outputs[0]!, h), "reference fold differs from the loop");
  // wasm: one compiled cell, stepped by hand, state carried in f32
  const e = engine();
  const cellParams = gru(A, H).params.map((s, i) => e.tensor(s.shape, p[i + 1]!));
  const cell = compile(gru(A, H), { batch: N, params: cellParams, changes: "none" });
  const state = new Float32Array(N * H).map((_, i) => p[0]![i % H]!);
  for (let t = T - 1; t >= 0; t--) {
    cell.inputs[0]!.set(xs[t]!);
    cell.inputs[1]!.set(state);
    cell.forward();
    state.set(cell.outputs[0]!.data);
  }
  cell.dispose();
  for (const t of cellParams) t.dispose();
  assert(sameValues(runWasm({ lens: model, batch: N, params: p, inputs: [list] }).outputs[0]!, state), "compiled fold differs from the stepped cell");
});

test("the shared gradient is the sum of the untied unrolling's per-use gradients (float64, 1e-10)", () => {
  const rng = new initialisers.Rng(3);
  for (const [name, alg] of [["elman", { nil: point([H]), cons: elman(A, H) }], ["gru", { nil: point([H]), cons: gru(A, H) }]] as const) {
    const f = fold(alg);
    const T = 5;
    const tied = f.at(T);
    const untied = f.untied(T);
    const p = initial(tied, 4);
    const k = alg.cons.params.length;
    const pu = [p[0]!, ...Array.from({ length: T }, () => p.slice(1)).flat()];
    assertEqual(untied.params.length, 1 + T * k, `${name}: untied parameter count`);
    const x = normalInputs(tied, N, rng);
    const dy = normalChanges(tied, N, rng);
    const a = runReference({ lens: tied, batch: N, params: p, inputs: x, changes: dy });
    const b = runReference({ lens: untied, batch: N, params: pu, inputs: x, changes: dy });
    assert(sameValues(a.outputs[0]!, b.outputs[0]!), `${name}: tied and untied outputs differ`);
    assert(maxRelError(a.paramChanges[0]!, b.paramChanges[0]!) <= 1e-10, `${name}: nil gradient`);
    for (let j = 0; j < k; j++) {
      const sum = new Float64Array(a.paramChanges[j + 1]!.length);
      for (let u = 0; u < T; u++) Array.from(orZeros(b.paramChanges[1 + u * k + j]!, sum.length)).forEach((v, i) => (sum[i] = sum[i]! + v));
      const err = maxRelError(a.paramChanges[j + 1]!, sum);
      assert(err <= 1e-10, `${name}: ${tied.params[j + 1]!.name} gradient differs from the sum over uses by ${err}`);
    }
  }
});

test("folded RNN, GRU and LSTM models: wasm matches the reference (1e-4) and the reference matches finite differences (1e-6)", () => {
  const rng = new initialisers.Rng(4);
  const lstmNil = wires.diagram("start", [], (d) => [d.apply1(point([H]), [], "h"), d.apply1(zeroPoint([H]), [])]);
  const lstmFold = fold({ nil: lstmNil, cons: lstm(A, H) });
  const models: [string, AnyPara][] = [
    ["elman", seq(rnn.at(4), dense(H, 2))],
    ["gru", seq(fold({ nil: point([H]), cons: gru(A, H) }).at(4), dense(H, 2))],
    ["lstm", wires.diagram("lstm model", [[4, A]], (d, [x]) => {
      const [h] = d.apply(lstmFold.at(4), [x!], "rnn");
      return [d.apply1(dense(H, 2), [h!], "readout")];
    })],
  ];
  for (const [name, m] of models) {
    const p = initial(m, 5).map((v) => v.map((x) => x + 0.1 * rng.normal()));
    const x = normalInputs(m, N, rng);
    const dy = normalChanges(m, N, rng);
    const c: Case = { lens: m, batch: N, params: p, inputs: x, changes: dy };
    const ref = runReference(c);
    const wasm = runWasm(c);
    assert(maxRelError(wasm.outputs[0]!, ref.outputs[0]!) < 1e-4, `${name}: forward`);
    ref.paramChanges.forEach((d, i) => assert(maxRelError(wasm.paramChanges[i]!, d!) < 1e-4, `${name}: gradient of ${m.params[i]!.name}`));
    assert(maxRelError(wasm.inputChanges[0]!, ref.inputChanges[0]!) < 1e-4, `${name}: input change`);
    const fd = finiteDifferences(c);
    ref.paramChanges.forEach((d, i) => {
      const err = maxRelError(d!, fd.paramChanges[i]!);
      assert(err < 1e-6, `${name}: ${m.params[i]!.name} vs finite differences: ${err}`);
    });
    assert(maxRelError(ref.inputChanges[0]!, fd.inputChanges[0]!) < 1e-6, `${name}: input change vs finite differences`);
  }
});

// ---- trees -------------------------------------------------------------------

const leafCell = dense(A, H, "tanh");
// a node reads its label [2] and both children as one vector
const nodeCell = seq(wires.concat([2], [H], [H]), dense(2 + 2 * H, H, "tanh")) as AnyPara;
const trees = foldTree({ leaf: leafCell, node: nodeCell, label: [2] });

test("tree fold: fold(Leaf(a)) = leaf(a), fold(Node(l, r)) = node(label, fold(l), fold(r)), exactly, and equal to a hand recursion", () => {
  const rng = new initialisers.Rng(5);
  const p = initial(trees.at("((..).)"), 6);
  const [pl, pn] = [p.slice(0, 2), p.slice(2)];
  const a = normal(rng, N * A);
  for (const run of [runReference, runWasm]) {
    assert(sameValues(run({ lens: trees.at("."), batch: N, params: p, inputs: [a, new Float64Array(0)] }).outputs[0]!, run({ lens: leafCell, batch: N, params: pl, inputs: [a] }).outputs[0]!), `${run.name}: leaf law`);
  }
  // ((a0 a1) a2) with labels b0 (inner node) and b1 (root), as leaves [N, 3, A] and labels [N, 2, 2]
  const leaves = normal(rng, N * 3 * A);
  const labels = normal(rng, N * 2 * 2);
  const pick = (v: Float64Array, count: number, width: number, i: number): Float64Array =>
    Float64Array.from({ length: N * width }, (_, j) => v[(Math.floor(j / width) * count + i) * width + (j % width)]!);
  for (const run of [runReference, runWasm]) {
    const whole = run({ lens: trees.at("((..).)"), batch: N, params: p, inputs: [leaves, labels] }).outputs[0]!;
    const left = run({ lens: trees.at("(..)"), batch: N, params: p, inputs: [Float64Array.from({ length: N * 2 * A }, (_, j) => leaves[Math.floor(j / (2 * A)) * 3 * A + (j % (2 * A))]!), pick(labels, 2, 2, 0)] }).outputs[0]!;
    const right = run({ lens: leafCell, batch: N, params: pl, inputs: [pick(leaves, 3, A, 2)] }).outputs[0]!;
    assert(sameValues(whole, run({ lens: nodeCell, batch: N, params: pn, inputs: [pick(labels, 2, 2, 1), left, right] }).outputs[0]!), `${run.name}: node law`);
    // hand recursion with the two cells
    const l0 = run({ lens: leafCell, batch: N, params: pl, inputs: [pick(leaves, 3, A, 0)] }).outputs[0]!;
    const l1 = run({ lens: leafCell, batch: N, params: pl, inputs: [pick(leaves, 3, A, 1)] }).outputs[0]!;
    const inner = run({ lens: nodeCell, batch: N, params: pn, inputs: [pick(labels, 2, 2, 0), l0, l1] }).outputs[0]!;
    assert(sameValues(whole, run({ lens: nodeCell, batch: N, params: pn, inputs: [pick(labels, 2, 2, 1), inner, right] }).outputs[0]!), `${run.name}: hand recursion`);
  }
});

test("tree fold: shared gradients are the sums over uses (1e-10); wasm matches the reference; finite differences pass", () => {
  const rng = new initialisers.Rng(6);
  const shape = "((..)(.(..)))";
  const tied = seq(trees.at(shape), dense(H, 1)) as AnyPara;
  const untied = seq(trees.untied(shape), dense(H, 1)) as AnyPara;
  const p = initial(tied, 7);
  const [pl, pn, pr] = [p.slice(0, 2), p.slice(2, 4), p.slice(4)];
  // post-order of uses: leaf leaf node leaf leaf leaf node node node
  const order = [0, 0, 1, 0, 0, 0, 1, 1, 1];
  const pu = [...order.flatMap((u) => (u === 0 ? pl : pn)), ...pr];
  const x = normalInputs(tied, N, rng);
  const dy = normalChanges(tied, N, rng);
  const c: Case = { lens: tied, batch: N, params: p, inputs: x, changes: dy };
  const a = runReference(c);
  const b = runReference({ lens: untied, batch: N, params: pu, inputs: x, changes: dy });
  assert(sameValues(a.outputs[0]!, b.outputs[0]!), "tied and untied outputs differ");
  for (let j = 0; j < 4; j++) {
    const cell = j < 2 ? 0 : 1;
    const sum = new Float64Array(a.paramChanges[j]!.length);
    let block = 0;
    order.forEach((u) => {
      if (u === cell) b.paramChanges[block + (j % 2)]!.forEach((v, i) => (sum[i] = sum[i]! + v));
      block += 2;
    });
    assert(maxRelError(a.paramChanges[j]!, sum) <= 1e-10, `${tied.params[j]!.name}: not the sum over uses`);
  }
  const wasm = runWasm(c);
  a.paramChanges.forEach((d, i) => assert(maxRelError(wasm.paramChanges[i]!, d!) < 1e-4, `wasm gradient of ${tied.params[i]!.name}`));
  const fd = finiteDifferences(c);
  a.paramChanges.forEach((d, i) => assert(maxRelError(d!, fd.paramChanges[i]!) < 1e-6, `${tied.params[i]!.name} vs finite differences`));
  a.inputChanges.forEach((d, i) => assert(maxRelError(d!, fd.inputChanges[i]!) < 1e-6, `input ${i} vs finite differences`));
});
