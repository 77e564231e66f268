// The whole test suite: kernel specs (as-pect), type-level checks (tsc), and
// the TypeScript tests in Node, Deno and headless Chromium. Each part prints
// its own counts; lines like "iris-parameters-hash: ..." are compared across
// the runtimes (same seed, same build: same bits). Ends with one total line.
//
//   npm test                 everything
//   npm test -- node deno    some parts: kernels, types, node, deno, browser
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const parts = ["kernels", "types", "node", "deno", "browser"] as const;
type Part = (typeof parts)[number];
const asked = process.argv.slice(2).filter((a): a is Part => (parts as readonly string[]).includes(a));
const selected: readonly Part[] = asked.length > 0 ? asked : parts;

interface Result {
  part: Part;
  passed: number;
  failed: number;
  skipped?: string;
  output: string;
}

function testFiles(dir = join(root, "test")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === "types" || d.name === "browser" ? [] : testFiles(p);
    return d.name.endsWith(".test.ts") ? [relative(root, p)] : [];
  }).sort();
}
const portable = (f: string): boolean => !f.endsWith(".node.test.ts");

/** Runs a command, streaming its output, and resolves with the output and exit code. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const echo = (chunk: Buffer): void => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on("data", echo);
    child.stderr.on("data", echo);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
    child.on("error", (err) => resolve({ code: 1, output: `${output}\n${err.message}` }));
  });
}

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");
const count = (output: string, re: RegExp): number => Number(re.exec(plain(output))?.[1] ?? 0);
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

async function kernels(): Promise<Result> {
  const { code, output } = await run(bin("asp"), ["--config", "as-pect.config.js"]);
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(plain(output));
  const passed = m ? Number(m[1]) : 0;
  const total = m ? Number(m[2]) : 0;
  return { part: "kernels", passed, failed: code === 0 ? total - passed : Math.max(1, total - passed), output };
}

async function types(): Promise<Result> {
  const { code, output } = await run(bin("tsc"), ["-p", "test/tsconfig.json"]);
  if (code === 0) console.log("types: the library, tests, examples and benchmarks type-check; every expected shape error is an error");
  return { part: "types", passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, output };
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
    const report = existsSync(tap) ? readFileSync(tap, "utf8") : "";
    const passed = count(report, /^# pass (\d+)/m);
    const failed = count(report, /^# fail (\d+)/m) + (code !== 0 && passed === 0 ? 1 : 0);
    return { part: "node", passed, failed, output: output + report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function deno(): Promise<Result> {
  const { code, output } = await run(bin("deno"), ["test", "--no-check", "--allow-read", "--allow-env", ...testFiles().filter(portable)]);
  const passed = count(output, /(\d+) passed/);
  const failed = count(output, /(\d+) failed/) + (code !== 0 && passed === 0 ? 1 : 0);
  return { part: "deno", passed, failed, output };
}

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
}

const mime: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".wasm": "application/wasm", ".json": "application/json" };

async function browser(): Promise<Result> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    const why = "no Chromium found. Install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run does this.";
    console.log(`browser: the browser run did not happen: ${why}`);
    return { part: "browser", passed: 0, failed: 0, skipped: why, output: "" };
  }
  const compiled = await run(bin("tsc"), ["-p", "test/browser/tsconfig.json"]);
  if (compiled.code !== 0) return { part: "browser", passed: 0, failed: 1, output: compiled.output };
  const site = join(root, "build", "browser");
  copyFileSync(join(root, "test", "browser", "index.html"), join(site, "test", "browser", "index.html"));
  const server = createServer((req, res) => {
    const path = join(site, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!path.startsWith(site) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": mime[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
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
    return { part: "browser", passed: done.passed, failed: done.failed, output };
  } catch (e) {
    console.log(`browser: ${(e as Error).message}`);
    return { part: "browser", passed: 0, failed: 1, output: `${output}\n${(e as Error).message}` };
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

// Same seed, same build: every hash line must agree across the runtimes that printed it.
const hashes = new Map<string, Map<Part, string>>();
for (const r of results) {
  for (const m of plain(r.output).matchAll(/^(?:# )?([a-z0-9-]+-hash): ([0-9a-f]+)\s*$/gm)) {
    if (!hashes.has(m[1]!)) hashes.set(m[1]!, new Map());
    hashes.get(m[1]!)!.set(r.part, m[2]!);
  }
}
let agreeing = 0;
let disagreeing = 0;
console.log(`\n=== summary ${"=".repeat(53)}`);
for (const [name, byPart] of hashes) {
  const values = new Set(byPart.values());
  const where = [...byPart].map(([p, h]) => `${p} ${h}`).join(", ");
  if (byPart.size < 2) continue;
  if (values.size === 1) agreeing++;
  else disagreeing++;
  console.log(`${values.size === 1 ? "same bits" : "DIFFERENT BITS"}: ${name} (${where})`);
}
for (const r of results) {
  console.log(`${r.part}: ${r.skipped ? `did not run (${r.skipped})` : `${r.passed} passed, ${r.failed} failed`}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0) + agreeing;
const failed = results.reduce((n, r) => n + r.failed, 0) + disagreeing;
const skipped = results.filter((r) => r.skipped).length;
console.log(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
