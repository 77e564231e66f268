// The assertions themselves: assertDeepEqual must tell apart what JSON would
// merge (NaN, Infinity and null; -0 and 0; typed and plain arrays; a key set to
// undefined and a missing key), and accept equal structures, cycles included.
import { test } from "./harness.ts";
import { AssertionError, assertDeepEqual, assertThrows } from "./assert.ts";

const differ = (actual: unknown, expected: unknown, where: RegExp): void => {
  const err = assertThrows(() => assertDeepEqual(actual, expected, "case"), where);
  if (!(err instanceof AssertionError)) throw new Error(`expected an AssertionError, got ${err.name}`);
};

test("assertDeepEqual accepts equal structures: NaN equals NaN, typed arrays, Maps, Sets and cycles", () => {
  assertDeepEqual([NaN, Infinity, -Infinity, -0], [NaN, Infinity, -Infinity, -0]);
  assertDeepEqual({ a: [1, { b: "x" }], c: null }, { c: null, a: [1, { b: "x" }] });
  assertDeepEqual(new Float32Array([1, NaN]), new Float32Array([1, NaN]));
  assertDeepEqual(new Map([["w", [1, 2]]]), new Map([["w", [1, 2]]]));
  assertDeepEqual(new Set([1, 2]), new Set([2, 1]));
  const a: { self?: unknown } = {};
  const b: { self?: unknown } = {};
  a.self = a;
  b.self = b;
  assertDeepEqual(a, b);
});

test("assertDeepEqual rejects what JSON would call equal, naming where", () => {
  differ([1, NaN], [1, null], /NaN is not null at \[1\]/);
  differ({ x: Infinity }, { x: null }, /Infinity is not null at \.x/);
  differ([0], [-0], /0 is not -0/);
  differ(new Float32Array([1, 2]), [1, 2], /Float32Array is not a Array/);
  differ(new Float32Array([1, 2]), new Float64Array([1, 2]), /Float32Array is not a Float64Array/);
  differ(new Float32Array([1, 2]), new Float32Array([1, 3]), /2 is not 3 at \[1\]/);
  differ({ a: undefined }, {}, /keys \[a\] are not \[\]/);
  differ([1, 2], [1, 2, 3], /length 2 is not 3/);
  differ(new Map([["k", 1]]), new Map([["k", 2]]), /1 is not 2 at \.get\("k"\)/);
  differ(new Set([1]), new Set([2]), /member 1 is not expected/);
  differ({ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, /2 is not 3 at \.a\.b\[1\]/);
});
