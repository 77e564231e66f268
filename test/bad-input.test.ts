// Careless and hostile inputs, each with what the user sees: every test here
// is a row of the "Bad input" table of docs/guide/reliability.md (test/bad-input-table.node.test.ts
// checks that the table and these tests agree).
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import {
  type DivergenceError, compile, type LossSpikeError, ParalensError, adam, dense, engine, init, mse, seq, sgd, softmaxCrossEntropy, supervised, transformer, initialisers, layers, learning, losses, optimisers, serve, backends,
} from "../ts-api/index.ts";
import { decodeSafetensors, encodeSafetensors } from "../ts-api/io/index.ts";
import { lut, parsePolynomial, rda } from "../ts-api/z2/index.ts";
import { StructuredLearner, elman, fold, point } from "../ts-api/cdl/index.ts";

await init();

const classifier = (rate = 0.1, optimiser = sgd()) => supervised(seq(dense(4, 8), layers.relu, dense(8, 3)), { loss: softmaxCrossEntropy, rate, optimiser, seed: 1 });
const xs = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i * 3), (i % 5) / 5, ((i * 7) % 11) / 11]);
const ys = xs.map((_, i) => i % 3);

function bitsOf(p: Record<string, Float32Array>): number[] {
  return Object.values(p).flatMap((a) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)]);
}

test("bad input: a learning rate of 1e30 makes fit diverge", async () => {
  const l = classifier(1e30, optimisers.momentum());
  const err = (await assertRejects(() => l.fit(xs, ys, { epochs: 3, batchSize: 8 }), /fit: training diverged at epoch 1, step \d+: .* became (NaN|-?Infinity) \(kernel \w+, (forward|reverse) call \d+ of \d+\)/)) as DivergenceError;
  assert(err instanceof learning.DivergenceError && err instanceof ParalensError, "a DivergenceError, which is a ParalensError");
  assertEqual(err.epoch, 1);
  // the learner holds the state from before the diverging step: the same as a run stopped one step earlier
  const again = classifier(1e30, optimisers.momentum());
  const stop = new AbortController();
  await again.fit(xs, ys, { epochs: 3, batchSize: 8, signal: stop.signal, onBatchEnd: (r) => r.batch === err.step - 1 && stop.abort() }).catch(() => {});
  if (err.step === 1) assertDeepEqual(bitsOf(l.parameters()), bitsOf(classifier(1e30, optimisers.momentum()).parameters()));
  else assertDeepEqual(bitsOf(l.parameters()), bitsOf(again.parameters()), "parameters of the last finite step");
  assert(Object.values(l.parameters()).every((a) => a.every(Number.isFinite)), "every parameter is finite");
  await l.save(); // a finite learner saves
});

test("bad input: a learning rate of 1e30 makes step diverge", () => {
  const l = classifier(1e30);
  // the parameters and optimiser state before each step, to compare with what the error leaves
  const before: number[][] = [];
  const stateBits = () => l.state.flatMap((t) => [...new Uint32Array(t.toArray().buffer)]);
  let caught: unknown;
  for (let i = 1; i <= 10 && caught === undefined; i++) {
    before[i] = stateBits();
    try {
      l.step(xs.slice(0, 8), ys.slice(0, 8));
    } catch (e) {
      caught = e;
    }
  }
  assert(caught instanceof learning.DivergenceError, `step threw ${String(caught)}`);
  assert(/step: training diverged at step \d+/.test(caught.message), caught.message);
  assert(Object.values(l.parameters()).every((a) => a.every(Number.isFinite)), "every parameter is finite after the error");
  assertDeepEqual(stateBits(), before[caught.step]!, "the state from before the diverging step, bit for bit");
});

test("bad input: rates and optimiser settings of NaN, Infinity or below 0", () => {
  for (const rate of [NaN, Infinity, -1]) {
    assertThrows(() => classifier(rate), /the learning rate must be a finite number >= 0, got (NaN|Infinity|-1)/);
  }
  assertThrows(() => losses.constantRate(NaN), /constantRate: the learning rate must be a finite number >= 0, got NaN/);
  assertThrows(() => adam({ lr: NaN }), /adam: lr must be a finite number > 0, got NaN/);
  assertThrows(() => adam({ beta2: 1 }), /adam: beta2 must be a finite number in \[0, 1\), got 1/);
  assertThrows(() => optimisers.momentum({ gamma: Infinity }), /momentum: gamma must be a finite number in \[-1, 1\], got Infinity/);
  assertThrows(() => supervised(dense(4, 3), { loss: softmaxCrossEntropy, rate: "0.1" as unknown as number }), /rate: expected a number or a rate lens/);
});

test("bad input: an all-NaN or overflowing model is not scored as accurate", () => {
  const l = classifier();
  assertThrows(() => l.setParameters(Object.fromEntries(Object.entries(l.parameters()).map(([k, v]) => [k, v.map(() => NaN)]))), /setParameters: "0.weight" value 0 is NaN; parameters must be finite/);
  // inputs near f32's limit overflow the model's output: those rows count as wrong
  const huge = xs.map((r) => r.map(() => 3e38));
  assert(l.predict(huge).every((v) => !Number.isFinite(v)), "the model overflows on these inputs");
  const e = l.evaluate(huge, ys);
  assertEqual(e.accuracy, 0, "accuracy of rows with non-finite predictions");
  assert(!Number.isFinite(e.loss), `the loss says so too: ${e.loss}`);
});

