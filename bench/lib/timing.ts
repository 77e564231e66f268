// Timing with the `benchmark` package: each case runs until it has enough
// samples, and we keep the median of the per-call times (the machine is
// shared, so medians rather than means).
import Benchmark from "benchmark";

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  samples: number;
}

/** Times fn (after a warm-up that lets V8 tier the wasm up) and returns the median seconds per call. */
export function time(name: string, fn: () => void, options: { maxTime?: number; minSamples?: number } = {}): Timing {
  for (let i = 0; i < 3; i++) fn();
  const bench = new Benchmark(name, fn, { maxTime: options.maxTime ?? 1.5, minSamples: options.minSamples ?? 12, initCount: 1 });
  bench.run();
  if (bench.error) throw bench.error;
  const sample = [...bench.stats.sample].sort((a, b) => a - b);
  return { seconds: median(sample), samples: sample.length };
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/**
 * Times several cases in turn, `rounds` times over, so that all of them see
 * the same machine load (the machine is shared); returns, per case, the
 * median seconds per call of each round. Compare cases round by round.
 */
export function interleaved<K extends string>(
  cases: Record<K, () => void>,
  rounds = 3,
  maxTime = 0.6,
  /** Cases that take seconds per call: timed by this many single calls per round (median), not by the benchmark loop. */
  slow: Partial<Record<K, number>> = {},
): Record<K, number[]> {
  const keys = Object.keys(cases) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const calls = slow[k];
      out[k].push(calls === undefined ? time(k, cases[k], { maxTime, minSamples: 8 }).seconds : timeCalls(cases[k], calls));
    }
  }
  return out;
}

/**
 * The median seconds of `calls` single calls, each timed on its own, with no
 * warm-up: for calls of a second or more, where the benchmark loop's warm-up
 * and minimum sample count would take minutes. Warm the call up first.
 */
export function timeCalls(fn: () => void, calls: number): number {
  const seconds: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return med(seconds);
}

/** The median of a list (sorted on a copy). */
export function med(values: readonly number[]): number {
  return median([...values].sort((a, b) => a - b));
}

/** Round-by-round ratios a[i] / b[i]. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / b[i]!);
}
