// The whole test suite: kernel specs (as-pect), type-level checks (tsc), and
// the TypeScript tests in Node, Deno and headless Chromium. Each part prints
// its own counts, then a summary ends with one line `total: N passed, N failed`.
//
//   npm test                              everything
//   npm test -- node deno                 some parts: kernels, types, node, deno, browser
//   npm test -- --allow-missing           a part that cannot run here is reported, not failed
//
// A run fails when a test fails or is cancelled; when a child exits non-zero,
// whatever it counted; when a part did not run or printed no summary line
// (no Chromium, no as-pect `[Tests]:` line, no Deno `N passed | N failed`
// line, no Node TAP counts), unless --allow-missing is given (.ci/run never
// gives it); and when the hash lines (`iris-parameters-hash: ...`) do not
// agree: every runtime that ran the portable tests must print every hash line
// that the portable tests print or that any runtime printed, with the same
// value (same seed, same build: same bits). Each such problem counts as one
// failure; agreeing hashes are reported on their own line, not as tests passed.
//
// The wasm core is rebuilt first when a file under assembly/ is newer than
// its generated module, and dist/ with its bundles (which the README and
// install tests import) when ts-api/ is newer than it (scripts/built.mjs), so
// the tests never run stale code.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../scripts/built.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const parts = ["kernels", "types", "node", "deno", "browser"] as const;
type Part = (typeof parts)[number];
const runtimes: readonly Part[] = ["node", "deno", "browser"];

const args = process.argv.slice(2);
const allowMissing = args.includes("--allow-missing");
const unknown = args.filter((a) => a !== "--allow-missing" && !(parts as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(`test/run.ts: unknown argument(s) ${unknown.join(", ")}; give parts among ${parts.join(", ")}, and optionally --allow-missing`);
  process.exit(2);
}
const asked = args.filter((a): a is Part => (parts as readonly string[]).includes(a));
const selected: readonly Part[] = asked.length > 0 ? asked : parts;

interface Result {
  part: Part;
  passed: number;
  failed: number;
  /** Why the part fails beyond its failed tests: each counts as one failure. */
  problems: string[];
  /** Why the part did not run or gave no counts (a failure unless --allow-missing). */
  missing?: string;
  output: string;
}

/** The result of a child: its counts if it printed them, and its exit code. */
function result(part: Part, code: number, output: string, counts: { passed: number; failed: number } | undefined, noCounts: string): Result {
  const r: Result = { part, passed: counts?.passed ?? 0, failed: counts?.failed ?? 0, problems: [], output };
  if (counts === undefined) r.missing = noCounts;
  else if (counts.passed + counts.failed === 0) r.problems.push("it ran no tests");
  if (code !== 0 && r.failed === 0) r.problems.push(`it exited with code ${code}`);
  return r;
}

// ---- keeping the built files current ---------------------------------------

ensureBuilt();

// ---- the parts ---------------------------------------------------------------

function testFiles(dir = join(root, "test")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === "types" || d.name === "browser" ? [] : testFiles(p);
    return d.name.endsWith(".test.ts") ? [relative(root, p)] : [];
  }).sort();
}
const portable = (f: string): boolean => !f.endsWith(".node.test.ts");

/** Runs a command, streaming its output, and resolves with the output and exit code. */
function run(command: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const echo = (chunk: Buffer): void => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on("data", echo);
    child.stderr.on("data", echo);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
    child.on("error", (err) => resolve({ code: 1, output: `${output}\n${err.message}` }));
  });
}

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

async function kernels(): Promise<Result> {
  const { code, output } = await run(bin("asp"), ["--config", "as-pect.config.js"]);
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(plain(output));
  const counts = m ? { passed: Number(m[1]), failed: Number(m[2]) - Number(m[1]) } : undefined;
  return result("kernels", code, output, counts, "as-pect printed no [Tests]: summary line");
}

async function types(): Promise<Result> {
  const { code, output } = await run(bin("tsc"), ["-p", "test/tsconfig.json"]);
  if (code === 0) console.log("types: the library, tests, examples and benchmarks type-check; every expected shape error is an error");
  return result("types", code, output, { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }, "");
}

