// Reverse derivative ascent: one reverse call of the closed lens is one
// hand-computed RDA step (p XOR the parameter part of R[model] at the error),
// the same on the scalar reference and on the bit-sliced plan; a batch step
// XORs the examples' changes; Iris (two classes) and 8-bit parity are
// learned as the paper and the seeds describe.
import { init, type Rng, type Value, initialisers } from "../ts-api/index.ts";
import { compileZ2, exampleFunction, exampleReverse, lut, maskedMajority, popcountThreshold, pseudoLinear, randomBits, rda, rdaLens, type RefBits, refBits, z2Reference } from "../ts-api/z2/index.ts";
import { irisBits } from "../examples/data/iris-bits.ts";
import { assert, assertDeepEqual, assertEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

const V = (b: RefBits): Value => b as unknown as Value;
const B = (v: Value): Uint8Array => (v as unknown as RefBits).bits;
const randomRow = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.int(2));

const models = [
  ["lut(3 -> 2)", () => lut(3, 2, { init: randomBits() })],
  ["pseudoLinear(6, ratio 2)", () => pseudoLinear(6, 1, 2, { init: randomBits() })],
  ["threshold(4 -> 2)", () => popcountThreshold(4, 2, { a: 3, b: -1, t: -2 }, { init: randomBits() })],
] as const;

for (const [name, make] of models) {
  test(`${name}: one reverse pass of the closed RDA lens is p XOR R[model]_P(p, x, f(p, x) XOR y), on the reference and on wasm`, () => {
    const rng = new initialisers.Rng(30);
    const model = make();
    const [np, n, m] = [model.params[0]!.shape[0]!, model.dom[0]![0]!, model.cod[0]![0]!];
    const f = exampleFunction(model);
    const closed = rdaLens(model);
    for (let trial = 0; trial < 20; trial++) {
      const [p, x, y] = [randomRow(rng, np), randomRow(rng, n), randomRow(rng, m)];
      // by hand: the error, the parameter part of the reverse derivative there, the flip
      const error = Array.from(f([...p, ...x]), (b, j) => b ^ y[j]!);
      const dp = exampleReverse(model, [...p, ...x], error).subarray(0, np);
      const expected = p.map((b, i) => b ^ dp[i]!);
      // the closed lens on the reference: forward, then reverse from nothing
      const [, r] = closed.forward(z2Reference, [V(refBits([np], p))], [V(refBits([1, n], x)), V(refBits([1, m], y))]);
      const [[pNew]] = closed.reverse(z2Reference, r, []);
      assertDeepEqual(Array.from(B(pNew!)), expected, `${name}, trial ${trial}: reference`);
      // and compiled, updating the parameter in place
      const plan = compileZ2(closed, { batch: 1, changes: "params", update: true });
      plan.params[0]!.write(p);
      plan.inputs[0]!.write(x);
      plan.inputs[1]!.write(y);
      plan.reverse();
      assertDeepEqual(Array.from(plan.params[0]!.read()), expected, `${name}, trial ${trial}: wasm`);
      assertDeepEqual(Array.from(plan.observed.get("loss")!.read()), error, "the tapped loss is the error");
      plan.dispose();
    }
  });
}

