// The bit-sliced wasm programs against the scalar reference evaluator: random
// circuits, batch sizes that are not multiples of 128 (so the tail lanes of
// the last word are masked), block sizes that leave partial blocks, and the
// three phases of a plan (prologue on parameters, batch loop, epilogue after
// the batch sums).
import { ParalensError, compile, init, type Rng, type Value, initialisers } from "../ts-api/index.ts";
import { BitTensor, circuit, circuitLens, circuitPara, compileZ2, lut, polynomial, randomCircuit, type RefBits, refBits, selectBits, splitBits, truthTable, xorGate, type Z2Ops, z2Reference } from "../ts-api/z2/index.ts";
import { para, type Para } from "../ts-api/algebra/para.ts";
import { engine } from "../ts-api/engine/init.ts";
import { assert, assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { test } from "./harness.ts";

await init();

const V = (b: RefBits): Value => b as unknown as Value;
const B = (v: Value): Uint8Array => (v as unknown as RefBits).bits;
const randomBits = (rng: Rng, n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(2));

const BATCHES = [1, 7, 127, 128, 129, 255, 257, 1000];

test("BitTensor: bits written row by row read back the same, batched and unbatched", () => {
  const rng = new initialisers.Rng(1);
  for (const batch of BATCHES) {
    const t = BitTensor.alloc(engine(), [batch, 5]);
    const x = randomBits(rng, batch * 5);
    assertDeepEqual(Array.from(t.write(x).read()), Array.from(x), `batch ${batch}`);
    t.writeRow(batch - 1, [1, 0, 1, 1, 0]);
    assertDeepEqual(Array.from(t.read().subarray((batch - 1) * 5)), [1, 0, 1, 1, 0]);
    t.dispose();
  }
  const p = BitTensor.alloc(engine(), [6]).write([1, 0, 0, 1, 1, 0]);
  assertDeepEqual(Array.from(p.read()), [1, 0, 0, 1, 1, 0]);
  assertEqual(p.u32[12], 0xffffffff, "a set unbatched bit fills its word");
  assertEqual(p.u32[4], 0, "a clear one leaves it empty");
  p.dispose();
});

test("random circuits: wasm forward and reverse equal the scalar evaluator at every batch size", () => {
  const rng = new initialisers.Rng(2);
  for (const batch of BATCHES) {
    for (const block of [1, 3, 8]) {
      const c = randomCircuit(rng, { inputs: 1 + rng.int(12), gates: 1 + rng.int(150) });
      const f = circuitLens(c);
      const [n, m] = [c.inputs, c.outputs.length];
      const x = randomBits(rng, batch * n);
      const dy = randomBits(rng, batch * m);
      const [[y], r] = f.forward(z2Reference, [], [V(refBits([batch, n], x))]);
      const [, [dx]] = f.reverse(z2Reference, r, [V(refBits([batch, m], dy))]);
      const plan = compileZ2(f, { batch, block });
      plan.inputs[0]!.write(x);
      plan.outputChanges[0]!.write(dy);
      plan.forward();
      plan.reverse();
      const what = `batch ${batch}, block ${block}, ${c.ops.length} gates`;
      assertDeepEqual(Array.from(plan.outputs[0]!.read()), Array.from(B(y!)), `${what}: forward`);
      assertDeepEqual(Array.from(plan.inputChanges[0]!.read()), Array.from(B(dx!)), `${what}: reverse`);
      plan.dispose();
    }
  }
});

test("parameter changes are XORs over the batch, with the lanes past the batch left out", () => {
  const rng = new initialisers.Rng(3);
  for (const batch of BATCHES) {
    const c = randomCircuit(rng, { inputs: 10, gates: 80, mix: [30, 50, 20] });
    const f = circuitPara(c, { params: 4 });
    const p = randomBits(rng, 4);
    const x = randomBits(rng, batch * 6);
    const dy = randomBits(rng, batch * c.outputs.length);
    const [, r] = f.forward(z2Reference, [V(refBits([4], p))], [V(refBits([batch, 6], x))]);
    const [[dp], [dx]] = f.reverse(z2Reference, r, [V(refBits([batch, c.outputs.length], dy))]);
    const plan = compileZ2(f, { batch, block: 2 });
    plan.params[0]!.write(p);
    plan.inputs[0]!.write(x);
    plan.outputChanges[0]!.write(dy);
    plan.reverse();
    assertDeepEqual(Array.from(plan.paramChanges[0]!.read()), Array.from(B(dp!)), `batch ${batch}: dp`);
    assertDeepEqual(Array.from(plan.inputChanges[0]!.read()), Array.from(B(dx!)), `batch ${batch}: dx`);
    plan.dispose();
  }
});

// Gates on the parameter before it meets the batch (the prologue) and after
// the batch sum (the epilogue): q = p & rotate(p) and y = x ^ spread(~q);
// the change given back is p ^ collect(dy & x), written over p with `update`.
const twoPhase: Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> = para<
  readonly [readonly [number]],
  readonly [readonly [number]],
  { p: Value; x: Value },
  Z2Ops
>({
  name: "twoPhase",
  dom: [[5]],
  cod: [[5]],
  params: [{ name: "p", shape: [5], init: (s) => new Float64Array(s[0]!), role: "parameter" }],
  forward(k, [p], [x]) {
    const q = k.and(p!, k.pick(p!, [1, 2, 3, 4, 0]));
    return [[k.xor(x!, k.spread(k.not(q), k.shape(x!)[0]!))], { p: p!, x: x! }];
  },
  reverse: (k, { p, x }, [dy]) => [[k.xor(p, k.collect(k.and(dy!, x)))], [dy!]],
  linear: false,
});

test("prologue and epilogue: gates on parameters run once, an update is written over the parameter", () => {
  const rng = new initialisers.Rng(4);
  for (const batch of [1, 2, 129, 300]) {
    const p = randomBits(rng, 5);
    const x = randomBits(rng, batch * 5);
    const dy = randomBits(rng, batch * 5);
    const [[y], r] = twoPhase.forward(z2Reference, [V(refBits([5], p))], [V(refBits([batch, 5], x))]);
    const [[pNew]] = twoPhase.reverse(z2Reference, r, [V(refBits([batch, 5], dy))]);
    const plan = compileZ2(twoPhase, { batch, update: true, changes: "params" });
    assert(plan.stats.forward.once > 0, "the parameter gates run in a prologue");
    plan.params[0]!.write(p);
    plan.inputs[0]!.write(x);
    plan.outputChanges[0]!.write(dy);
    plan.forward();
    assertDeepEqual(Array.from(plan.outputs[0]!.read()), Array.from(B(y!)), `batch ${batch}: forward`);
    plan.reverse();
    assertEqual(plan.paramChanges[0], plan.params[0], "with update, the change is the parameter itself");
    assertDeepEqual(Array.from(plan.params[0]!.read()), Array.from(B(pNew!)), `batch ${batch}: updated parameter`);
    plan.dispose();
  }
});

test("compileZ2 rejects bad batches, wire shapes and parameter tensors", () => {
  const c = randomCircuit(new initialisers.Rng(5), { inputs: 4, gates: 10 });
  assertThrows(() => compileZ2(circuitLens(c), { batch: 0 }), /batch must be a whole number >= 1, got 0/);
  const f = circuitPara(c, { params: 2 });
  const wrong = BitTensor.alloc(engine(), [3]);
  assertThrows(() => compileZ2(f, { batch: 4, params: [wrong] }), /parameter "bits" .* is \[2\], got a bit tensor \[3\]/);
  wrong.dispose();
});

test("z2: compile (the float compiler) refuses a Z2 lens and names compileZ2", () => {
  for (const f of [xorGate(2), lut(2, 1), polynomial("x0*x1")]) {
    const err = assertThrows(() => compile(f as never, { batch: 2 }), /^compile: the lens calls \w+, an op of Boolean circuits \(Z2Ops\), not of the reals: a lens from paralens\/z2 is compiled with compileZ2/);
    assert(err instanceof ParalensError, "a ParalensError");
  }
});

test("z2: exports refuse arguments of the wrong type with a ParalensError naming the argument and its value", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => circuit(2 ** 31, () => [0]), /^circuit: inputs must be a whole number in \[1, 1048576\], got 2147483648$/],
    [() => circuit(2, "x" as never), /^circuit: build must be a function .*, got "x" \(a string\)$/],
    [() => circuitLens(null as never), /^circuitLens: the circuit must be a Circuit .*, got null$/],
    [() => truthTable(undefined as never), /^truthTable: the model must be a layer of fixed shape .*, got undefined$/],
    [() => compileZ2(xorGate(1), undefined as never), /^compileZ2: options must be an object, got undefined$/],
    [() => splitBits(3 as never), /^splitBits: sizes must be an array of whole numbers >= 1, got 3$/],
    [() => selectBits(2, [0, 1.5]), /^selectBits: bit 1.5 is not one of the 2 bits 0..1$/],
    [() => lut(2, 7e56), /^lut: outputs must be a whole number in \[1, 1048576\], got 7e\+56$/],
    [() => refBits("4" as never), /^refBits: shape must be an array of whole numbers >= 0, got "4" \(a string\)$/],
  ];
  for (const [f, message] of cases) assert(assertThrows(f, message) instanceof ParalensError, `${message}: a ParalensError`);
});