test("bad input: 2n class indices for n examples of 2 classes", async () => {
  const two = supervised(dense(4, 2), { loss: softmaxCrossEntropy });
  const eight = [0, 1, 1, 0, 1, 1, 0, 0];
  await assertRejects(() => two.fit(xs.slice(0, 4), eight), /fit y: 8 labels for 4 examples: give 4 class indices, or 4 rows of 2 values \(8 in all\) as nested arrays or a Float32Array/);
  // as a Float32Array of rows (what oneHot gives) the layout is explicit
  await two.fit(xs.slice(0, 4), new Float32Array([1, 0, 0, 1, 1, 0, 0, 1]));
});

test("bad input: labels outside 0..1 for binaryCrossEntropy", () => {
  const l = supervised(seq(dense(4, 1), layers.sigmoid), { loss: losses.binaryCrossEntropy });
  for (const bad of [2, 5, -1]) {
    assertThrows(() => l.step(xs.slice(0, 2), [0, bad]), new RegExp(`step y: row 1, value 0 is ${bad}; labels of binaryCrossEntropy are probabilities in \\[0, 1\\]`));
  }
});

test("bad input: soft labels with negative values or rows not summing to 1", () => {
  const l = classifier();
  assertThrows(() => l.step([xs[0]!], [[1.5, -0.5, 0]]), /step y: row 0, value 0 is 1.5; labels of softmaxCrossEntropy are probabilities in \[0, 1\]/);
  assertThrows(() => l.step([xs[0]!], [[0.5, 0.5, 0.5]]), /step y: row 0 sums to 1.5; labels of softmaxCrossEntropy are class indices or rows of probabilities summing to 1/);
  assertThrows(() => l.step([xs[0]!], [3]), /step y: label 0 is 3, not a class in 0..2/);
  assertThrows(() => l.step([xs[0]!], [0.5]), /step y: label 0 is 0.5, not a class in 0..2/);
});

test("bad input: rows holding null, true, [] or a string", () => {
  const l = classifier();
  const row = (v: unknown) => [[0.1, 0.2, v, 0.4]] as unknown as number[][];
  assertThrows(() => l.predict(row(null)), /predict x: row 0, value 2 is null; values must be finite numbers/);
  assertThrows(() => l.predict(row(true)), /predict x: row 0, value 2 is true \(a boolean\)/);
  assertThrows(() => l.predict(row([])), /predict x: row 0, value 2 is \[\] \(an empty array\)/);
  assertThrows(() => l.predict(row("1")), /predict x: row 0, value 2 is "1" \(a string\)/);
  assertThrows(() => l.predict([0.1, null, 0.3, 0.4] as unknown as number[]), /predict x: value 1 is null \(row 0\)/);
  assertThrows(() => l.predict([[0.1, 0.2, 0.3, 0.4], "abcd"] as unknown as number[][]), /predict x: row 1 is "abcd" \(a string\), but row 0 is an array/);
  assertThrows(() => l.predict([[0.1, 0.2, 0.3, 1e39]]), /predict x: row 0, value 3 is 1e\+39; values must be finite numbers/);
});

