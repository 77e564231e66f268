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

export function assertDeepEqual(actual: unknown, expected: unknown, message = ""): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${message ? message + ": " : ""}expected ${e}, got ${a}`);
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
