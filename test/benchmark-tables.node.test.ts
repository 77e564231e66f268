// docs/benchmarks.md is what `npm run bench:tables` writes from
// docs/benchmarks.json (so neither is edited by hand), and the page has one
// table per machine and date with the latest run of each suite in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { type BenchRun, benchmarksPage, readRuns, renderBenchmarks, root } from "../scripts/benchmark-tables.ts";

test("docs/benchmarks.md is written from docs/benchmarks.json (npm run bench:tables)", () => {
  const runs = readRuns(readFileSync(join(root, "docs", "benchmarks.json"), "utf8"));
  assert(runs.length > 0, "docs/benchmarks.json records at least one run");
  for (const run of runs) {
    assert(/^[0-9a-f]{40}$/.test(run.commit), `${run.suite}: a git commit, got ${run.commit}`);
    assert(run.cpu !== "" && run.cores > 0 && run.node.startsWith("v") && run.threads >= 1, `${run.suite}: the machine and runtime`);
    assert(!Number.isNaN(Date.parse(run.date)), `${run.suite}: a date, got ${run.date}`);
  }
  assertEqual(readFileSync(benchmarksPage, "utf8"), renderBenchmarks(runs), "docs/benchmarks.md is stale: run npm run bench:tables");
});

const run = (suite: string, date: string, ours: number, cpu = "Some CPU"): BenchRun => ({
  suite, args: [], date, commit: "0".repeat(40), dirty: false, cpu, cores: 2, platform: "linux x64", node: "v20.20.2", v8: "11.3",
  threads: 1, loadBefore: 1, loadAfter: 1.5, seconds: 10,
  result: { suite, peak_gflops: 40, rows: [{ case: `${suite} case`, ours, peer: "TF.js wasm", peer_value: 10, unit: "GFLOP/s", ratio: ours / 10 }] },
});

test("the benchmark page has a table per machine and date, newest first, with the latest run of each suite", () => {
  const page = renderBenchmarks([
    run("gemm", "2026-12-01T10:00:00Z", 11),
    run("gemm", "2026-12-01T12:00:00Z", 22),
    run("conv", "2026-12-01T13:00:00Z", 33),
    run("gemm", "2026-12-03T09:00:00Z", 44),
    run("gemm", "2026-12-03T09:30:00Z", 55, "Other CPU"),
  ]);
  const headings = [...page.matchAll(/^## (.*)$/gm)].map((m) => m[1]!);
  assertEqual(JSON.stringify(headings), JSON.stringify([
    "Other CPU (2 cores), linux x64, 2026-12-03",
    "Some CPU (2 cores), linux x64, 2026-12-03",
    "Some CPU (2 cores), linux x64, 2026-12-01",
  ]));
  assert(!page.includes("| 11 |"), "an earlier run of a suite the same day is replaced by the later one");
  for (const value of ["22", "33", "44", "55"]) assert(page.includes(`| ${value} |`), `the run measuring ${value} is shown`);
  assert(page.includes("| gemm | peak multiply-add loop | 40 | GFLOP/s |"), "the run's peak loop is a row");
});
