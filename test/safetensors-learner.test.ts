// A learner saved as safetensors: loading into the same model rebuilt from
// code predicts the same, training resumes bit-identically (optimiser state
// included), and a rejected file leaves every parameter as it was.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual, assertThrows, assertRejects } from "./assert.ts";
import {
  init, dense, seq, supervised, adam, sgd, softmaxCrossEntropy, type Optimiser, initialisers, optimisers,
} from "../ts-api/index.ts";
import { encodeSafetensors, decodeSafetensors, readSafetensorsHeader, type TensorData } from "../ts-api/io/index.ts";
import { bits, rawFile } from "./safetensors-files.ts";

await init();

const build = (seed: number, optimiser: Optimiser = sgd()) =>
  supervised(seq(dense(3, 5, "tanh"), dense(5, 2)), { loss: softmaxCrossEntropy, optimiser, rate: 1, seed });

/** Every tensor of a learner (parameters and optimiser state), as bits. */
const snapshot = (l: ReturnType<typeof build>): number[][] => l.state.map((t) => bits(t.data));

const batches = (() => {
  const rng = new initialisers.Rng(7);
  return Array.from({ length: 12 }, () => ({
    x: Float32Array.from({ length: 8 * 3 }, () => rng.uniform() * 2 - 1),
    y: Uint8Array.from({ length: 8 }, () => (rng.uniform() < 0.5 ? 0 : 1)),
  }));
})();

test("a saved learner loads into the same model rebuilt from code and predicts the same", async () => {
  const a = build(1);
  const b = build(2);
  const x = [[0.1, -0.2, 0.3], [1, 2, 3]];
  assert(JSON.stringify(Array.from(a.predict(x))) !== JSON.stringify(Array.from(b.predict(x))), "different seeds differ");
  const file = await a.save();
  assertDeepEqual([...decodeSafetensors(file).tensors.keys()], ["0.weight", "0.bias", "1.weight", "1.bias"]);
  await b.load(file);
  assertDeepEqual(bits(b.predict(x)), bits(a.predict(x)), "same predictions after loading");
  a.dispose();
  b.dispose();
});

for (const [label, make] of [["adam", () => adam({ lr: 0.01 })], ["momentum", () => optimisers.momentum({ gamma: 0.9 })]] as const) {
  test(`training resumes bit-identically from a saved ${label} learner`, async () => {
    const run = build(1, make());
    for (const b of batches.slice(0, 5)) run.step(b.x, b.y);
    const file = await run.save();
    for (const b of batches.slice(5)) run.step(b.x, b.y);

    const resumed = build(99, make());
    await resumed.load(file);
    for (const b of batches.slice(5)) resumed.step(b.x, b.y);
    assertDeepEqual(snapshot(resumed), snapshot(run), "parameters and optimiser state after 12 steps");

    const header = readSafetensorsHeader(file);
    assertEqual(header.metadata.get("optimiser"), label === "adam" ? "adam(0.01)" : "momentum(0.9)");
    assertEqual(header.metadata.get("step"), label === "adam" ? "5" : undefined, "Adam's step count");
    assert(header.byName.has(label === "adam" ? "optimiser.0.weight.m" : "optimiser.0.weight.velocity"), "optimiser state under its own names");

    // the control: without the optimiser state the continuation differs
    const paramsOnly = build(99, make());
    const parameters = [...decodeSafetensors(file).tensors].filter(([n]) => !n.startsWith("optimiser."));
    paramsOnly.setParameters(Object.fromEntries(parameters.map(([n, t]) => [n, t.values])));
    for (const b of batches.slice(5)) paramsOnly.step(b.x, b.y);
    assert(JSON.stringify(snapshot(paramsOnly)) !== JSON.stringify(snapshot(run)), "fresh optimiser state gives other parameters");
    for (const l of [run, resumed, paramsOnly]) l.dispose();
  });
}

