// npm run bench:tables
//
// Writes docs/benchmarks.md from docs/benchmarks.json alone: one table per
// machine and date, with the latest recorded run of each suite on that
// machine that day. docs/benchmarks.json holds one JSON line per run, as
// `npm run bench -- <suite> --record` appends them (bench/run.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Row } from "../bench/lib/report.ts";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const benchmarksFile = join(root, "docs", "benchmarks.json");
export const benchmarksPage = join(root, "docs", "benchmarks.md");

/** One row of a suite's closing JSON line (bench/lib/report.ts writes them). */
export type BenchRow = Row;

/** One recorded run: the machine, the code, and what the suite printed last. */
export interface BenchRun {
  suite: string;
  /** The options the suite ran with (--simd=relaxed, --threads=2, ...). */
  args: string[];
  date: string;
  commit: string;
  /** Whether the working tree had uncommitted changes. */
  dirty: boolean;
  cpu: string;
  cores: number;
  platform: string;
  node: string;
  v8: string;
  threads: number;
  /** The one-minute load average before and after the run (0 where the system does not report it). */
  loadBefore: number;
  loadAfter: number;
  seconds: number;
  result: { suite: string; peak_gflops: number | null; rows: BenchRow[] };
}

/** The runs of docs/benchmarks.json, one per non-empty line, each checked to have a suite and rows. */
export function readRuns(text: string = existsSync(benchmarksFile) ? readFileSync(benchmarksFile, "utf8") : ""): BenchRun[] {
  return text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    const run = JSON.parse(line) as BenchRun;
    if (typeof run.suite !== "string" || !Array.isArray(run.result?.rows)) {
      throw new Error(`docs/benchmarks.json line ${i + 1}: not a recorded run (no suite or no result rows)`);
    }
    return [run];
  });
}

/** x to about four significant digits, with thousands separated: 1,234, 56.7, 0.0123. */
function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  return String(Number(x.toPrecision(a >= 1 ? 4 : 3)));
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;

/** docs/benchmarks.md: a table per machine and day, the latest run of each suite in it. */
export function renderBenchmarks(runs: readonly BenchRun[]): string {
  const groups = new Map<string, BenchRun[]>();
  for (const run of runs) {
    const key = `${run.cpu} (${run.cores} cores), ${run.platform}|${run.date.slice(0, 10)}`;
    const group = groups.get(key) ?? [];
    groups.set(key, [...group.filter((r) => r.suite !== run.suite || r.args.join(" ") !== run.args.join(" ")), run]);
  }
  const lines = [
    "# Recorded benchmarks",
    "",
    "Written by `npm run bench:tables` from [benchmarks.json](benchmarks.json), where",
    "`npm run bench -- <suite> --record` appends one line per run (see",
    "[CONTRIBUTING.md](../CONTRIBUTING.md#benchmarks)). One table per machine and date, newest first,",
    "with the latest run of each suite; ratios are paralens over the peer (for times, the peer over",
    "paralens), medians of interleaved rounds.",
  ];
  if (groups.size === 0) lines.push("", "No runs are recorded yet.");
  const ordered = [...groups].sort(([a], [b]) => b.split("|")[1]!.localeCompare(a.split("|")[1]!) || a.localeCompare(b));
  for (const [key, group] of ordered) {
    const [machine, day] = key.split("|") as [string, string];
    const nodes = [...new Set(group.map((r) => `Node ${r.node} (V8 ${r.v8})`))].join(", ");
    lines.push("", `## ${machine}, ${day}`, "", `${nodes}.`, "");
    lines.push(row(["suite", "case", "paralens", "unit", "peer", "peer's", "ratio", "threads", "load before / after", "commit"]));
    lines.push(row(Array.from({ length: 10 }, () => "---")));
    for (const run of [...group].sort((a, b) => a.suite.localeCompare(b.suite))) {
      const suite = [run.suite, ...run.args].join(" ");
      const commit = `${run.commit.slice(0, 10)}${run.dirty ? " (changed)" : ""}`;
      const load = `${num(run.loadBefore)} / ${num(run.loadAfter)}`;
      if (run.result.peak_gflops !== null && run.result.peak_gflops !== undefined && run.suite !== "peak") {
        lines.push(row([suite, "peak multiply-add loop", num(run.result.peak_gflops), "GFLOP/s", "", "", "", String(run.threads), load, commit]));
      }
      for (const r of run.result.rows) {
        lines.push(row([suite, r.case, num(r.ours), r.unit, r.peer, num(r.peer_value), num(r.ratio), String(run.threads), load, commit]));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Rewrites docs/benchmarks.md from docs/benchmarks.json; returns how many runs it read. */
export function writeBenchmarksPage(): number {
  const runs = readRuns();
  writeFileSync(benchmarksPage, renderBenchmarks(runs));
  return runs.length;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = writeBenchmarksPage();
  console.log(`docs/benchmarks.md: written from the ${n} run(s) of docs/benchmarks.json`);
}
