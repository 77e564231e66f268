// The attainable 128-bit SIMD peak: a loop of independent f32x4 multiply-adds, strict and (if available) relaxed.
import { readFileSync } from "node:fs";
import { measurePeak, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";

const e = await startEngine();
const report = new Report("peak");
const peak = measurePeak(e);
report.peakGflops = peak;
report.add({ case: `f32x4 multiply-add loop (${e.simd})`, ours: peak, peer: "none", peer_value: null, unit: "GFLOP/s", ratio: null });

// the other build's peak, in the same run, when this engine can run it
const other = e.simd === "strict" ? "relaxed" : "strict";
const bytes = readFileSync(new URL(`../build/${other === "relaxed" ? "peak-relaxed" : "peak"}.wasm`, import.meta.url));
if (WebAssembly.validate(bytes)) {
  const value = measurePeak(e, other);
  report.add({ case: `f32x4 multiply-add loop (${other})`, ours: value, peer: `${e.simd} build`, peer_value: peak, unit: "GFLOP/s", ratio: value / peak });
} else {
  console.log(`${other} SIMD: not supported by this engine (on Node 20: npm run bench -- peak --simd=relaxed)`);
}
report.finish();
