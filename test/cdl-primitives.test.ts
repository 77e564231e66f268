// The new primitives of the real base category (mul, column slices and joins,
// gathers and scatters, per-example products), each through the lens that
// uses it: the wasm f32 plan against the float64 reference (forward and
// reverse, 1e-4 relative) and the reference reverse against central finite
// differences (1e-6), at sizes that are not multiples of 4. Also: perElement
// equals the literal n-fold product with a copied parameter, and bad shapes
// are refused with messages naming both sides.
import { type Para, dense, init, seq, initialisers, layers, wires } from "../ts-api/index.ts";
import { aggregate, broadcast, circularConv1d, cyclicGroup, elman, fold, foldTree, mealy, perElement, point, productGroup, share, treeShape, tying } from "../ts-api/cdl/index.ts";
import { assert, assertThrows } from "./assert.ts";
import { ParalensError } from "../ts-api/index.ts";
import { finiteDifferences, initial, maxRelError, normalChanges, normalInputs, runWasm, runReference, type Case } from "./util.ts";
import { test } from "./harness.ts";

await init();

type AnyPara = Para<readonly (readonly number[])[], readonly (readonly number[])[]>;

function check(name: string, f: AnyPara, batch: number, seed: number): void {
  const rng = new initialisers.Rng(seed);
  const p = initial(f, seed).map((v) => v.map((x) => x + 0.2 * rng.normal()));
  const x = normalInputs(f, batch, rng);
  const dy = normalChanges(f, batch, rng);
  const c: Case = { lens: f, batch, params: p, inputs: x, changes: dy };
  const ref = runReference(c);
  const wasm = runWasm(c);
  ref.outputs.forEach((y, i) => assert(maxRelError(wasm.outputs[i]!, y) < 1e-4, `${name} (batch ${batch}): output ${i}`));
  ref.paramChanges.forEach((d, i) => assert(maxRelError(wasm.paramChanges[i] ?? [], d ?? []) < 1e-4, `${name}: gradient of ${f.params[i]!.name}`));
  ref.inputChanges.forEach((d, i) => {
    const n = x[i]!.length;
    assert(maxRelError(wasm.inputChanges[i] ?? new Float32Array(n), d ?? new Float64Array(n)) < 1e-4, `${name}: input change ${i}`);
  });
  const fd = finiteDifferences(c);
  ref.paramChanges.forEach((d, i) => assert(maxRelError(d!, fd.paramChanges[i]!) < 1e-6, `${name}: ${f.params[i]!.name} vs finite differences`));
  ref.inputChanges.forEach((d, i) => assert(maxRelError(d ?? new Float64Array(x[i]!.length), fd.inputChanges[i]!) < 1e-6, `${name}: input ${i} vs finite differences`));
}

test("wire lenses (multiply, subtract, concat, split, stack, unstack, reshape, sumWires, scaled): wasm = reference, reference = finite differences", () => {
  const cases: [string, AnyPara][] = [
    ["multiply", wires.multiply([7]) as AnyPara],
    ["subtract", wires.subtract([2, 3]) as AnyPara],
    ["concat", wires.concat([3], [5], [2, 3]) as AnyPara],
    ["split", wires.split([5], [1], [2, 3]) as AnyPara],
    ["stack", wires.stack(5, [3]) as AnyPara],
    ["unstack", wires.unstack(3, [2, 3]) as AnyPara],
    ["reshape", layers.reshape([3, 2]).at([[2, 3]]) as AnyPara],
    ["sumWires", wires.sumWires(3, [7]) as AnyPara],
    ["scaled", wires.scaled([5], -0.75) as AnyPara],
    ["concat ; dense ; split", seq(wires.concat([3], [5]), dense(8, 9, "tanh"), wires.split([4], [5])) as AnyPara],
  ];
  for (const [name, f] of cases) for (const batch of [1, 3]) check(name, f, batch, 11);
});

test("gather and scatterAdd (a tying map), per-example products (aggregate) and perElement: wasm = reference = finite differences", () => {
  check("circularConv1d (gather, scatterAdd)", circularConv1d(7, 2, 3, 3, { activation: "tanh" }), 3, 12);
  check("aggregate (batchMatmul NN, TN, NT)", aggregate(5, 3) as AnyPara, 3, 13);
  check("perElement(dense)", perElement(dense(3, 5, "sigmoid"), 7), 2, 14);
});

