// The attainable 128-bit SIMD peak: a loop of independent f32x4 multiply-adds, strict and (if available) relaxed.
import { Buffer } from "node:buffer";
import { wasmBase64 as relaxedBase64 } from "../ts-api/engine/core-relaxed.generated.ts";
import { wasmBase64 as strictBase64 } from "../ts-api/engine/core.generated.ts";
import { measurePeak, measurePeakOf, startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";

const e = await startEngine();
const report = new Report("peak");
const peak = measurePeak(e);
report.peakGflops = peak;
report.add({ case: `f32x4 multiply-add loop (${e.simd})`, ours: peak, peer: "none", peer_value: null, unit: "GFLOP/s", ratio: null });

// the other build's peak, in the same run, when this engine can run it
const other = e.simd === "strict" ? "relaxed" : "strict";
const bytes = Buffer.from(other === "relaxed" ? relaxedBase64 : strictBase64, "base64");
if (WebAssembly.validate(bytes)) {
  const value = measurePeakOf(new WebAssembly.Module(bytes));
  report.add({ case: `f32x4 multiply-add loop (${other})`, ours: value, peer: `${e.simd} build`, peer_value: peak, unit: "GFLOP/s", ratio: value / peak });
} else {
  console.log(`${other} SIMD: not supported by this engine (on Node 20: npm run bench -- peak --simd=relaxed)`);
}
report.finish();
