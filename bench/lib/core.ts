// Our side of every suite: the engine (strict SIMD unless the suite was
// started with --simd=relaxed) and the measured multiply-add peak.
import { readFileSync } from "node:fs";
import { type Engine, init } from "../../ts-api/index.ts";
import { time } from "./timing.ts";

/**
 * The thread count asked for on the command line: --threads=N, or
 * --threads=all for every core (init's default); 1 without the option, so
 * that suites compare one thread with one-thread peers.
 */
export function threadsOption(fallback: number | "all" = 1): number | undefined {
  const given = process.argv.find((a) => a.startsWith("--threads="))?.slice("--threads=".length);
  const value = given ?? String(fallback);
  if (value === "all") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--threads must be a whole number >= 1 or "all", got "${value}"`);
  return n;
}

/** Starts paralens with the SIMD build (--simd=relaxed) and threads (--threads=N|all) asked for, and says which run. */
export async function startEngine(threads: number | "all" = 1): Promise<Engine> {
  const relaxed = process.argv.includes("--simd=relaxed");
  const e = await init({ simd: relaxed ? "relaxed" : "strict", threads: threadsOption(threads) });
  if (relaxed && e.simd !== "relaxed") console.log("relaxed SIMD was asked for but this engine lacks it: running strict");
  console.log(`paralens core: ${e.simd} SIMD, ${e.threads.reason}; Node ${process.versions.node}, V8 ${process.versions.v8}`);
  return e;
}

/** Rounds of one timed call of the peak kernel. */
export const PEAK_ROUNDS = 500_000;
/** Flops of one round of the peak kernel: 26 f32x4 multiply-adds. */
export const PEAK_FLOPS_PER_ROUND = 26 * 4 * 2;

/** Where the benchmarks' build of the peak loop of a SIMD build is. */
export function peakWasm(simd: "strict" | "relaxed"): URL {
  return new URL(`../../build/${simd === "relaxed" ? "peak-relaxed" : "peak"}.wasm`, import.meta.url);
}

/**
 * The peak loop (assembly/peak.ts) of a SIMD build, from the module the build
 * makes for the benchmarks alone (build/peak.wasm, build/peak-relaxed.wasm):
 * the shipped cores leave it out.
 */
export function peakMadd(simd: "strict" | "relaxed"): (rounds: number, seed: number) => number {
  const bytes = readFileSync(peakWasm(simd));
  return (new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as { peakMadd(r: number, s: number): number }).peakMadd;
}

/** The attainable f32x4 multiply-add rate of a SIMD build (this engine's by default), in GFLOP/s (median). */
export function measurePeak(e: Engine, simd = e.simd): number {
  const peak = peakMadd(simd);
  const t = time("peak", () => peak(PEAK_ROUNDS, 1), { maxTime: 1.5, minSamples: 15 });
  return (PEAK_ROUNDS * PEAK_FLOPS_PER_ROUND) / t.seconds / 1e9;
}
