// `npm run bench -- <suite> [options]` runs bench/<suite>.ts in its own Node
// process; with no suite it lists them. `--simd=relaxed` asks the suite for
// the relaxed-SIMD core (on Node 20 this adds --experimental-wasm-relaxed-simd);
// `--threads=N` (or `all`) runs paralens on N threads (default 1; the scaling
// suite measures 1 and every core side by side).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort();

/** The first comment line of a suite, as its description. */
function describe(suite: string): string {
  const first = readFileSync(join(here, `${suite}.ts`), "utf8").split("\n")[0] ?? "";
  return first.startsWith("//") ? first.slice(2).trim() : "";
}

const [suite, ...rest] = process.argv.slice(2);
if (suite === undefined || !suites.includes(suite)) {
  if (suite !== undefined) console.error(`no benchmark suite "${suite}"`);
  console.log("usage: npm run bench -- <suite> [--simd=relaxed] [--threads=N|all]\nsuites:");
  for (const s of suites) console.log(`  ${s.padEnd(10)} ${describe(s)}`);
  process.exit(suite === undefined ? 0 : 1);
}
const flags = ["--import", "tsx"];
if (rest.includes("--simd=relaxed") && Number(process.versions.node.split(".")[0]) < 21) flags.push("--experimental-wasm-relaxed-simd");
const r = spawnSync(process.execPath, [...flags, join(here, `${suite}.ts`), ...rest], { stdio: "inherit" });
process.exit(r.status ?? 1);