test("a batch step flips the XOR over the examples of their parameter changes, on the reference and on wasm", () => {
  const rng = new initialisers.Rng(31);
  const model = pseudoLinear(5, 1, 2, { init: randomBits() });
  const f = exampleFunction(model);
  const closed = rdaLens(model);
  for (const batch of [2, 3, 130]) {
    const p = randomRow(rng, 5);
    const xs = Array.from({ length: batch }, () => randomRow(rng, 5));
    const ys = Array.from({ length: batch }, () => randomRow(rng, 1));
    const expected = [...p];
    xs.forEach((x, e) => {
      const error = [f([...p, ...x])[0]! ^ ys[e]![0]!];
      exampleReverse(model, [...p, ...x], error).subarray(0, 5).forEach((d, i) => (expected[i]! ^= d));
    });
    const [, r] = closed.forward(z2Reference, [V(refBits([5], p))], [V(refBits([batch, 5], xs.flat())), V(refBits([batch, 1], ys.flat()))]);
    const [[pNew]] = closed.reverse(z2Reference, r, []);
    assertDeepEqual(Array.from(B(pNew!)), expected, `batch ${batch}: reference`);
    const plan = compileZ2(closed, { batch, changes: "params", update: true });
    plan.params[0]!.write(p);
    plan.inputs[0]!.write(xs.flat());
    plan.inputs[1]!.write(ys.flat());
    plan.reverse();
    assertDeepEqual(Array.from(plan.params[0]!.read()), expected, `batch ${batch}: wasm`);
    plan.dispose();
  }
});

test("Iris, setosa vs versicolor, one bit per feature, a 4-input lookup table: test accuracy >= 96% (seed 0)", async () => {
  const { train, test: held } = irisBits(2, "binary");
  const learner = rda(lut(4, 1));
  await learner.fit(train.x, train.y, { seed: 0 });
  const { accuracy } = learner.evaluate(held.x, held.y);
  assert(accuracy >= 0.96, `test accuracy ${accuracy}`);
  // predictions agree with the evaluation
  const wrong = Array.from(learner.predict(held.x)).filter((b, i) => b !== held.y[i]![0]).length;
  assertEqual(1 - wrong / held.x.length, accuracy);
  learner.dispose();
});

const allInputs = (n: number): number[][] => Array.from({ length: 1 << n }, (_, a) => Array.from({ length: n }, (_, i) => (a >> i) & 1));

test("parity of 8 bits is learned exactly by a lookup table in one epoch of online RDA", async () => {
  const x = allInputs(8);
  const y = x.map((r) => [r.reduce((a, b) => a ^ b, 0)]);
  for (const seed of [0, 1]) {
    const learner = rda(lut(8, 1, { init: randomBits() }), { seed });
    const history = await learner.fit(x, y, { seed });
    assert(history.accuracy[0]! < 0.75, "the table starts out wrong on many inputs");
    assertEqual(learner.evaluate(x, y).accuracy, 1, `seed ${seed}`);
    learner.dispose();
  }
});

test("majority of 9 bits is learned exactly by a popcount threshold unit [|p & x| >= 5] exactly when its first mask has >= 4 bits", async () => {
  // Below 4 masked bits the unit never reaches the count 4 at which a flip
  // could change it: its derivative is zero everywhere and RDA cannot move.
  // From 4 or more, every error adds bits and none is ever removed.
  const x = allInputs(9);
  const y = x.map((r) => [r.reduce((a, b) => a + b, 0) >= 5 ? 1 : 0]);
  let learned = 0;
  for (let seed = 0; seed < 12; seed++) {
    const learner = rda(popcountThreshold(9, 1, { a: 2, b: 0, t: -9 }, { init: randomBits() }), { seed });
    const start = learner.parameters()["mask"]!.reduce((a, b) => a + b, 0);
    await learner.fit(x, y, { epochs: 3, seed });
    const exact = learner.evaluate(x, y).accuracy === 1;
    assertEqual(exact, start >= 4, `seed ${seed}: first mask has ${start} bits`);
    if (exact) {
      assertDeepEqual(Array.from(learner.parameters()["mask"]!), new Array<number>(9).fill(1), "every input is in the mask");
      learned++;
    }
    learner.dispose();
  }
  assert(learned >= 6, `only ${learned} of 12 first masks had 4 bits or more`);
  // the strict majority of the masked inputs does not reach that mask by RDA
  const masked = rda(maskedMajority(9, 1, { init: randomBits() }), { seed: 0 });
  await masked.fit(x, y, { epochs: 3, seed: 0 });
  assert(masked.evaluate(x, y).accuracy < 1, "maskedMajority stays short of exact");
  masked.dispose();
});
