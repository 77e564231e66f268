// Hostile files and text, generated and mutated by fast-check (which shrinks
// a failing case to a small one): a safetensors file either loads in full or
// is refused with a ParalensError that leaves the learner as it was; no other
// error, no hang, no read out of range. The same for polynomial text.
// PARALENS_FUZZ_RUNS sets the cases per property (default 200; `npm run fuzz`
// runs 10,000 each).
import { test } from "./harness.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import fc from "fast-check";
import {
  ParalensError, adam, dense, init, seq, softmaxCrossEntropy, supervised, layers,
} from "../ts-api/index.ts";
import { decodeSafetensors, encodeSafetensors } from "../ts-api/io/index.ts";
import { parsePolynomial } from "../ts-api/z2/index.ts";

await init();
const runs = Number(process.env["PARALENS_FUZZ_RUNS"] ?? 200);
const seed = Number(process.env["PARALENS_FUZZ_SEED"] ?? 1);
/** Longest a single case may take: a parse that is not linear, or a loop on a huge count, shows here. */
const MAX_MS = 2000;

const learner = supervised(seq(dense(3, 4), layers.relu, dense(4, 2)), { loss: softmaxCrossEntropy, optimiser: adam(), seed: 3 });
learner.step([[1, 2, 3], [0, -1, 0.5]], [0, 1]);
const good = await learner.save();
const state = (): number[] => learner.state.flatMap((t) => [...new Uint32Array(t.toArray().buffer)]);
const original = state();

/** Runs `f`: it may return (or settle) or throw (or reject with) a ParalensError, nothing else, and must not take long. */
async function tolerated(what: string, f: () => unknown): Promise<"ok" | "refused"> {
  const t0 = performance.now();
  try {
    await f();
    return "ok";
  } catch (e) {
    if (!(e instanceof ParalensError)) throw new Error(`${what}: threw ${(e as Error).name}: ${(e as Error).message}`);
    return "refused";
  } finally {
    const ms = performance.now() - t0;
    if (ms > MAX_MS) throw new Error(`${what}: took ${ms.toFixed(0)} ms`);
  }
}

type Mutation = { kind: "flip"; at: number; bit: number } | { kind: "set"; at: number; value: number } | { kind: "cut"; at: number } | { kind: "insert"; at: number; bytes: number[] } | { kind: "length"; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("length" as const), value: fc.oneof(fc.nat(), fc.constant(2 ** 32 - 1), fc.constant(0)) }),
);

function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of ms) {
    if (m.kind === "length") {
      if (b.length >= 4) new DataView(b.buffer, b.byteOffset).setUint32(0, m.value, true);
      continue;
    }
    const at = m.at % Math.max(1, b.length);
    if (m.kind === "flip") b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === "set") b[at] = m.value;
    else if (m.kind === "cut") b = b.slice(0, at);
    else b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}

test("fuzz: mutated learner files load in full or are refused, leaving the learner as it was", async () => {
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
      await learner.load(good);
      const file = mutate(good, ms);
      const outcome = await tolerated("load", () => learner.load(file));
      if (outcome === "refused") {
        refused++;
        assertDeepEqual(state(), original, "a refused file changes nothing");
      } else {
        // what loaded is exactly what the file says
        const { tensors } = decodeSafetensors(file);
        for (const [name, t] of tensors) assert(t.values.every(Number.isFinite), `${name} loaded with non-finite values`);
      }
    }),
    { numRuns: runs, seed },
  );
  assert(refused > runs / 2, `most mutations are refused (${refused} of ${runs})`);
});

test("fuzz: flipped bits of a saved learner file are refused, the learner unchanged", async () => {
  // the checksum covers every byte, padding included: a file loads only if the flips cancel out
  const flip = fc.record({ at: fc.nat({ max: good.length - 1 }), bit: fc.integer({ min: 0, max: 7 }) });
  let cancelled = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(flip, { minLength: 1, maxLength: 4 }), async (flips) => {
      await learner.load(good);
      const file = good.slice();
      for (const f of flips) file[f.at]! ^= 1 << f.bit;
      const same = file.every((b, i) => b === good[i]);
      if (same) cancelled++;
      const outcome = await tolerated("load", () => learner.load(file));
      assertDeepEqual(state(), original, `the learner holds the saved values after ${JSON.stringify(flips)}`);
      assert(outcome === (same ? "ok" : "refused"), `${JSON.stringify(flips)}: ${outcome}`);
    }),
    { numRuns: runs, seed },
  );
  assert(cancelled < runs / 10, `most cases change the file (${cancelled} of ${runs} do not)`);
});

const dtype = fc.constantFrom("F32", "F16", "BF16", "F64", "I8", "U8", "bool", "", "F32 ");
const name = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "__metadata__", "0.weight", "optimiser.0.weight.m"));
const dim = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 1.5, 2 ** 53, 2 ** 31, "3" as unknown as number));
const entry = fc.record({
  dtype,
  shape: fc.oneof(fc.array(dim, { maxLength: 4 }), fc.constant("[2]" as unknown as number[])),
  data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -2, max: 400 }), fc.integer({ min: -2, max: 400 })), fc.array(fc.nat(), { maxLength: 3 })),
});
const header = fc.dictionary(name, fc.oneof(entry, fc.constant({ a: "b" }), fc.constant(null), fc.constant([1, 2])), { maxKeys: 5 });

test("fuzz: generated safetensors files decode in full or are refused", async () => {
  await fc.assert(
    fc.asyncProperty(header, fc.uint8Array({ maxLength: 400 }), fc.integer({ min: -3, max: 3 }), async (h, data, slack) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const length = Math.max(0, json.length + (slack > 0 ? slack : 0));
      const file = new Uint8Array(8 + length + data.length);
      new DataView(file.buffer).setUint32(0, slack < 0 ? Math.max(0, json.length + slack) : length, true);
      file.set(json, 8);
      file.fill(0x20, 8 + json.length, 8 + length);
      file.set(data, 8 + length);
      await tolerated("decodeSafetensors", () => {
        const { tensors } = decodeSafetensors(file);
        for (const [n, t] of tensors) {
          const size = t.shape.reduce((a, b) => a * b, 1);
          if (t.values.length !== size) throw new Error(`"${n}" decoded ${t.values.length} values for shape ${t.shape}`);
        }
      });
    }),
    { numRuns: runs, seed },
  );
});

test("fuzz: round trips of generated tensors are bit-identical", () => {
  const tensor = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
    fc.record({ shape: fc.constant(shape), values: fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }) }),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== "__metadata__"), tensor, { maxKeys: 4 }), (named) => {
      const entries = Object.entries(named);
      const { tensors } = decodeSafetensors(encodeSafetensors(new Map(entries)));
      for (const [n, t] of entries) {
        assertDeepEqual([...new Uint32Array(tensors.get(n)!.values.buffer)], [...new Uint32Array(t.values.buffer)], n);
      }
    }),
    { numRuns: runs, seed },
  );
});

test("fuzz: polynomial text parses or is refused, quickly", async () => {
  const token = fc.constantFrom("x", "x0", "x1", "x12", "0", "1", "+", "*", "^", "^2", "^99999", "(", ")", ",", " ", "x99999999", "((", "))", "$");
  await fc.assert(
    fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => {
      await tolerated("parsePolynomial", () => void parsePolynomial(tokens.join("")));
    }),
    { numRuns: runs, seed },
  );
});
