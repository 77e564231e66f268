// npm run results [-- --only a,b] [-- --tables]
//
// Runs every example (or those named by --only) with --json, one after
// another, and keeps each one's closing {"example", "metrics"} line in
// docs/results.json together with the machine it ran on (CPU model, cores,
// Node version, date). Then rewrites the results tables of docs/results.md, between
// <!-- results:NAME --> and <!-- /results:NAME -->, from that file alone.
// --tables runs nothing and only rewrites the tables.
//
// Examples run sequentially so that their timings do not compete with each
// other; the file keeps earlier results of examples not run this time.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { exampleNames, examplesDir, root } from "./example-names.ts";
import { type ExampleResult, type Results, renderTables } from "./results-tables.ts";

const resultsFile = join(root, "docs", "results.json");
const readmeFile = join(root, "docs", "results.md");

/** The value of `--name <value>`, or undefined. */
function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value, e.g. --${name} iris,z2-logic`);
  return value;
}

/** Which examples to run: all of them, or the comma-separated names of --only (each must exist). */
function chosen(args: readonly string[]): string[] {
  const all = exampleNames();
  if (args.includes("--tables")) return [];
  const only = option(args, "only");
  if (only === undefined) return all;
  const names = only.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new Error(`--only: no example named ${unknown.join(", ")}; the examples are ${all.join(", ")}`);
  return names;
}

/** The metrics of an example's last output line, checked to be {"example": name, "metrics": {string: number | string}}. */
function parseClosingLine(name: string, stdout: string): Record<string, number | string> {
  const last = stdout.trimEnd().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`${name}: the last line of its output is not JSON: ${JSON.stringify(last.slice(0, 200))}`);
  }
  const { example, metrics } = (parsed ?? {}) as { example?: unknown; metrics?: unknown };
  if (example !== name) throw new Error(`${name}: its JSON line names the example ${JSON.stringify(example)}`);
  if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) {
    throw new Error(`${name}: its JSON line has no "metrics" object: ${last.slice(0, 200)}`);
  }
  for (const [key, value] of Object.entries(metrics)) {
    const ok = typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
    if (!ok) throw new Error(`${name}: metric "${key}" is ${JSON.stringify(value)}, not a finite number or a string`);
  }
  return metrics as Record<string, number | string>;
}

/** Runs examples/<name>.ts --json in a child process, echoing its output indented; resolves with its metrics. */
function runExample(name: string): Promise<ExampleResult> {
  const started = performance.now();
  const load = loadavg()[0]!; // other work on the machine slows the timings; the tables say how much there was
  const child = spawn(process.execPath, ["--import", "tsx", join(examplesDir, `${name}.ts`), "--json"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines) console.log(`    ${line}`);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (partial !== "") console.log(`    ${partial}`);
      if (code !== 0) return reject(new Error(`${name}: exited with code ${code}`));
      try {
        const metrics = parseClosingLine(name, stdout);
        const cpu = cpus();
        resolve({
          cpu: cpu[0]?.model.trim() ?? "unknown",
          cores: cpu.length,
          node: process.version,
          loadAverage: Math.round(load * 10) / 10,
          date: new Date().toISOString(),
          wallSeconds: Math.round((performance.now() - started) / 100) / 10,
          metrics,
        });
      } catch (err) {
        reject(err);
      }
    });
  });
}

function readResults(): Results {
  if (!existsSync(resultsFile)) return { examples: {} };
  return JSON.parse(readFileSync(resultsFile, "utf8")) as Results;
}

function writeResults(results: Results): void {
  const sorted = Object.fromEntries(Object.entries(results.examples).sort(([a], [b]) => a.localeCompare(b)));
  const text = JSON.stringify({ about: "written by npm run results: each example's --json metrics and the machine it ran on", examples: sorted }, null, 2);
  writeFileSync(resultsFile, `${text}\n`);
}

let names: string[];
try {
  names = chosen(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const results = readResults();
const failed: string[] = [];
for (const [i, name] of names.entries()) {
  console.log(`[${i + 1}/${names.length}] ${name}`);
  try {
    const result = await runExample(name);
    results.examples[name] = result;
    writeResults(results); // after every example, so a later failure loses nothing
    console.log(`[${i + 1}/${names.length}] ${name}: done in ${result.wallSeconds} s`);
  } catch (err) {
    failed.push(name);
    console.error(`[${i + 1}/${names.length}] ${(err as Error).message}`);
  }
}
if (names.length > 0) console.log(`results of ${names.length - failed.length} example(s) written to docs/results.json`);

const readme = readFileSync(readmeFile, "utf8");
const { text, rewritten } = renderTables(readme, results);
writeFileSync(readmeFile, text);
console.log(`docs/results.md: tables ${rewritten.join(", ")} rewritten from docs/results.json`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