test("a file of parameters only (no optimiser state) loads and leaves the state as it is", async () => {
  const a = build(1, adam());
  a.step(batches[0]!.x, batches[0]!.y);
  const stateBefore = snapshot(a).filter((_, i) => a.specs[i]!.role === "state");
  const other = build(3);
  await a.load(await other.save());
  assertDeepEqual(a.parameters()["0.weight"], other.parameters()["0.weight"]);
  assertDeepEqual(snapshot(a).filter((_, i) => a.specs[i]!.role === "state"), stateBefore);
  a.dispose();
  other.dispose();
});

test("a rejected file leaves every parameter and state bit-identical", async () => {
  const a = build(1, adam());
  a.step(batches[0]!.x, batches[0]!.y);
  const before = snapshot(a);
  const good = await a.save();
  const tensors = decodeSafetensors(good).tensors;
  const entries: [string, TensorData][] = [...tensors].map(([n, t]) => [n, { shape: t.shape, values: t.values }]);
  const last = entries.length - 1;
  // a bad last entry: every earlier entry would load
  const wrongShape = new Map(entries.map(([n, t], i) => [n, i === last ? { shape: [t.values.length, 1], values: t.values } : t]));
  const unknownName = new Map([...entries, ["__proto__", { shape: [1], values: [1] }]]);
  const missing = new Map(entries.filter(([n]) => n !== "1.bias"));
  const missingState = new Map(entries.filter(([n]) => n !== "optimiser.1.bias.v"));
  const cases: [Uint8Array, RegExp][] = [
    [encodeSafetensors(wrongShape), /load: "1.bias" is \[2\] in .* but \[2, 1\] in the file/],
    [encodeSafetensors(unknownName), /load: the file holds "__proto__", but .* has no parameter of that name/],
    [encodeSafetensors(missing), /load: the file has no "1.bias", a parameter of/],
    [encodeSafetensors(missingState), /load: the file has optimiser state but not "optimiser.1.bias.v"/],
    [await build(1, optimisers.momentum()).save(), /the file holds "optimiser.0.weight.velocity", but .* has no optimiser state of that name/],
    [good.subarray(0, good.length - 1), /"1.bias" has data_offsets \[\d+, \d+\], past the end of the \d+-byte data section/],
    [Uint8Array.from([...good, 0, 0, 0, 0]), /the data section has \d+ bytes but its tensors cover \d+/],
    [rawFile({ "0.weight": { dtype: "F32", shape: [3, 5], data_offsets: [0, 60] }, "1.bias": { dtype: "I64", shape: [2], data_offsets: [60, 76] } }, [new Float32Array(19)]), /"1.bias" has dtype "I64"/],
  ];
  for (const [file, pattern] of cases) {
    await assertRejects(() => a.load(file), pattern);
    assertDeepEqual(snapshot(a), before, `untouched after ${pattern}`);
  }
  const mom = build(1, optimisers.momentum());
  const nes = build(1, optimisers.nesterov());
  const momentumFile = await mom.save();
  await assertRejects(() => nes.load(momentumFile), /holds the state of momentum\(0.9\), but this learner's optimiser is nesterov\(0.9\)/);
  await a.load(good);
  assertDeepEqual(snapshot(a), before, "the good file loads");
  for (const l of [a, mom, nes]) l.dispose();
});

test("save({ dtype: 'F16' }) writes halves that load back rounded", async () => {
  const a = build(1, adam());
  const file = await a.save({ dtype: "F16" });
  assertEqual(readSafetensorsHeader(file).byName.get("0.weight")!.dtype, "F16");
  const b = build(5, adam());
  await b.load(file);
  const w = a.parameters()["0.weight"]!;
  const v = b.parameters()["0.weight"]!;
  for (let i = 0; i < w.length; i++) assert(Math.abs(v[i]! - w[i]!) <= Math.abs(w[i]!) * 2 ** -11 + 2 ** -25, `weight ${i}: ${v[i]} vs ${w[i]}`);
  await assertRejects(() => b.load(encodeSafetensors({ "0.weight": { shape: [3, 5], values: new Float32Array(15) } })), /file has no "0.bias"/);
  a.dispose();
  b.dispose();
});