async function node(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "paralens-tap-"));
  const tap = join(dir, "results.tap");
  try {
    const { code, output } = await run(process.execPath, [
      "--import", "tsx", "--test", "--test-concurrency=1",
      "--test-reporter=spec", "--test-reporter-destination=stdout",
      "--test-reporter=tap", `--test-reporter-destination=${tap}`,
      ...testFiles(),
    ]);
    const report = existsSync(tap) ? plain(readFileSync(tap, "utf8")) : "";
    const field = (name: string): number | undefined => {
      const m = new RegExp(`^# ${name} (\\d+)$`, "m").exec(report);
      return m ? Number(m[1]) : undefined;
    };
    const [pass, fail, cancelled] = [field("pass"), field("fail"), field("cancelled")];
    // a cancelled test (a file that crashed or timed out around it) did not pass: it failed
    const counts = pass === undefined || fail === undefined ? undefined : { passed: pass, failed: fail + (cancelled ?? 0) };
    if (cancelled) console.log(`node: ${cancelled} test(s) cancelled, counted as failed`);
    return result("node", code, output + report, counts, "the TAP report has no # pass / # fail counts");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function deno(): Promise<Result> {
  // the examples the tests share import "paralens": test/import-map.json maps it to the sources, as tsconfig.json does for tsc and tsx
  const { code, output } = await run(bin("deno"), ["test", "--no-check", "--allow-read", "--allow-env", "--import-map", "test/import-map.json", ...testFiles().filter(portable)]);
  const m = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/m.exec(plain(output));
  return result("deno", code, output, m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined, "deno test printed no `N passed | N failed` line");
}

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
}

const mime: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".wasm": "application/wasm", ".json": "application/json" };

