// `npm run bench -- <suite> [options]` runs bench/<suite>.ts in its own Node
// process; with no suite it lists them. `--simd=relaxed` asks the suite for
// the relaxed-SIMD core (on Node 20 this adds --experimental-wasm-relaxed-simd);
// `--threads=N` (or `all`) runs paralens on N threads (default 1; the scaling
// suite measures 1 and every core side by side). `--record` appends the run
// (the machine, the runtime, the commit, the load, and the suite's closing
// JSON line) to docs/benchmarks.json and rewrites docs/benchmarks.md.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg, platform, arch } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRun, benchmarksFile, root, writeBenchmarksPage } from "../scripts/benchmark-tables.ts";

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

const [suite, ...given] = process.argv.slice(2);
const record = given.includes("--record");
const rest = given.filter((a) => a !== "--record");
if (suite === undefined || !suites.includes(suite)) {
  if (suite !== undefined) console.error(`no benchmark suite "${suite}"`);
  console.log("usage: npm run bench -- <suite> [--simd=relaxed] [--threads=N|all] [--record]\nsuites:");
  for (const s of suites) console.log(`  ${s.padEnd(10)} ${describe(s)}`);
  process.exit(suite === undefined ? 0 : 1);
}
const flags = ["--import", "tsx"];
if (rest.includes("--simd=relaxed") && Number(process.versions.node.split(".")[0]) < 21) flags.push("--experimental-wasm-relaxed-simd");
const args = [...flags, join(here, `${suite}.ts`), ...rest];
if (!record) {
  const r = spawnSync(process.execPath, args, { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

/** The output of a git command in the repository, or "" where git is not there. */
function git(...command: string[]): string {
  try {
    return execFileSync("git", command, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

/** The thread count paralens ran on: --threads=N, every core for --threads=all, else 1. */
function threadCount(): number {
  const given = rest.find((a) => a.startsWith("--threads="))?.slice("--threads=".length);
  if (given === undefined) return 1;
  return given === "all" ? cpus().length : Number(given);
}

// --record: the suite's output is echoed as it comes, and its last JSON line kept
const loadBefore = loadavg()[0]!;
const started = performance.now();
const child = spawn(process.execPath, args, { stdio: ["inherit", "pipe", "inherit"] });
let stdout = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk: string) => {
  stdout += chunk;
  process.stdout.write(chunk);
});
const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
if (code !== 0) {
  console.error(`bench ${suite}: exited with code ${code}; nothing recorded`);
  process.exit(code);
}
const last = stdout.trimEnd().split("\n").reverse().find((l) => l.startsWith("{"));
let result: BenchRun["result"] | undefined;
try {
  result = last === undefined ? undefined : (JSON.parse(last) as BenchRun["result"]);
} catch {
  result = undefined;
}
if (result === undefined || !Array.isArray(result.rows)) {
  console.error(`bench ${suite}: no closing JSON line {"suite", "peak_gflops", "rows"} in its output; nothing recorded`);
  process.exit(1);
}
const run: BenchRun = {
  suite,
  args: rest,
  date: new Date().toISOString(),
  commit: git("rev-parse", "HEAD") || "unknown",
  // the record files themselves do not count as changes to the code measured
  dirty: git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks.json", ":!docs/benchmarks.md") !== "",
  cpu: cpus()[0]?.model.trim() ?? "unknown",
  cores: cpus().length,
  platform: `${platform()} ${arch()}`,
  node: process.version,
  v8: process.versions.v8,
  threads: threadCount(),
  loadBefore: Math.round(loadBefore * 100) / 100,
  loadAfter: Math.round(loadavg()[0]! * 100) / 100,
  seconds: Math.round((performance.now() - started) / 100) / 10,
  result,
};
appendFileSync(benchmarksFile, `${JSON.stringify(run)}\n`);
const runs = writeBenchmarksPage();
console.log(`recorded in docs/benchmarks.json (${runs} runs); docs/benchmarks.md rewritten`);
