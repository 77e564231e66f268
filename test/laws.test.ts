// The category laws, checked on both passes, on the wasm plans (bit for bit:
// both sides run the same kernels in the same order) and on the float64
// reference: associativity and units of sequential composition, the
// interchange law of the parallel product, copy's reverse adding, and a tied
// parameter's gradient being the sum of its copies'.
import { test } from "./harness.ts";
import { assertClose, assertDeepEqual, assertThrows } from "./assert.ts";
import { type Case, type Run, randomCase, runReference, runWasm } from "./util.ts";
import { init, seq, par, tie, dense, type Para, type Wires, layers, wires } from "../ts-api/index.ts";

await init();

/** Runs two lenses on the same random case (params permuted by `perm` for the right side) and compares everything. */
function sameOnBothPasses(name: string, left: Para<Wires, Wires>, right: Para<Wires, Wires>, batch = 3, perm?: number[]): void {
  const c = randomCase(left, batch, name.length);
  const order = perm ?? c.params.map((_, i) => i);
  const d: Case = { ...c, lens: right, params: order.map((i) => c.params[i]!) };
  for (const [backend, run, exact] of [["wasm", runWasm, true], ["reference", runReference, false]] as const) {
    const a = run(c);
    const b = run(d);
    const eq = (what: string, x: ArrayLike<number> | null, y: ArrayLike<number> | null): void => {
      if (exact) assertDeepEqual(Array.from(x ?? []), Array.from(y ?? []), `${name} (${backend}) ${what}`);
      else assertClose(x ?? [], y ?? [], { rtol: 1e-12, atol: 1e-14 }, `${name} (${backend}) ${what}`);
    };
    a.outputs.forEach((y, i) => eq(`output ${i}`, y, b.outputs[i]!));
    order.forEach((j, i) => eq(`parameter change ${j}`, a.paramChanges[j]!, b.paramChanges[i]!));
    a.inputChanges.forEach((x, i) => eq(`input change ${i}`, x, b.inputChanges[i]!));
  }
}

const f = dense(4, 6, "tanh");
const g = dense(6, 5, "relu");
const h = dense(5, 3, "sigmoid");

test("associativity: (f ; g) ; h = f ; (g ; h)", () => {
  sameOnBothPasses("associativity", seq(seq(f, g), h), seq(f, seq(g, h)));
});

test("units: id ; f = f = f ; id", () => {
  sameOnBothPasses("left unit", seq(wires.id([4]), f), f);
  sameOnBothPasses("right unit", seq(f, wires.id([6])), f);
});

test("interchange: (f x g) ; (h x k) = (f ; h) x (g ; k)", () => {
  const k = layers.linear(2, 7);
  const g2 = dense(3, 2, "tanh");
  // parameters: left is [f, g2, h', k], right is [f, h', g2, k]
  const h2 = dense(6, 5, "sigmoid");
  const left = seq(par(f, g2), par(h2, k));
  const right = par(seq(f, h2), seq(g2, k));
  // f has 2 parameter wires, g2 2, h2 2, k 1: map right's order onto left's
  sameOnBothPasses("interchange", left, right, 3, [0, 1, 4, 5, 2, 3, 6]);
});

test("par of structure maps: swap ; swap = id, and discard's reverse is zero", () => {
  sameOnBothPasses("swap twice", seq(wires.swap([3], [2, 2]), wires.swap([2, 2], [3])), wires.id([[3], [2, 2]]));
  const c = randomCase(wires.discard([4]), 2, 1);
  const r = runReference(c);
  assertDeepEqual(r.inputChanges, [null], "discard's reverse");
});

test("copy ; add = 2 x, and the reverse of copy adds the changes", () => {
  const doubled = seq(wires.copy([5]), wires.add([5]));
  const c = randomCase(doubled, 3, 4);
  for (const run of [runWasm, runReference] as ((c: Case) => Run<ArrayLike<number>>)[]) {
    const r = run(c);
    assertClose(r.outputs[0]!, c.inputs[0]!.map((v) => 2 * v), { rtol: 1e-6 }, "copy ; add forward");
    assertClose(r.inputChanges[0]!, c.changes[0]!.map((v) => 2 * v), { rtol: 1e-6 }, "copy ; add reverse");
  }
});

test("weight tying: the tied parameter's gradient is the sum of its copies' gradients", () => {
  const untied = seq(layers.linear(4, 4), layers.tanh, layers.linear(4, 4), layers.sigmoid);
  const tied = tie(untied, [["0.weight", "2.weight"]]);
  assertDeepEqual(tied.params.map((p) => p.name), ["0.weight"], "tied parameters");
  const c = randomCase(tied, 3, 11);
  const u: Case = { ...c, lens: untied, params: [c.params[0]!, c.params[0]!] };
  for (const [run, tol] of [[runWasm, 1e-5], [runReference, 1e-13]] as [(c: Case) => Run<ArrayLike<number>>, number][]) {
    const a = run(c);
    const b = run(u);
    assertClose(a.outputs[0]!, b.outputs[0]!, { rtol: tol }, "tied forward");
    const sum = Array.from(b.paramChanges[0]!, (v, i) => v + b.paramChanges[1]![i]!);
    assertClose(a.paramChanges[0]!, sum, { rtol: tol, atol: tol }, "tied gradient = sum of copies");
  }
});

test("tie rejects unknown names, mismatched shapes and single-member groups", () => {
  const m = seq(layers.linear(4, 4), layers.relu, layers.linear(4, 3));
  assertThrows(() => tie(m, [["0.weight", "9.weight"]]), /no parameter "9.weight"/);
  assertThrows(() => tie(m, [["0.weight", "2.weight"]]), /\[4, 3\] but "0.weight" is \[4, 4\]/);
  assertThrows(() => tie(m, [["0.weight"]]), /at least two/);
});

test("composition checks shapes and names both parts and both shapes", () => {
  assertThrows(() => seq(dense(4, 20), dense(21, 3) as never), /output of dense\(4 -> 20\) is \[20\] but dense\(21 -> 3\) takes \[21\]/);
  assertThrows(() => seq(dense(4, 2), wires.swap([2], [3]) as never), /is \[2\] but swap\(\[2\], \[3\]\) takes \[2\] x \[3\]/);
});
