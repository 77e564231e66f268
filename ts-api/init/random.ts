// A seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018),
// seeded through SplitMix32. Only 32-bit integer arithmetic and Math.imul, so
// the same seed gives the same stream in every JavaScript engine.
import { currentEngine } from "../engine/init.ts";
import { ParalensError, describe } from "../engine/errors.ts";

/** Values the core's loop makes per call: the arena block it writes is this many f64. */
const BLOCK = 8192;

/**
 * Throws unless `seed` is a whole number (negative ones and ones past 2^32 are taken modulo 2^32):
 * NaN, 1.5, "abc" or a string "7" would otherwise all seed the same stream as 0 or 7 silently.
 *
 * @example
 * ```ts
 * checkSeed("fit", 3);  // fine; checkSeed("fit", NaN) throws
 * ```
 */
export function checkSeed(what: string, seed: unknown): asserts seed is number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) throw new ParalensError(`${what}: seed must be a whole number, got ${describe(seed)}`);
}

/**
 * A seeded source of random numbers. The seed is a whole number (anything else is refused).
 *
 * @example
 * ```ts
 * const rng = new initialisers.Rng(42);
 * [rng.uniform(), rng.normal()].every(Number.isFinite);  // true
 * ```
 *
 * @category Initialisers
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed = 0) {
    checkSeed("Rng", seed);
    let x = seed >>> 0;
    const next = (): number => {
      // SplitMix32: spreads one 32-bit seed over the four words of state
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Fills `out` with uniform values in [low, high): the same values, in the
   * same order, as `low + (high - low) * uniform()` called once per element.
   * Initialising a model runs this before anything is warm, so once the
   * engine is made the loop runs in the core (uniformFill, assembly/random.ts),
   * whose speed does not wait for the JIT; before init it runs here.
   *
   * @example
   * ```ts
   * new initialisers.Rng(1).fillUniform(new Float64Array(3), -1, 1).length;  // 3
   * ```
   */
  fillUniform(out: Float64Array, low: number, high: number): Float64Array {
    if (!(out instanceof Float64Array)) throw new ParalensError(`fillUniform: out must be a Float64Array, got ${describe(out)}`);
    if (typeof low !== "number" || typeof high !== "number" || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new ParalensError(`fillUniform: low and high must be finite numbers, got ${describe(low)} and ${describe(high)}`);
    }
    const e = currentEngine();
    const span = high - low;
    if (e === undefined || out.length < 64) {
      for (let i = 0; i < out.length; i++) out[i] = low + span * this.uniform();
      return out;
    }
    const size = Math.min(BLOCK, out.length);
    const at = e.arena.alloc(16 + size * 8, "the random generator's block");
    try {
      // (the kernel allocates nothing, so the memory cannot grow under these views)
      const state = new Uint32Array(e.memory.buffer, at, 4);
      const block = new Float64Array(e.memory.buffer, at + 16, size);
      state.set([this.s0, this.s1, this.s2, this.s3]);
      for (let i = 0; i < out.length; i += size) {
        const n = Math.min(size, out.length - i);
        e.core.uniformFill(at, at + 16, n, low, span);
        out.set(n === size ? block : block.subarray(0, n), i);
      }
      [this.s0, this.s1, this.s2, this.s3] = [state[0]!, state[1]!, state[2]!, state[3]!];
    } finally {
      e.arena.release(at);
    }
    return out;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new ParalensError(`Rng.int: n must be a whole number >= 0, got ${describe(n)}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal, by the Box-Muller transform (pairs are generated; the second is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
