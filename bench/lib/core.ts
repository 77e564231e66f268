// Our side of every suite: the engine (strict SIMD unless the suite was
// started with --simd=relaxed) and the measured multiply-add peak.
import { type Engine, init } from "../../ts-api/index.ts";
import { time } from "./timing.ts";

/** Starts paralens with the SIMD build asked for on the command line (--simd=relaxed), and says which runs. */
export async function startEngine(): Promise<Engine> {
  const relaxed = process.argv.includes("--simd=relaxed");
  const e = await init({ simd: relaxed ? "relaxed" : "strict" });
  if (relaxed && e.simd !== "relaxed") console.log("relaxed SIMD was asked for but this engine lacks it: running strict");
  console.log(`paralens core: ${e.simd} SIMD; Node ${process.versions.node}, V8 ${process.versions.v8}`);
  return e;
}

/** Rounds of one timed call of the peak kernel. */
export const PEAK_ROUNDS = 500_000;
/** Flops of one round of the peak kernel: 26 f32x4 multiply-adds. */
export const PEAK_FLOPS_PER_ROUND = 26 * 4 * 2;

/** The attainable f32x4 multiply-add rate of this engine's core, in GFLOP/s (median). */
export function measurePeak(e: Engine): number {
  const t = time("peak", () => e.core.peakMadd(PEAK_ROUNDS, 1), { maxTime: 1.5, minSamples: 15 });
  return (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / t.seconds / 1e9;
}

/** The same peak for a raw core module (e.g. the other SIMD build), instantiated on its own. */
export function measurePeakOf(module: WebAssembly.Module): number {
  const core = new WebAssembly.Instance(module, {}).exports as unknown as { peakMadd(r: number, s: number): number };
  const t = time("peak", () => core.peakMadd(PEAK_ROUNDS, 1), { maxTime: 1.5, minSamples: 15 });
  return (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / t.seconds / 1e9;
}
