// The two builds of the core: relaxed SIMD runs only when asked for and the
// engine accepts it, strict otherwise, and engine().simd says which. Each
// case is a fresh process (init runs once per process): Node 20 without and
// with --experimental-wasm-relaxed-simd, and Deno 2 (relaxed SIMD built in).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEqual } from "./assert.ts";
import { test } from "./harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixture = join(root, "test", "fixtures", "simd-mode.ts");
const nodeMajor = Number(process.versions.node.split(".")[0]);

interface Outcome {
  asked: string;
  simd: string;
  worst: number;
  hash: number;
}

function run(command: string, args: readonly string[]): Outcome {
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Outcome;
}
const node = (flags: readonly string[], mode: string): Outcome => run(process.execPath, [...flags, "--import", "tsx", fixture, mode]);
const deno = (mode: string): Outcome => run(join(root, "node_modules", ".bin", "deno"), ["run", "--allow-read", "--allow-env", fixture, mode]);

const strict = node([], "strict");

test("strict is the default build and matches the float64 product", () => {
  assertEqual(strict.simd, "strict");
  assert(strict.worst < 1e-6, `worst relative error ${strict.worst}`);
});

test("Node without the relaxed-SIMD flag falls back to strict when relaxed is asked for", () => {
  const o = node([], "relaxed");
  // Node 20 lacks relaxed SIMD unless flagged; later versions ship it
  assertEqual(o.simd, nodeMajor === 20 ? "strict" : "relaxed");
  if (o.simd === "strict") assertEqual(o.hash, strict.hash, "the fallback is the strict build, bit for bit");
});

test("Node with --experimental-wasm-relaxed-simd runs the relaxed build: fused, so other bits, same accuracy", () => {
  const o = node(["--experimental-wasm-relaxed-simd"], "relaxed");
  assertEqual(o.simd, "relaxed");
  assert(o.worst < 1e-6, `worst relative error ${o.worst}`);
  // one rounding per multiply-add instead of two changes some result bits:
  // the GEMM really goes through the fused madd
  assert(o.hash !== strict.hash, "relaxed results are bit-identical to strict: madd did not fuse");
});

test("Deno 2 runs the relaxed build when asked, and the strict build gives Node's bits", () => {
  assert(existsSync(join(root, "node_modules", ".bin", "deno")), "the deno dev dependency is not installed (npm ci)");
  const relaxed = deno("relaxed");
  assertEqual(relaxed.simd, "relaxed");
  assert(relaxed.worst < 1e-6, `worst relative error ${relaxed.worst}`);
  const s = deno("strict");
  assertEqual(s.simd, "strict");
  assertEqual(s.hash, strict.hash, "strict GEMM bits differ between Node and Deno");
});
