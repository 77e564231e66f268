// Saving parameters and loading them into the same model rebuilt from code;
// malformed files are rejected before any value is written.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertThrows } from "./assert.ts";
import { init, dense, seq, mse, supervised, encodeParameters, decodeParameters } from "../ts-api/index.ts";

await init();

const build = (seed: number) => supervised(seq(dense(3, 5, "tanh"), dense(5, 2)), { loss: mse, seed });

test("a saved model loads into the same model rebuilt from code and predicts the same", () => {
  const a = build(1);
  const b = build(2);
  const x = [[0.1, -0.2, 0.3], [1, 2, 3]];
  assert(JSON.stringify(Array.from(a.predict(x))) !== JSON.stringify(Array.from(b.predict(x))), "different seeds differ");
  b.load(a.save());
  assertDeepEqual(Array.from(b.predict(x)), Array.from(a.predict(x)), "same predictions after loading");
  a.dispose();
  b.dispose();
});

test("malformed or mismatched files are rejected, and nothing is written", () => {
  const a = build(1);
  const good = a.save();
  const before = JSON.stringify(Array.from(a.predict([[1, 2, 3]])));
  const corrupt = (f: (b: Uint8Array) => Uint8Array) => f(good.slice());
  assertThrows(() => a.load(new Uint8Array(5)), /shorter than the 12-byte preamble/);
  assertThrows(() => a.load(corrupt((b) => ((b[0] = 0), b))), /does not start with "PLNS"/);
  assertThrows(() => a.load(corrupt((b) => ((b[4] = 9), b))), /format version 9/);
  assertThrows(() => a.load(good.subarray(0, good.length - 4)), /describes .* values .* but the file has/);
  assertThrows(() => a.load(corrupt((b) => ((b[8] = 255), (b[9] = 255), b))), /header claims/);
  assertThrows(() => a.load(corrupt((b) => ((b[12] = 0x7b), b))), /header is not UTF-8 JSON|not a list/);
  const other = supervised(seq(dense(3, 4, "tanh"), dense(4, 2)), { loss: mse });
  assertThrows(() => a.load(other.save()), /"0.weight" is \[3, 5\] in .* but \[3, 4\] in the file/);
  assertThrows(() => encodeParameters({ w: [1, 2] }, { w: [3] }), /"w" is \[3\] \(3 values\) but has 2/);
  assertDeepEqual(JSON.stringify(Array.from(a.predict([[1, 2, 3]]))), before, "the model is untouched");
  assertDeepEqual(Object.keys(decodeParameters(good).values), ["0.weight", "0.bias", "1.weight", "1.bias"]);
  a.dispose();
  other.dispose();
});
