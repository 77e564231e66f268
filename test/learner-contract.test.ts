// One contract for every learner: a Learner (supervised), a StructuredLearner
// (paralens/cdl) and an RdaLearner (paralens/z2) each fit asynchronously with
// the same options and resolve with the same History, report the same epochs
// and steps to their callbacks, stop on a signal, score with evaluate, answer
// predict, save to a file and load it back into a learner rebuilt from code
// (bit for bit, predictions included), refuse a damaged file keeping what they
// had, refuse Learner-only options by name, and dispose.
import { adam, dense, init, mse, seq, supervised, type History } from "../ts-api/index.ts";
import { StructuredLearner, elman, fold, point } from "../ts-api/cdl/index.ts";
import { lut, rda } from "../ts-api/z2/index.ts";
import { assert, assertDeepEqual, assertEqual, assertRejects } from "./assert.ts";
import { test } from "./harness.ts";

await init();

/** A learner under the contract, with data its fit, evaluate and predict take. */
interface Subject {
  name: string;
  make(): {
    fit(options: object): Promise<History>;
    evaluate(): { loss: number; accuracy: number };
    predict(): ArrayLike<number>;
    save(): Promise<Uint8Array>;
    load(bytes: Uint8Array): Promise<void>;
    parameters(): Record<string, ArrayLike<number>>;
    dispose(): void;
  };
}

const xs = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
const ys = xs.map(([a, b]) => [a! + b! > 0 ? 1 : 0]);
const lists = Float32Array.from({ length: 24 * 3 }, (_, i) => Math.sin(i * 1.7) * 0.5 + 0.5);
const sums = Float32Array.from({ length: 24 }, (_, i) => lists[3 * i]! + lists[3 * i + 1]! + lists[3 * i + 2]!);
const bits = Array.from({ length: 16 }, (_, a) => [a & 1, (a >> 1) & 1, (a >> 2) & 1, (a >> 3) & 1]);
const parity = bits.map((r) => [r.reduce((s, b) => s ^ b, 0)]);

type Made = ReturnType<Subject["make"]>;
/** The methods every learner has alike (the learner core's). */
const shared = (l: Pick<Made, "save" | "load" | "parameters" | "dispose">): Pick<Made, "save" | "load" | "parameters" | "dispose"> => ({
  save: () => l.save(),
  load: (b) => l.load(b),
  parameters: () => l.parameters(),
  dispose: () => l.dispose(),
});

const subjects: Subject[] = [
  {
    name: "Learner",
    make() {
      const l = supervised(seq(dense(2, 8, "tanh"), dense(8, 1)), { loss: mse, optimiser: adam({ lr: 0.02 }), rate: 1, seed: 4 });
      return {
        fit: (o) => l.fit(xs, ys, { validation: { x: xs, y: ys }, ...o }),
        evaluate: () => l.evaluate(xs, ys),
        predict: () => l.predict(xs),
        ...shared(l),
      };
    },
  },
  {
    name: "StructuredLearner",
    make() {
      const rnn = fold({ nil: point([4]), cons: elman(1, 4) });
      const l = new StructuredLearner((T) => seq(rnn.at(Number(T)), dense(4, 1)), { key: 3, loss: mse, optimiser: adam({ lr: 0.02 }), rate: 1, seed: 4 });
      const buckets = [{ key: 3, x: [lists], y: sums }];
      return {
        fit: (o) => l.fit(buckets, { validation: buckets, batchSize: 8, ...o }),
        evaluate: () => l.evaluate(buckets),
        predict: () => l.predict(3, [lists]),
        ...shared(l),
      };
    },
  },
  {
    name: "RdaLearner",
    make() {
      const l = rda(lut(4, 1), { seed: 4 });
      return {
        fit: (o) => l.fit(bits, parity, { validation: { x: bits, y: parity }, ...o }),
        evaluate: () => l.evaluate(bits, parity),
        predict: () => l.predict(bits),
        ...shared(l),
      };
    },
  },
];

const values = (p: Record<string, ArrayLike<number>>): Record<string, number[]> => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]));

