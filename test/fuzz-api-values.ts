// Arguments for test/fuzz-api.node.test.ts: hostile values of every kind, and
// per argument a "plausible" arbitrary (a valid value most of the time) so a
// case can break one position while the others let the call get deep.
import fc from "fast-check";
import { runInNewContext } from "node:vm";

/** What a hostile getter or Proxy trap throws: the caller's own error, which may pass through unchanged. */
export class CallerError extends Error {
  override name = "CallerError";
}

const throwingGetter = (): object =>
  Object.defineProperty({}, "length", {
    get() {
      throw new CallerError("a getter that throws");
    },
  });
const throwingProxy = (target: object): object =>
  new Proxy(target, {
    get() {
      throw new CallerError("a Proxy that throws");
    },
    has() {
      throw new CallerError("a Proxy that throws");
    },
    ownKeys() {
      throw new CallerError("a Proxy that throws");
    },
    getPrototypeOf() {
      throw new CallerError("a Proxy that throws");
    },
  });
/** A Proxy that behaves like its target: a library must accept it where it accepts the target. */
const quietProxy = (target: object): object => new Proxy(target, {});
const otherRealm = (code: string): unknown => runInNewContext(code);

/** Values no function expects; each made fresh per case, so a call that keeps one cannot affect the next. */
const oddities: (() => unknown)[] = [
  () => NaN, () => Infinity, () => -Infinity, () => -0, () => 0, () => -1, () => 1.5, () => 1e300, () => 2 ** 53, () => 2 ** 31, () => 2 ** 32 + 1, () => -(2 ** 31),
  () => Number.MIN_VALUE, () => 3e38, () => 1e39,
  () => "4", () => "", () => "NaN", () => "__proto__", () => "x".repeat(1000),
  () => null, () => undefined, () => true, () => false, () => 1n, () => Symbol("s"),
  () => [], () => [[]], () => [1, [2]], () => [1, 2, 3], () => [[1, 2, 3]], () => [NaN], () => [null], () => ["4"], () => new Array(5), () => [undefined, undefined],
  () => new Float64Array(3), () => new Int32Array(2), () => new Uint8Array(0), () => new Float32Array(7), () => new BigInt64Array(2), () => new DataView(new ArrayBuffer(8)),
  () => new ArrayBuffer(16), () => new Float32Array(new SharedArrayBuffer(16)),
  () => ({}), () => Object.create(null), () => ({ length: 3 }), () => ({ length: -1 }), () => ({ length: 2 ** 40 }), () => ({ valueOf: () => 4 }), () => ({ toString: () => "4" }),
  () => new Map(), () => new Date(0), () => /x/, () => Promise.resolve(1), () => new Error("e"),
  throwingGetter, () => throwingProxy({}), () => throwingProxy([1, 2, 3]), () => quietProxy([1, 2, 3]), () => quietProxy({}),
  () => otherRealm("[1, 2, 3]"), () => otherRealm("({})"), () => otherRealm("new Float32Array(3)"), () => otherRealm("[[1, 2, 3], [4, 5, 6]]"), () => otherRealm("Object.create(null)"),
  () => () => 1, () => function named() {}, () => class K {}, () => () => {
    throw new CallerError("a function that throws");
  },
];

/**
 * A recipe for a hostile value, made into the value only when a case runs (fast-check looks into
 * what it generates, and a Proxy that throws would throw at it; a value a call keeps cannot leak
 * into the next case either).
 */
export type Recipe = { hostile: number } | { hostileArray: unknown[] } | { hostileObject: [string, unknown][] };
const recipe = (r: Recipe): Recipe => Object.assign(Object.create(recipes), r);
const recipes = {};
const isRecipe = (v: unknown): v is Recipe => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === recipes;

/** Any hostile value: an oddity, a random number or string, or an array or object of hostile values. */
export const hostile: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: fc.nat({ max: oddities.length - 1 }).map((i) => recipe({ hostile: i })) },
    { weight: 2, arbitrary: fc.double() },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 70000 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 4 }).map((items) => recipe({ hostileArray: items })) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom("length", "batch", "epochs", "lr", "shape", "seed", "vocab", "x", "y", "0"), tie("value")), { maxLength: 3 })
        .map((entries) => recipe({ hostileObject: entries })),
    },
  ),
})).value;

/** The value a recipe stands for (anything else is itself). */
export function made(v: unknown): unknown {
  if (!isRecipe(v)) return v;
  if ("hostile" in v) return oddities[v.hostile]!();
  if ("hostileArray" in v) return v.hostileArray.map(made);
  return Object.fromEntries(v.hostileObject.map(([k, x]) => [k, made(x)]));
}

/** A readable form of a value or recipe, for failure messages. */
export function shown(v: unknown): string {
  if (isRecipe(v)) {
    if ("hostile" in v) return `<${String(oddities[v.hostile]).replace(/^\(\) => /, "").slice(0, 40)}>`;
    if ("hostileArray" in v) return `[${v.hostileArray.map(shown).join(", ")}]`;
    return `{ ${v.hostileObject.map(([k, x]) => `${k}: ${shown(x)}`).join(", ")} }`;
  }
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(shown).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const name = (v as { name?: unknown }).name;
    if (typeof name === "string") return name;
    if (Object.getPrototypeOf(v) === Object.prototype) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${shown(x)}`).join(", ")} }`;
    return `a ${v.constructor?.name}`;
  }
  return String(v);
}

/** Valid and nearly valid whole numbers: small sizes, with zero and one. */
export const size = (min = 1, max = 4): fc.Arbitrary<number> => fc.integer({ min, max });
export const real = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -4, max: 4, noNaN: true }));
export const rate = fc.double({ min: 1e-4, max: 0.5, noNaN: true });
export const rows = (width: number, count = size(1, 4)): fc.Arbitrary<number[][]> =>
  count.chain((n) => fc.array(fc.array(real, { minLength: width, maxLength: width }), { minLength: n, maxLength: n }));
export const shape = fc.array(size(1, 3), { minLength: 1, maxLength: 3 });

/**
 * Arguments for a call: all plausible, all plausible but one hostile position,
 * or all hostile (a hostile value also stands in for a missing argument past the plausible ones).
 */
export function argsFor(plausible: readonly fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown[]> {
  const n = plausible.length;
  const allPlausible = fc.tuple(...plausible);
  const oneHostile = fc.tuple(allPlausible, fc.nat({ max: n }), hostile).map(([args, at, bad]) => {
    const out = [...args];
    out[at] = bad;
    return out;
  });
  const allHostile = fc.array(hostile, { maxLength: Math.max(n, 3) });
  return n === 0 ? allHostile : fc.oneof({ weight: 2, arbitrary: allPlausible }, { weight: 5, arbitrary: oneHostile }, { weight: 2, arbitrary: allHostile });
}