test("bad input: a typed batch given to step with a value that is not finite in f32 is refused by its index and row", () => {
  const l = classifier();
  const before = l.parameters();
  const batch = (i: number, v: number, typed: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array => {
    const values = new typed(8);
    for (let j = 0; j < 8; j++) values[j] = j === i ? v : 0.25 * j;
    return values;
  };
  // step checks these where it copies them, in the engine's memory: the message still names the value as given
  assertThrows(() => l.step(batch(6, Infinity, Float32Array), [0, 1]), /step x: value 6 is Infinity \(row 1\); values must be finite numbers/);
  assertThrows(() => l.step(batch(0, NaN, Float32Array), [0, 1]), /step x: value 0 is NaN \(row 0\)/);
  assertThrows(() => l.step(batch(5, 1e39, Float64Array), [0, 1]), /step x: value 5 is 1e\+39 \(row 1\)/);
  assertDeepEqual(l.parameters(), before);
  // and a good batch after them trains
  assert(Number.isFinite(l.step(batch(0, 0, Float32Array), [0, 1])));
});

test("bad input: data that is not an array (a string, a number, an object, undefined)", async () => {
  const l = classifier();
  assertThrows(() => l.predict("1234" as unknown as number[]), /predict x: expected an array or a typed array of numbers, got "1234" \(a string\)/);
  assertThrows(() => l.predict(5 as unknown as number[]), /predict x: expected an array or a typed array of numbers, got 5/);
  assertThrows(() => l.predict({} as unknown as number[]), /predict x: expected an array or a typed array of numbers, got an object \(Object\)/);
  await assertRejects(() => l.fit(undefined as unknown as number[], ys), /fit x: expected an array or a typed array of numbers, got undefined/);
  await assertRejects(() => l.fit(xs, "0120" as unknown as number[]), /fit y: expected an array or a typed array of labels, got "0120"/);
});

test("bad input: a second fit while one is running", async () => {
  const l = classifier();
  let second: Promise<unknown> | undefined;
  await l.fit(xs, ys, {
    epochs: 2,
    onBatchEnd: (r) => {
      if (r.batch > 1 || r.epoch > 1) return;
      second = l.fit(xs, ys);
      assertThrows(() => l.step(xs, ys), /learner: step\(\) called while fit\(\) is running/);
      l.evaluate(xs, ys); // reading between two steps is safe
      assertThrows(() => l.dispose(), /learner: dispose\(\) called while fit\(\) is running/);
    },
  });
  await assertRejects(() => second!, /learner: fit\(\) called while fit\(\) is running on this learner; await it first/);
  l.step(xs, ys); // free again
  l.dispose();
});

test("bad input: a model too large for wasm's 4 GiB", () => {
  const before = engine().stats();
  assertThrows(() => supervised(dense(100000, 100000), { loss: softmaxCrossEntropy }), /out of memory: the parameters and optimiser state of dense\(100000 -> 100000\) \(2 tensors\) need 37.25 GiB, but the arena holds at most 4.00 GiB/);
  assertDeepEqual(engine().stats(), before, "nothing allocated");
});

test("bad input: a float64 reference tensor past 2^28 values is refused before it is allocated", () => {
  assertThrows(() => backends.refTensor([7, 21351, 21140]), /refTensor \[7, 21351, 21140\]: 3159520980 values are more than the float64 reference holds in one tensor \(268435456, 2 GiB\)/);
  assert(backends.refTensor([2, 3]).data.length === 6, "a small one is made");
});

test("bad input: a batch too large to compile frees what it allocated", () => {
  const l = supervised(dense(4, 30000), { loss: softmaxCrossEntropy });
  const before = engine().stats();
  const big = new Float32Array(40000 * 4);
  assertThrows(() => l.step(big, new Float32Array(40000)), /out of memory: .* need/); // 40000 x 30000 outputs: 4.5 GiB
  const after = engine().stats();
  assertDeepEqual([after.tensors, after.bytes], [before.tensors, before.bytes], "live tensors and bytes are where they were");
  l.dispose();
});

test("bad input: engine().stats() counts live tensors and bytes", () => {
  const before = engine().stats();
  const t = engine().tensor([256]);
  const l = classifier();
  const during = engine().stats();
  assertEqual(during.tensors - before.tensors, 1 + 4, "one tensor and the learner's four parameters");
  const block = (values: number) => Math.ceil((values * 4) / 16) * 16; // the arena's blocks are 16-byte aligned
  assertEqual(during.bytes - before.bytes, block(256) + block(32) + block(8) + block(24) + block(3));
  l.step(xs, ys);
  t.dispose();
  l.dispose();
  assertDeepEqual(engine().stats().tensors, before.tensors);
  assertDeepEqual(engine().stats().bytes, before.bytes);
});

test("bad input: polynomial text of a huge exponent, deep nesting, a huge index or a long line", () => {
  assertThrows(() => parsePolynomial("x0^99999999999"), /polynomial: the exponent 99999999999 is over the limit of 1024 at column 4/);
  assertThrows(() => parsePolynomial("(".repeat(10000) + "x0" + ")".repeat(10000)), /polynomial: parentheses nest deeper than 256 at column 257/);
  assertThrows(() => parsePolynomial("x9999999999"), /polynomial: the variable index 9999999999 is over the limit of 65535 at column 2/);
  const groups = Array.from({ length: 6 }, (_, g) => `(${Array.from({ length: 10 }, (_, i) => `x${g * 10 + i}`).join(" + ")})`);
  assertThrows(() => parsePolynomial(groups.join(" * ")), /the expansion has \d+ monomials, more than the 100000 allowed/);
  const long = "x0 + " + "x1 * ".repeat(200000) + "$";
  const err = assertThrows(() => parsePolynomial(long), /unexpected '\$'/);
  assert(err.message.length < 300, `the message quotes an excerpt, not the ${long.length}-character input: ${err.message.length} characters`);
  const big = Array.from({ length: 20000 }, (_, i) => `x${i % 4000}*x${(i * 7) % 4000}`).join(" + ");
  const t0 = performance.now();
  parsePolynomial(big);
  const ms = performance.now() - t0;
  assert(ms < 5000, `${big.length} characters parsed in ${ms.toFixed(0)} ms`);
});

test("bad input: parameter files holding NaN or Infinity", async () => {
  const l = classifier();
  const good = bitsOf(l.parameters());
  for (const bad of [NaN, Infinity]) {
    const p = l.parameters();
    const file = encodeSafetensors(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { shape: k.endsWith("weight") ? [v.length / (k.startsWith("0") ? 8 : 3), k.startsWith("0") ? 8 : 3] : [v.length], values: k === "2.bias" ? v.map((x, i) => (i === 1 ? bad : x)) : v }])));
    await assertRejects(() => l.load(file), new RegExp(`load: the file's 2.bias\\[1\\] is ${bad}; parameters and optimiser state must be finite`));
    assertDeepEqual(bitsOf(l.parameters()), good, "nothing was loaded");
  }
});