for (const subject of subjects) {
  test(`learner contract, ${subject.name}: fit resolves with a History and reports every step and epoch`, async () => {
    const l = subject.make();
    const epochs: number[] = [];
    const steps: number[] = [];
    const pending = l.fit({
      epochs: 3,
      seed: 2,
      onEpochEnd: (r: { epoch: number; loss: number; accuracy: number; valLoss?: number; valAccuracy?: number; seconds: number; examplesPerSecond: number }) => {
        for (const k of ["loss", "accuracy", "valLoss", "valAccuracy", "seconds", "examplesPerSecond"] as const) assert(Number.isFinite(r[k]), `epoch ${r.epoch}: ${k} is ${r[k]}`);
        epochs.push(r.epoch);
      },
      onBatchEnd: (r: { epoch: number; batch: number; batches: number; loss: number }) => {
        assert(r.batch >= 1 && r.batch <= r.batches && Number.isFinite(r.loss), `a step report ${JSON.stringify(r)}`);
        steps.push(r.epoch);
      },
    });
    assert(pending instanceof Promise, "fit returns a promise");
    const history = await pending;
    assertDeepEqual(epochs, [1, 2, 3]);
    assert(steps.length >= 3 && steps.at(-1) === 3, `steps were reported (${steps.length})`);
    for (const k of ["loss", "accuracy", "valLoss", "valAccuracy"] as const) assertEqual(history[k].length, 3, `history.${k}`);
    assert(history.seconds > 0, "history.seconds");
    // the validation scores are evaluate's
    const e = l.evaluate();
    assertEqual(history.valLoss[2], e.loss, "the last validation loss is evaluate's");
    assertEqual(history.valAccuracy[2], e.accuracy, "the last validation accuracy is evaluate's");
    assert(e.accuracy >= 0 && e.accuracy <= 1, `accuracy ${e.accuracy}`);
    l.dispose();
  });

  test(`learner contract, ${subject.name}: save, then load into a learner rebuilt from code, gives the same parameters and predictions`, async () => {
    const a = subject.make();
    await a.fit({ epochs: 2, seed: 1 });
    const file = await a.save();
    const b = subject.make();
    await b.load(file);
    assertDeepEqual(values(b.parameters()), values(a.parameters()));
    assertDeepEqual(Array.from(b.predict()), Array.from(a.predict()));
    // a damaged file is refused, and the learner keeps what it had
    const before = values(b.parameters());
    const damaged = file.slice();
    damaged[damaged.length - 1]! ^= 1;
    await assertRejects(() => b.load(damaged), /CRC-32/);
    assertDeepEqual(values(b.parameters()), before);
    a.dispose();
    b.dispose();
  });

  test(`learner contract, ${subject.name}: a signal stops fit between steps; options are checked by name`, async () => {
    const l = subject.make();
    const stop = new AbortController();
    stop.abort(new Error("stopped"));
    await assertRejects(() => l.fit({ epochs: 2, signal: stop.signal }), /stopped/);
    await assertRejects(() => l.fit({ epochs: -1 }), /fit: epochs must be a whole number >= 0, got -1/);
    await assertRejects(() => l.fit({ shuffle: "yes" }), /fit: shuffle must be true or false, got "yes"/);
    if (subject.name !== "Learner") await assertRejects(() => l.fit({ initialEpoch: 1 }), new RegExp(`fit: initialEpoch is an option of Learner.fit; ${subject.name} does not take it`));
    l.dispose();
  });
}

test("learner contract: an RdaLearner refuses a file whose bits are not 0 or 1", async () => {
  const l = rda(lut(4, 1), { seed: 4 });
  const before = values(l.parameters());
  const { encodeSafetensors } = await import("../ts-api/io/index.ts");
  const [name, bitsOf] = Object.entries(l.parameters())[0]!;
  const file = encodeSafetensors({ [name]: { shape: [bitsOf.length], values: Array.from(bitsOf, (_, i) => (i === 3 ? 0.5 : 0)) } });
  await assertRejects(() => l.load(file), new RegExp(`load: the file's ${name.replace(/\./g, "\\.")}\\[3\\] is 0.5; a bit is 0 or 1`));
  assertDeepEqual(values(l.parameters()), before);
  l.dispose();
});