test("perElement(f, n) is the n-fold product of f with its parameter copied, computed as one batch", () => {
  const n = 4;
  const f = seq(layers.linear(3, 5), dense(5, 2, "tanh")) as AnyPara;
  const untied = wires.diagram("each by hand", [[n, 3]], (d, [x]) => {
    const items = d.apply(wires.unstack(n, [3]), [x!]);
    const ys = items.map((it, i) => d.apply1(f, [it], `e${i}`));
    return [d.apply1(wires.stack(n, [2]), ys)];
  });
  const literal = share(untied, [{ prefix: "", params: f.params }], [0, 0, 0, 0]);
  const batched = perElement(f, n);
  const rng = new initialisers.Rng(15);
  const p = initial(batched, 3);
  const x = normalInputs(batched, 3, rng);
  const dy = normalChanges(batched, 3, rng);
  const [a, b] = [runReference({ lens: batched, batch: 3, params: p, inputs: x, changes: dy }), runReference({ lens: literal, batch: 3, params: p, inputs: x, changes: dy })];
  assert(maxRelError(a.outputs[0]!, b.outputs[0]!) < 1e-14, "outputs");
  a.paramChanges.forEach((d, i) => assert(maxRelError(d!, b.paramChanges[i]!) < 1e-12, `gradient of ${batched.params[i]!.name}`));
  assert(maxRelError(a.inputChanges[0]!, b.inputChanges[0]!) < 1e-14, "input changes");
});

test("bad shapes are refused with messages naming both sides", () => {
  // literal shapes make these compile errors (test/types/cdl.ts); here the run-time check is tested
  const untypedFold = fold as (algebra: unknown) => unknown;
  assertThrows(() => untypedFold({ nil: point([4]), cons: elman(2, 3) }), /state of cons.*expected \[4\], got \[3\]/);
  assertThrows(() => untypedFold({ nil: point([3]), cons: dense(2, 3) }), /cons must take an item and the state \[3\]/);
  assertThrows(() => foldTree({ leaf: dense(2, 3), node: dense(5, 3) }), /inputs of node.*expected \[3\] x \[3\], got \[5\]/);
  assertThrows(() => mealy(elman(2, 3)), /cell must be I x S -> O x S, but elman\(2, 3\) is \[2\] x \[3\] -> \[3\]/);
  assertThrows(() => wires.diagram("d", [[3]], (d, [x]) => [d.apply1(dense(4, 2), [x!])]), /dense\(4 -> 2\) takes \[4\] but was given \[3\]/);
  assertThrows(() => circularConv1d(4, 1, 1, 5), /kernel \[5\] is larger than the grid \[4\]/);
  assertThrows(() => fold({ nil: point([3]), cons: elman(2, 3) }).at(-1), /whole number >= 0, got -1/);
});

test("cdl: exports refuse arguments of the wrong type with a ParalensError naming the argument and its value", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => mealy(null as never), /^mealy: the cell must be a layer of fixed shape .*, got null$/],
    [() => fold(undefined as never), /^fold: the algebra must be an object, got undefined$/],
    [() => fold({ nil: point([2]), cons: "x" } as never), /^fold: cons must be a layer of fixed shape .*, got "x" \(a string\)$/],
    [() => broadcast(2 ** 31, [2]), /^broadcast: n must be a whole number in \[1, 1048576\], got 2147483648$/],
    [() => perElement(dense(2, 2), NaN), /^perElement: n must be a whole number in \[1, 1048576\], got NaN$/],
    [() => share(dense(2, 2), 3 as never, [0]), /^share: cells must be an array of \{ prefix, params \}, got 3$/],
    [() => treeShape({ kind: "node", left: null } as never), /^treeShape: a tree is made of leaf\(value\) and node\(left, right\), got null inside it$/],
    [() => productGroup(cyclicGroup(2), {} as never), /^productGroup: b must be a Group .*, got an object \(Object\)$/],
    [() => tying(dense(2, 2), [], undefined as never), /^tying: maps must be an array of \{ source, index \}, got undefined$/],
  ];
  for (const [f, message] of cases) assert(assertThrows(f, message) instanceof ParalensError, `${message}: a ParalensError`);
});