test("bad input: a parameter file with a changed byte", async () => {
  const l = classifier();
  const file = await l.save();
  const good = bitsOf(l.parameters());
  const changed = file.slice();
  changed[changed.length - 5]! ^= 0x10;
  await assertRejects(() => l.load(changed), /safetensors: the file's CRC-32 is [0-9a-f]{8} but "paralens.checksum" records [0-9a-f]{8}: the file was changed or damaged/);
  assertDeepEqual(bitsOf(l.parameters()), good);
});

test("bad input: a parameter file naming __proto__", async () => {
  const l = classifier();
  const p = l.parameters();
  const entries: [string, { shape: number[]; values: ArrayLike<number> }][] = [["__proto__", { shape: [1], values: [1] }], ...Object.entries(p).map(([k, v]): [string, { shape: number[]; values: Float32Array }] => [k, { shape: [v.length], values: v }])];
  const file = encodeSafetensors(new Map(entries));
  await assertRejects(() => l.load(file), /load: the file holds "__proto__", but dense\(4 -> 8\) ; relu ; dense\(8 -> 3\) has no parameter of that name/);
});

/** A saved learner's file with some of its values replaced: { "optimiser.0.weight.v": [3, -1] } sets v[3] to -1. */
function edited(file: Uint8Array, changes: Record<string, [number, number]>): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(file);
  const kept = [...metadata].filter(([k]) => !k.startsWith("paralens."));
  return encodeSafetensors(
    new Map([...tensors].map(([n, t]) => {
      const values = t.values.slice();
      if (changes[n] !== undefined) values[changes[n][0]] = changes[n][1];
      return [n, { shape: t.shape, values }];
    })),
    { metadata: new Map(kept) },
  );
}

