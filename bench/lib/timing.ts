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
