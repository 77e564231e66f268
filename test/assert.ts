// Assertions for tests that run in Node, Deno and browsers alike.

export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, message = ""): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected ${String(expected)}, got ${String(actual)}`);
}

/**
 * Structural equality, as node:assert's deepStrictEqual: numbers by Object.is
 * (NaN equals NaN; +0 and -0 differ, since a sign bit a kernel gets wrong is
 * a bug), arrays and typed arrays element by element (a Float32Array never
 * equals a plain array or a Float64Array), Maps and Sets by their entries,
 * plain objects by their own enumerable keys (a key set to undefined is not a
 * missing key) and prototype. The message names the first place they differ.
 */
export function assertDeepEqual(actual: unknown, expected: unknown, message = ""): void {
  const difference = differ(actual, expected, "", new Map());
  if (difference !== null) {
    throw new AssertionError(`${message ? message + ": " : ""}${difference}; expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Where and how a differs from e, or null when they are equal; `seen` cuts cycles. */
function differ(a: unknown, e: unknown, at: string, seen: Map<object, object>): string | null {
  const here = at === "" ? "" : ` at ${at}`;
  if (Object.is(a, e)) return null;
  if (typeof a !== "object" || typeof e !== "object" || a === null || e === null) return `${show(a)} is not ${show(e)}${here}`;
  if (seen.get(a) === e) return null;
  seen.set(a, e);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e)) return `a ${kind(a)} is not a ${kind(e)}${here}`;
  if (ArrayBuffer.isView(a) && !(a instanceof DataView)) {
    const [x, y] = [a as unknown as ArrayLike<unknown>, e as unknown as ArrayLike<unknown>];
    if (x.length !== y.length) return `length ${x.length} is not ${y.length}${here}`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${show(x[i])} is not ${show(y[i])} at ${at}[${i}]`;
    return null;
  }
  if (a instanceof Date) return Object.is(a.getTime(), (e as Date).getTime()) ? null : `${a.toISOString()} is not ${(e as Date).toISOString()}${here}`;
  if (a instanceof Map) {
    const m = e as Map<unknown, unknown>;
    if (a.size !== m.size) return `${a.size} entries are not ${m.size}${here}`;
    for (const [k, v] of a) {
      if (!m.has(k)) return `key ${show(k)} is not expected${here}`;
      const d = differ(v, m.get(k), `${at}.get(${show(k)})`, seen);
      if (d !== null) return d;
    }
    return null;
  }
  if (a instanceof Set) {
    const s = e as Set<unknown>;
    if (a.size !== s.size) return `${a.size} members are not ${s.size}${here}`;
    for (const v of a) if (!s.has(v)) return `member ${show(v)} is not expected${here}`;
    return null;
  }
  if (Array.isArray(a) && a.length !== (e as unknown[]).length) return `length ${a.length} is not ${(e as unknown[]).length}${here}`;
  const [ka, ke] = [Object.keys(a), Object.keys(e)];
  if (ka.length !== ke.length || ka.some((k) => !Object.prototype.hasOwnProperty.call(e, k))) {
    return `keys [${ka.join(", ")}] are not [${ke.join(", ")}]${here}`;
  }
  for (const k of ka) {
    const d = differ((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`, seen);
    if (d !== null) return d;
  }
  return null;
}

const kind = (v: object): string => (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "null-prototype object";

/** A short readable form: unlike JSON it keeps NaN, Infinity, -0, undefined and typed arrays apart. */
function show(v: unknown, depth = 0): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v !== "object" || v === null) return String(v);
  if (depth > 2) return "...";
  const list = (xs: ArrayLike<unknown>, each = (x: unknown): string => show(x, depth + 1)): string => {
    const items = Array.from({ length: Math.min(xs.length, 12) }, (_, i) => each(xs[i]));
    return `[${items.join(", ")}${xs.length > 12 ? `, ... (${xs.length})` : ""}]`;
  };
  if (Array.isArray(v)) return list(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `${kind(v)} ${list(v as unknown as ArrayLike<unknown>)}`;
  if (v instanceof Map) return `Map ${list([...v], (kv) => `${show((kv as unknown[])[0], depth + 1)} => ${show((kv as unknown[])[1], depth + 1)}`)}`;
  if (v instanceof Set) return `Set ${list([...v])}`;
  const entries = Object.entries(v).slice(0, 12).map(([k, x]) => `${k}: ${show(x, depth + 1)}`);
  return `{ ${entries.join(", ")} }`;
}

export interface Tolerance {
  /** relative tolerance (default 1e-6) */
  rtol?: number;
  /** absolute tolerance (default 0) */
  atol?: number;
}

/** Every element within atol + rtol |expected|; the message names the worst element. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, message = ""): void {
  if (actual.length !== expected.length) throw new AssertionError(`${message}: length ${actual.length} vs ${expected.length}`);
  const { rtol = 1e-6, atol = 0 } = tol;
  // the worst element by error / tolerance; NaN counts as the worst of all
  let worst = -1;
  let worstErr = 1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (atol + rtol * Math.abs(expected[i]!));
    const e = Number.isNaN(err) ? Infinity : err;
    if (e > worstErr) {
      worst = i;
      worstErr = e;
    }
  }
  if (worst >= 0) {
    throw new AssertionError(
      `${message ? message + ": " : ""}element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol}; ${actual.length} elements)`,
    );
  }
}

export function assertThrows(fn: () => unknown, pattern: RegExp, message = ""): Error {
  try {
    fn();
  } catch (e) {
    const err = e as Error;
    if (!pattern.test(err.message)) throw new AssertionError(`${message ? message + ": " : ""}threw "${err.message}", which does not match ${pattern}`);
    return err;
  }
  throw new AssertionError(`${message ? message + ": " : ""}did not throw (expected ${pattern})`);
}

export async function assertRejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error;
    if (!pattern.test(err.message) && !pattern.test(err.name)) throw new AssertionError(`rejected with "${err.message}", which does not match ${pattern}`);
    return err;
  }
  throw new AssertionError(`did not reject (expected ${pattern})`);
}