test("bad input: optimiser state no training could write", async () => {
  const cases: [Parameters<typeof classifier>[1], Record<string, [number, number]>, RegExp][] = [
    [adam(), { "optimiser.0.weight.v": [3, -1] }, /load: the file's optimiser.0.weight.v\[3\] is -1; a second moment is >= 0/],
    [adam(), { "optimiser.2.bias.t": [0, -3] }, /load: the file's optimiser.2.bias.t\[0\] is -3; a step count is a whole number >= 0/],
    [adam(), { "optimiser.0.bias.t": [0, 2.5] }, /load: the file's optimiser.0.bias.t\[0\] is 2.5; a step count is a whole number >= 0/],
    [adam(), { "optimiser.2.weight.m": [7, Infinity] }, /load: the file's optimiser.2.weight.m\[7\] is Infinity; parameters and optimiser state must be finite/],
    [optimisers.chain(optimisers.clipByGlobalNorm(1), adam()), { "optimiser.2.weight.v": [1, -0.5] }, /load: the file's optimiser.2.weight.v\[1\] is -0.5; a second moment is >= 0/],
    [optimisers.rmsprop(), { "optimiser.0.bias.meanSquare": [2, -0.25] }, /load: the file's optimiser.0.bias.meanSquare\[2\] is -0.25; a second moment is >= 0/],
    [optimisers.adagrad(), { "optimiser.0.weight.sumOfSquares": [0, -1] }, /sumOfSquares\[0\] is -1; a second moment is >= 0/],
    [sgd({ lr: optimisers.linearWarmup(0, 0.1, 10) }), { "optimiser.2.bias.step": [0, -1] }, /load: the file's optimiser.2.bias.step\[0\] is -1; a step count is a whole number >= 0/],
  ];
  for (const [optimiser, changes, pattern] of cases) {
    const l = classifier(0.1, optimiser);
    l.step(xs.slice(0, 8), ys.slice(0, 8));
    const file = await l.save();
    const fresh = classifier(0.1, optimiser);
    const state = () => fresh.state.map((t) => [...new Uint32Array(t.data.slice().buffer)]);
    const before = state();
    await assertRejects(() => fresh.load(edited(file, changes)), pattern);
    assertDeepEqual(state(), before, `nothing was loaded after ${pattern}`);
    // the control: the same file, values untouched, loads
    await fresh.load(edited(file, {}));
    assertDeepEqual(state(), l.state.map((t) => [...new Uint32Array(t.data.slice().buffer)]));
    l.dispose();
    fresh.dispose();
  }
});

test("bad input: saving as F16 a value beyond its range", async () => {
  const l = classifier();
  const p = l.parameters();
  for (const big of [70000, -65505]) {
    l.setParameters({ ...p, "0.weight": p["0.weight"]!.map((v, i) => (i === 5 ? big : v)) });
    await assertRejects(() => l.save({ dtype: "F16" }), new RegExp(`save: 0.weight\\[5\\] is ${big}, beyond F16's range \\(\\|x\\| <= 65504\\); save it as F32`));
    const again = classifier();
    await again.load(await l.save());
    assertEqual(again.parameters()["0.weight"]![5], big, "F32 holds it");
  }
  l.setParameters({ ...p, "0.weight": p["0.weight"]!.map((v, i) => (i === 5 ? -65504 : v)) });
  const again = classifier();
  await again.load(await l.save({ dtype: "F16" }));
  assertEqual(again.parameters()["0.weight"]![5], -65504, "the largest half saves and loads");
});

// lists of 3 numbers and their sums, for a fold RNN trained by a StructuredLearner
const rnnOf = (rate: number) => {
  const rnn = fold({ nil: point([4]), cons: elman(1, 4) });
  return new StructuredLearner((T) => seq(rnn.at(Number(T)), dense(4, 1)), { key: 3, loss: mse, optimiser: sgd(), rate, seed: 2 });
};
const lists = Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i * 1.7));
const sums = Array.from({ length: 8 }, (_, r) => lists[3 * r]! + lists[3 * r + 1]! + lists[3 * r + 2]!);

test("bad input: a learning rate of 1e30 makes the structured learner diverge", async () => {
  const l = rnnOf(1e30);
  // the parameters and optimiser state before each step, to compare with what the error leaves
  const before: number[][] = [];
  const stateBits = () => l.state.flatMap((t) => [...new Uint32Array(t.toArray().buffer)]);
  let caught: unknown;
  for (let i = 1; i <= 10 && caught === undefined; i++) {
    before[i] = stateBits();
    try {
      l.step(3, [lists], sums);
    } catch (e) {
      caught = e;
    }
  }
  assert(caught instanceof learning.DivergenceError, `step threw ${String(caught)}`);
  assert(/StructuredLearner: training diverged at step \d+/.test(caught.message), caught.message);
  assertDeepEqual(stateBits(), before[caught.step]!, "the state from before the diverging step, bit for bit");
  const again = rnnOf(1e30);
  const err = await assertRejects(() => again.fit([{ key: 3, x: [lists], y: sums }], { epochs: 5, batchSize: 2 }), /StructuredLearner: training diverged at epoch \d+, step \d+/);
  assert(err instanceof learning.DivergenceError && err.epoch !== undefined, "fit names the epoch");
  assert(Object.values(again.parameters()).every((a) => a.every(Number.isFinite)), "every parameter is finite after fit's error");
  l.dispose();
  again.dispose();
});

test("bad input: structured learner data holding a string, null, NaN or labels out of range", async () => {
  const l = rnnOf(0.01);
  const bad = (i: number, v: unknown) => lists.map((x, j) => (j === i ? v : x)) as number[];
  assertThrows(() => l.step(3, [bad(4, "1")], sums), /step x\[0\]: value 4 is "1" \(a string\) \(row 1\); values must be finite numbers/);
  assertThrows(() => l.step(3, [bad(7, null)], sums), /step x\[0\]: value 7 is null \(row 2\)/);
  assertThrows(() => l.step(3, [bad(0, NaN)], sums), /step x\[0\]: value 0 is NaN \(row 0\)/);
  assertThrows(() => l.step(3, [lists], sums.map((v, i) => (i === 5 ? Infinity : v))), /step y: value 5 is Infinity \(row 5\)/);
  assertThrows(() => l.step(3, "123" as unknown as number[][], sums), /step x: expected one array per input wire of .*, got "123" \(a string\)/);
  await assertRejects(() => l.fit([{ key: 3, x: [lists], y: sums }, null as never]), /fit: bucket 1 is null, expected \{ key, x, y \}/);
  await assertRejects(() => l.fit([{ key: 3, x: [bad(2, true)], y: sums }]), /fit bucket 0 \(key 3\) x\[0\]: value 2 is true \(a boolean\) \(row 0\)/);
  await assertRejects(() => l.fit([{ key: 3, x: [lists], y: sums }], { epochs: -1 }), /fit: epochs must be a whole number >= 0, got -1/);
  const classes = new StructuredLearner((T) => seq(fold({ nil: point([4]), cons: elman(1, 4) }).at(Number(T)), dense(4, 2)), { key: 3, loss: softmaxCrossEntropy, seed: 2 });
  assertThrows(() => classes.step(3, [lists.slice(0, 3)], [2, -1]), /step y: row 0, value 0 is 2; labels of softmaxCrossEntropy are probabilities in \[0, 1\]/);
  assertThrows(() => classes.step(3, [lists.slice(0, 3)], [0.5, 0.25]), /step y: row 0 sums to 0.75/);
  l.dispose();
  classes.dispose();
});

test("bad input: bits other than the numbers 0 and 1 for the RDA learner", async () => {
  const l = rda(lut(2, 1));
  const x = [[0, 1], [1, 1]];
  assertThrows(() => l.step([[0, 1], [2, 1]], [[1], [0]]), /step x: row 1, bit 0 is 2; bits must be the numbers 0 or 1/);
  assertThrows(() => l.step([[0, 1], [1, "1"]] as unknown as number[][], [[1], [0]]), /step x: row 1, bit 1 is "1" \(a string\)/);
  assertThrows(() => l.step(x, [[1], [true]] as unknown as number[][]), /step y: row 1, bit 0 is true \(a boolean\)/);
  assertThrows(() => l.step(x, [1, -1]), /step y: row 1, bit 0 is -1/);
  await assertRejects(() => l.fit(Uint8Array.of(0, 1, 1, 3), [1, 0]), /fit x: row 1, bit 1 is 3/);
  assertThrows(() => l.predict("0110" as unknown as number[]), /predict x: expected an array or a typed array of bits, got "0110" \(a string\)/);
  assertThrows(() => l.predict([[0, 1], null] as unknown as number[][]), /predict x: row 1 is null, but row 0 is an array/);
  await assertRejects(() => l.fit(x, [[1], [0]], { batchSize: 0 }), /fit: batchSize must be a whole number >= 1, got 0/);
  // nothing was trained by the refused calls
  const fresh = rda(lut(2, 1));
  const bits = (r: typeof l) => Object.values(r.parameters()).map((a) => [...a]);
  assertDeepEqual(bits(l), bits(fresh));
  fresh.dispose();
  l.dispose();
});

test("bad input: fit resumed at a step beyond its epoch", async () => {
  const l = classifier();
  await assertRejects(() => l.fit(xs, ys, { epochs: 2, batchSize: 8, initialEpoch: 1, initialStep: 6 }), /fit: initialStep must be in 0..5 \(the batches of an epoch of 40 examples in batches of 8\), got 6/);
  await assertRejects(() => l.fit(xs, ys, { epochs: 2, initialEpoch: 2, initialStep: 1 }), /fit: initialStep 1 is a step of epoch 3, but epochs is 2/);
  await assertRejects(() => l.fit(xs, ys, { epochs: 2, initialStep: 1.5 }), /fit: initialStep must be a whole number >= 0, got 1.5/);
  l.dispose();
});

test("bad input: a batch whose update overflows though its loss is finite", () => {
  const l = supervised(dense(2, 1), { loss: mse, optimiser: adam(), rate: 1, seed: 1 });
  const stateBits = () => l.state.flatMap((t) => [...new Uint32Array(t.toArray().buffer)]);
  for (let i = 0; i < 5; i++) l.step([[0.5, -0.25]], [[1]]);
  const before = stateBits();
  // a loss of 2e32 is finite, but its gradient is not: Adam's moments become Infinity, which no
  // later loss shows (the parameter they move just stops), found when the state is next scanned
  assert(Number.isFinite(l.step([[1e17, 1]], [[0]])), "the loss of the overflowing batch is finite");
  const err = assertThrows(() => {
    for (let i = 0; i < 300; i++) l.step([[0.5, -0.25]], [[1]]);
  }, /step: training diverged at step 6: the update of weight\.m became Infinity \(kernel adamStep, reverse call \d+ of \d+\)\. Its update made weight\.v\[0\] Infinity; the learner holds the parameters and optimiser state from before it/);
  assert(err instanceof learning.DivergenceError && err.step === 6 && err.site?.pass === "reverse", "names step 6 and the call of its update");
  assertDeepEqual(stateBits(), before, "the state from before step 6, bit for bit");
  l.dispose();
});

test("bad input: class-index labels out of range, not whole, or NaN", () => {
  const l = supervised(seq(dense(4, 8), layers.relu, dense(8, 3)), { loss: softmaxCrossEntropy, labels: "indices", seed: 1 });
  const before = l.state.map((t) => t.toArray());
  assertThrows(() => l.step(xs.slice(0, 2), [0, 3]), /^step y: row 1, index 0 is 3; class indices are whole numbers in \[0, 3\)$/);
  assertThrows(() => l.step(xs.slice(0, 2), [0.5, 1]), /step y: row 0, index 0 is 0.5; class indices are whole numbers in \[0, 3\)/);
  assertThrows(() => l.step(xs.slice(0, 2), [-1, 1]), /step y: row 0, index 0 is -1; class indices/);
  assertThrows(() => l.step(xs.slice(0, 2), [1, NaN]), /step y: value 1 is NaN \(row 1\); values must be finite numbers/);
  assertDeepEqual(l.state.map((t) => t.toArray()), before, "nothing trained");
  l.dispose();
  const t = supervised(transformer({ vocab: 5, context: 3, dim: 4, heads: 1, layers: 1 }), { loss: losses.tokenCrossEntropy, labels: "indices" });
  assertThrows(() => t.step([[0, 1, 2]], [[1, 2, 5]]), /step y: row 0, index 2 is 5; class indices are whole numbers in \[0, 5\)/);
  t.dispose();
});

test("bad input: optimiser chains and schedules given bad parts or settings", () => {
  assertThrows(() => optimisers.clipByGlobalNorm(-1), /^clipByGlobalNorm: maxNorm must be a positive finite number, got -1$/);
  assertThrows(() => optimisers.chain(sgd() as never, optimisers.clipByGlobalNorm(1) as never), /chain: the last part must be an optimiser \(sgd\(\), adam\(\), \.\.\.\), got clipByGlobalNorm\(1\)/);
  assertThrows(() => optimisers.linearWarmup(0, 1e-3, 0), /linearWarmup: steps must be a finite number \(a whole number >= 1\), got 0/);
  assertThrows(() => adam({ lr: optimisers.linearWarmup as never }), /adam: lr must be a finite number > 0, got a function \(linearWarmup\)/);
});

test("bad input: fit options and validation data refused before the first step", async () => {
  const l = classifier();
  const before = bitsOf(l.parameters());
  const refused: [Parameters<typeof l.fit>[2], RegExp][] = [
    [{ validation: { x: xs, y: "012" as never } }, /^fit validation y: expected an array or a typed array of labels, got "012" \(a string\)$/],
    [{ validation: { x: xs.slice(0, 3), y: [0, 1, 5] } }, /^fit validation y: label 2 is 5, not a class in 0..2$/],
    [{ onBatchEnd: 5 as never }, /^fit: onBatchEnd must be a function, got 5$/],
    [{ onEpochEnd: "log" as never }, /^fit: onEpochEnd must be a function, got "log" \(a string\)$/],
    [{ signal: "stop" as never }, /^fit: signal must be an AbortSignal \(new AbortController\(\)\.signal\), got "stop" \(a string\)$/],
    [{ epochs: "4" as never }, /^fit: epochs must be a whole number >= 0, got "4" \(a string\)$/],
    [{ batchSize: NaN }, /^fit: batchSize must be a whole number >= 1, got NaN$/],
    [{ shuffle: "no" as never }, /^fit: shuffle must be true or false, got "no" \(a string\)$/],
    [{ seed: NaN }, /^fit: seed must be a whole number, got NaN$/],
    [{ guard: { factor: 1 } }, /^fit: guard\.factor must be a finite number > 1, got 1$/],
    [{ guard: 10 as never }, /^fit: guard\.factor must be a finite number > 1, got 10$/],
  ];
  for (const [options, message] of refused) {
    await assertRejects(() => l.fit(xs, ys, { epochs: 2, batchSize: 8, ...options }), message);
    assertDeepEqual(bitsOf(l.parameters()), before, `nothing trained by ${message}`);
  }
  assertThrows(() => l.step(xs.slice(0, 2), [0, "1"] as never), /^step y: label 1 is "1" \(a string\), not a class in 0..2$/);
  assertThrows(() => l.evaluate(xs, ys.slice(1)), /evaluate y: 39 labels for 40 examples/);
  assertDeepEqual(bitsOf(l.parameters()), before, "nothing trained by the refused step");
  await l.fit(xs, ys, { epochs: 1, batchSize: 8, validation: { x: xs, y: ys } }); // the same options, well formed, train
  assert(bitsOf(l.parameters()).some((b, i) => b !== before[i]), "a well-formed fit trains");
  l.dispose();
});

test("bad input: a Float32Array changed while fit runs", async () => {
  const l = classifier();
  const data = new Float32Array(xs.flat());
  const err = await assertRejects(
    () => l.fit(data, ys, { epochs: 2, batchSize: 8, onBatchEnd: (r) => r.batch === 2 && (data[4 * 17 + 1] = NaN) }),
    /^fit x: value 69 is NaN \(row 17\); values must be finite numbers \(checked when fit was called: the data changed while fit ran\)$/,
  );
  assert(!(err instanceof learning.DivergenceError), "bad data, not divergence");
  assert(Object.values(l.parameters()).every((a) => a.every(Number.isFinite)), "every parameter is finite");
  const labels = learning.oneHot(ys, 3);
  await assertRejects(() => l.fit(xs, labels, { batchSize: 8, onBatchEnd: (r) => r.batch === 1 && labels.set([2, -1, 0], 3 * 30) }), /^fit y: row 30, value 0 is 2; labels of softmaxCrossEntropy are probabilities in \[0, 1\] \(checked when fit was called: the data changed while fit ran\)$/);
  l.dispose();
});

test("bad input: sampling from non-finite or empty logits, and bad tokens or counts", () => {
  const rng = new initialisers.Rng(1);
  assertThrows(() => serve.sampleToken([Infinity, 1], rng), /^sampleToken: logit 0 is Infinity; logits must be finite numbers$/);
  assertThrows(() => serve.sampleToken([5, NaN, 0], rng), /^sampleToken: logit 1 is NaN; logits must be finite numbers$/);
  assertThrows(() => serve.sampleToken([1, "2"] as never, rng), /^sampleToken: logit 1 is "2" \(a string\)/);
  assertThrows(() => serve.sampleToken([], rng), /^sampleToken: logits is empty; there is no token to draw$/);
  assertThrows(() => serve.sampleToken([1, 2], rng, { topK: 0.5 }), /^sampleToken: topK must be a whole number >= 0 \(0: every token\), got 0.5$/);
  assertThrows(() => serve.sampleToken([1, 2], rng, { temperature: NaN }), /^sampleToken: temperature must be a finite number > 0, got NaN$/);
  assertThrows(() => serve.sampleToken([1, 2], 7 as never), /^sampleToken: rng must be an Rng \(new Rng\(seed\)\), got 7$/);
  const options = { vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 };
  const l = supervised(transformer(options), { loss: losses.tokenCrossEntropy, seed: 1 });
  const dec = new serve.Decoder(options, l.params);
  dec.step(1);
  for (const [token, shown] of [[NaN, "NaN"], ["2", '"2" \\(a string\\)'], [2.5, "2.5"], [5, "5"], [-1, "-1"]] as const) {
    assertThrows(() => dec.step(token as number), new RegExp(`^Decoder.step: token is ${shown}; tokens are whole numbers in \\[0, 5\\)$`));
  }
  assertEqual(dec.length, 1, "the refused tokens were not fed");
  for (const count of [NaN, -1, 2.5]) {
    assertThrows(() => dec.generate([1, 2], count, rng), new RegExp(`^Decoder.generate: count must be a whole number >= 0, got ${count}$`));
  }
  assertThrows(() => dec.generate([1, 7], 2, rng), /^Decoder.generate: prompt token 1 is 7; tokens are whole numbers in \[0, 5\)$/);
  assertEqual(dec.length, 1, "the refused calls did not reset the decoder");
  assertEqual(dec.generate([1, 2], 3, new initialisers.Rng(2)).length, 3);
  dec.dispose();
  l.dispose();
});

test("bad input: a string, undefined or an ArrayBuffer where a lens, a layer or bytes are expected", async () => {
  assertThrows(() => seq(dense(4, 3), undefined as never), /^seq: part 1 must be a layer \(dense\(4, 3\), relu, \.\.\.\), got undefined$/);
  assertThrows(() => supervised(dense(4, 3), { loss: "mse" as never }), /^supervised: loss must be a loss lens \(mse, softmaxCrossEntropy, \.\.\.\), got "mse" \(a string\)$/);
  assertThrows(() => supervised(undefined as never, { loss: mse }), /^supervised: the model must be a layer of fixed shape \(dense\(4, 3\), seq\(\.\.\.\)\), got undefined$/);
  const file = encodeSafetensors({ w: { shape: [2], values: [1, 2] } });
  // an ArrayBuffer (what fetch(...).arrayBuffer() gives) is read as its bytes
  assertDeepEqual([...decodeSafetensors(file.buffer).tensors.get("w")!.values], [1, 2]);
  assertThrows(() => decodeSafetensors("file" as never), /^decodeSafetensors: expected the bytes of a safetensors file \(a Uint8Array or an ArrayBuffer\), got "file" \(a string\)$/);
  await assertRejects(() => classifier().load(file.buffer as never), /^load: expected the bytes of a safetensors file \(a Uint8Array\), got an object \(ArrayBuffer\)$/);
});

test("bad input: seeds, class counts and values that would be coerced", async () => {
  assertThrows(() => new initialisers.Rng(NaN), /^Rng: seed must be a whole number, got NaN$/);
  assertThrows(() => new initialisers.Rng("abc" as never), /^Rng: seed must be a whole number, got "abc" \(a string\)$/);
  assertThrows(() => new initialisers.Rng(1.5), /^Rng: seed must be a whole number, got 1.5$/);
  assertThrows(() => supervised(dense(4, 3), { loss: mse, seed: "7" as never }), /^supervised: seed must be a whole number, got "7" \(a string\)$/);
  assertThrows(() => compile(dense(2, 1), { batch: 1, seed: "1" as never }), /^compile: seed must be a whole number, got "1" \(a string\)$/);
  assertThrows(() => rda(lut(2, 1), { seed: NaN }), /^rda: seed must be a whole number, got NaN$/);
  await assertRejects(() => rnnOf(0.01).fit([{ key: 3, x: [lists], y: sums }], { seed: 0.5 }), /^fit: seed must be a whole number, got 0.5$/);
  assertThrows(() => learning.oneHot([0], NaN), /^oneHot: the number of classes must be a whole number >= 1, got NaN$/);
  const before = engine().stats();
  assertThrows(() => engine().tensor([2], [1, "2"] as never), /^tensor \[2\]: value 1 is "2" \(a string\); values must be numbers$/);
  assertThrows(() => engine().tensor([2], 5 as never), /^tensor \[2\]: values must be an array or a typed array of numbers, got 5$/);
  assertDeepEqual(engine().stats(), before, "nothing allocated");
  assertThrows(() => encodeSafetensors({ w: { shape: [2], values: ["1", 2] as never } }), /^encodeSafetensors: "w" value 0 is "1" \(a string\); values must be numbers$/);
  assertThrows(() => encodeSafetensors({ w: [1, 2] as never }), /^encodeSafetensors: "w" must be \{ shape, values \}/);
});

test("bad input: a loss that climbs but stays finite (fit's guard)", async () => {
  // rate 2 on this one-weight model multiplies the loss by about 9 a step, finite for many steps
  const climbing = () => supervised(dense(1, 1), { loss: mse, rate: 2, seed: 1 });
  const [x, y] = [[[1], [1], [1], [1]], [[0], [0], [0], [0]]];
  const l = climbing();
  const state: number[][] = [];
  const stateBits = () => l.state.flatMap((t) => [...new Uint32Array(t.toArray().buffer)]);
  state[1] = stateBits();
  const err = (await assertRejects(
    () => l.fit(x, y, { batchSize: 1, guard: { factor: 10 }, onBatchEnd: (r) => (state[r.batch + 1] = stateBits()) }),
    /^fit: the loss spiked at epoch 1, step 3: [\d.]+ is over 10 times the best batch loss so far \([\d.]+\)\. The learner holds the parameters and optimiser state from before that step\./,
  )) as LossSpikeError;
  assert(err instanceof learning.LossSpikeError && err instanceof learning.DivergenceError, "a LossSpikeError, which is a DivergenceError");
  assert(Number.isFinite(err.loss) && err.loss > 10 * err.best && err.best > 0, `loss ${err.loss}, best ${err.best}`);
  assertEqual(err.step, 3);
  assertDeepEqual(stateBits(), state[3]!, "the state from before step 3, bit for bit");
  // without the guard the same run trains on quietly
  const unguarded = climbing();
  await unguarded.fit(x, y, { batchSize: 1 });
  // a fit whose loss falls is not stopped, and trains exactly as without the guard
  const [a, b] = [classifier(), classifier()];
  await a.fit(xs, ys, { epochs: 3, batchSize: 8, guard: { factor: 2 } });
  await b.fit(xs, ys, { epochs: 3, batchSize: 8 });
  assertDeepEqual(bitsOf(a.parameters()), bitsOf(b.parameters()));
  for (const learner of [l, unguarded, a, b]) learner.dispose();
});
