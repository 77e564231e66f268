// Max and average pooling, flatten and reshape: wasm against the float64
// reference on both passes, the reference's reverse against central finite
// differences, odd sizes, overlapping windows, "same" padding, ties and NaN.
import { init, maxPool2d, flatten, seq, compile, type Para, type Wires, layers } from "../ts-api/index.ts";
import { test } from "./harness.ts";
import { assertClose, assertDeepEqual, assertEqual, assertThrows, assert } from "./assert.ts";
import { finiteDifferences, randomCase, runReference, runWasm } from "./util.ts";

await init();

interface Case {
  input: [number, number, number];
  size: number | [number, number];
  stride?: number | [number, number];
  padding?: "valid" | "same";
  batch: number;
}

const cases: Case[] = [
  { input: [4, 4, 1], size: 2, batch: 1 },
  { input: [7, 5, 3], size: 2, batch: 2 }, // odd sizes: the last row and column are dropped
  { input: [7, 5, 6], size: 3, stride: 2, padding: "same", batch: 2 }, // overlapping windows, clipped at the border
  { input: [9, 8, 5], size: [3, 2], stride: [1, 3], batch: 2 },
  { input: [6, 6, 8], size: 3, stride: 1, batch: 1 }, // every tap in up to 9 windows
  { input: [5, 7, 4], size: 2, padding: "same", batch: 3 },
];

const tol = { rtol: 1e-5, atol: 1e-6 };
const pools = [
  ["maxPool2d", (c: Case) => maxPool2d(c.size, { stride: c.stride, padding: c.padding }).at(c.input)],
  ["avgPool2d", (c: Case) => layers.avgPool2d(c.size, { stride: c.stride, padding: c.padding }).at(c.input)],
] as const;

for (const [name, make] of pools) {
  test(`${name} wasm matches the float64 reference on both passes`, () => {
    cases.forEach((c, i) => {
      const f: Para<Wires, Wires> = make(c);
      const v = randomCase(f, c.batch, 300 + i);
      const want = runReference(v);
      const got = runWasm(v);
      assertClose(got.outputs[0]!, want.outputs[0]!, tol, `forward ${JSON.stringify(c)}`);
      assertClose(got.inputChanges[0]!, want.inputChanges[0]!, tol, `reverse ${JSON.stringify(c)}`);
    });
  });

  test(`${name} reference reverse pass matches central finite differences`, () => {
    cases.forEach((c, i) => {
      const f: Para<Wires, Wires> = make(c);
      const v = randomCase(f, c.batch, 400 + i);
      const { inputChanges } = runReference(v);
      const fd = finiteDifferences(v);
      assertClose(inputChanges[0]!, fd.inputChanges[0]!, { rtol: 1e-6, atol: 1e-8 }, `dx ${JSON.stringify(c)}`);
    });
  });
}

test("pooling output shapes", () => {
  assertDeepEqual(maxPool2d(2).at([26, 26, 3]).cod, [[13, 13, 3]]);
  assertDeepEqual(maxPool2d(2).at([13, 13, 3]).cod, [[6, 6, 3]]);
  assertDeepEqual(maxPool2d(2, { padding: "same" }).at([13, 13, 3]).cod, [[7, 7, 3]]);
  assertDeepEqual(layers.avgPool2d(3, { stride: 2 }).at([9, 8, 2]).cod, [[4, 3, 2]]);
});

test("maxPool2d on ties sends the change to the first maximum, and NaN propagates", () => {
  const f = maxPool2d(2).at([2, 4, 1]);
  const plan = compile(f, { batch: 1 });
  plan.inputs[0]!.set([1, 1, 0, NaN, 1, 1, 0, 2]);
  plan.forward();
  assertEqual(plan.outputs[0]!.data[0], 1);
  assert(Number.isNaN(plan.outputs[0]!.data[1]!), "NaN in a window gives NaN");
  plan.outputChanges[0]!.set([5, 7]);
  plan.reverse();
  assertDeepEqual([...plan.inputChanges[0]!.data], [5, 0, 0, 7, 0, 0, 0, 0]);
  plan.dispose();
});

test("avgPool2d with same padding averages only the taps inside the image", () => {
  const f = layers.avgPool2d(2, { padding: "same" }).at([3, 3, 1]);
  const plan = compile(f, { batch: 1 });
  plan.inputs[0]!.set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  plan.forward();
  assertDeepEqual([...plan.outputs[0]!.data], [3, 4.5, 7.5, 9]);
  plan.dispose();
});

test("flatten and reshape are views on both passes", () => {
  const f = seq(layers.reshape([2, -1, 3]), flatten).at([12]);
  assertDeepEqual(f.cod, [[12]]);
  const v = randomCase(f, 2, 5);
  const got = runWasm(v);
  assertClose(got.outputs[0]!, v.inputs[0]!, { rtol: 1e-7 }, "forward is the identity on values");
  assertClose(got.inputChanges[0]!, v.changes[0]!, { rtol: 1e-7 }, "reverse is the identity on values");
  const plan = compile(f, { batch: 2 });
  assertEqual(plan.stats.forwardCalls + plan.stats.reverseCalls, 0, "no kernel calls");
  plan.dispose();
});

test("pooling and reshape reject impossible shapes", () => {
  assertThrows(() => maxPool2d(3).at([2, 5, 1]), /kernel's height 3 exceeds the input's height 2/);
  assertThrows(() => layers.avgPool2d(2).at([16]), /images \[height, width, channels\], got \[16\]/);
  assertThrows(() => maxPool2d(0), /kernel must be a whole number >= 1/);
  assertThrows(() => layers.reshape([5, -1]).at([12]), /cannot view \[12\] \(12 values per example\) as \[5, -1\]/);
  assertThrows(() => layers.reshape([-1, -1]), /at most one -1/);
  assertThrows(() => flatten.at([[2], [3]]), /one wire/);
});