async function browser(): Promise<Result> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    const why = "no Chromium found. Install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run does this";
    console.log(`browser: the browser run did not happen: ${why}`);
    return { part: "browser", passed: 0, failed: 0, problems: [], missing: why, output: "" };
  }
  const compiled = await run(bin("tsc"), ["-p", "test/browser/tsconfig.json"]);
  if (compiled.code !== 0) return { part: "browser", passed: 0, failed: 0, problems: ["the tests did not compile for the browser"], output: compiled.output };
  const site = join(root, "build", "browser");
  copyFileSync(join(root, "test", "browser", "index.html"), join(site, "test", "browser", "index.html"));
  const server = createServer((req, res) => {
    const path = join(site, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!path.startsWith(site) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    // cross-origin isolated, so the page may share memory with workers: the suite runs threaded
    res.writeHead(200, {
      "content-type": mime[extname(path)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  // the page loads the compiled copies of the test files (test/x.test.ts -> test/x.test.js)
  const query = testFiles().filter(portable).map((f) => `file=${encodeURIComponent(f.replace(/^test\//, "").replace(/\.ts$/, ".js"))}`).join("&");
  const { chromium } = await import("playwright-core");
  const instance = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  let output = "";
  try {
    const page = await instance.newPage();
    page.on("console", (msg) => {
      output += `${msg.text()}\n`;
      console.log(msg.text());
    });
    page.on("pageerror", (err) => {
      output += `page error: ${err.message}\n`;
      console.log(`page error: ${err.message}`);
    });
    await page.goto(`http://127.0.0.1:${port}/test/browser/index.html?${query}`);
    const done = (await (await page.waitForFunction(() => (globalThis as { __done?: unknown }).__done, undefined, { timeout: 15 * 60_000 })).jsonValue()) as { passed: number; failed: number };
    // the example pages (examples/web/ and examples/web/finetune/) in the same browser
    const { checkWebPage } = await import("./web-page.ts");
    const { checkFinetunePage } = await import("./web-finetune.ts");
    // the example pages: each must give what Node gives; each counts as one test
    const problems = [await checkWebPage(page, root, site, port), await checkFinetunePage(page, root, site, port)];
    for (const problem of problems) if (problem !== null) output += `not ok - an example page: ${problem}\n`;
    const failed = problems.filter((p) => p !== null).length;
    return result("browser", 0, output, { passed: done.passed + problems.length - failed, failed: done.failed + failed }, "");
  } catch (e) {
    console.log(`browser: ${(e as Error).message}`);
    return { part: "browser", passed: 0, failed: 0, problems: [`the page did not finish: ${(e as Error).message.split("\n")[0]}`], output };
  } finally {
    await instance.close();
    server.close();
  }
}

const runners: Record<Part, () => Promise<Result>> = { kernels, types, node, deno, browser };
const results: Result[] = [];
for (const part of selected) {
  console.log(`\n=== ${part} ${"=".repeat(60 - part.length)}`);
  results.push(await runners[part]());
}

// ---- hashes: same seed, same build, same bits in every runtime -----------------

/** The hash names the portable tests print (`console.log(\`name-hash: ...\`)`), found in their source. */
const promised = new Set(testFiles().filter(portable).flatMap((f) => [...readFileSync(join(root, f), "utf8").matchAll(/console\.log\(`([a-z0-9-]+-hash): /g)].map((m) => m[1]!)));
const ran = results.filter((r) => runtimes.includes(r.part) && r.missing === undefined);
const printed = new Map<Part, Map<string, Set<string>>>();
for (const r of ran) {
  const byName = new Map<string, Set<string>>();
  for (const m of plain(r.output).matchAll(/^(?:# )?([a-z0-9-]+-hash): ([0-9a-f]+)\s*$/gm)) {
    if (!byName.has(m[1]!)) byName.set(m[1]!, new Set());
    byName.get(m[1]!)!.add(m[2]!);
  }
  printed.set(r.part, byName);
}
// with no runtime run there is nothing to hold to the promise
const names = ran.length === 0 ? [] : [...new Set([...promised, ...[...printed.values()].flatMap((m) => [...m.keys()])])].sort();
const hashProblems: string[] = [];
let agreeing = 0;
console.log(`\n=== summary ${"=".repeat(53)}`);
for (const name of names) {
  const values = ran.map((r) => [r.part, [...(printed.get(r.part)!.get(name) ?? [])]] as const);
  const where = values.map(([p, v]) => `${p} ${v.length ? v.join("/") : "none"}`).join(", ");
  const absent = values.filter(([, v]) => v.length === 0).map(([p]) => p);
  const unsteady = values.filter(([, v]) => v.length > 1).map(([p]) => p);
  const distinct = new Set(values.flatMap(([, v]) => v));
  if (absent.length > 0) hashProblems.push(`${name} was not printed by ${absent.join(", ")}`);
  if (unsteady.length > 0) hashProblems.push(`${name} took two values within ${unsteady.join(", ")}`);
  if (distinct.size > 1) hashProblems.push(`${name} differs between runtimes (${where})`);
  const verdict = absent.length + unsteady.length > 0 || distinct.size > 1 ? "FAILED" : ran.length > 1 ? "same bits" : `only ${ran[0]!.part} ran`;
  if (verdict === "same bits") agreeing++;
  console.log(`hash ${verdict}: ${name} (${where})`);
}

for (const r of results) {
  const counted = `${r.passed} passed, ${r.failed} failed`;
  const state = r.missing === undefined ? counted : `did not run (${r.missing})${allowMissing ? ", allowed by --allow-missing" : ""}`;
  console.log(`${r.part}: ${state}${r.problems.length ? `; FAILED: ${r.problems.join("; ")}` : ""}`);
}
const notRun = results.filter((r) => r.missing !== undefined).map((r) => r.part);
if (notRun.length > 0 && !allowMissing) console.log(`not run, so failed: ${notRun.join(", ")} (npm test -- --allow-missing reports them without failing)`);
if (ran.length > 0) {
  console.log(`hashes: ${names.length} checked in ${ran.map((r) => r.part).join(", ")}; ${agreeing} agree across runtimes; ${hashProblems.length} problem(s)`);
  for (const p of hashProblems) console.log(`  FAILED: ${p}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed + r.problems.length + (r.missing !== undefined && !allowMissing ? 1 : 0), 0) + hashProblems.length;
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
