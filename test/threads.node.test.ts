// Threads change speed, never bits: the same training run (threads-probe.js:
// a CNN and a transformer, three Adam steps each) gives the same parameter
// hash at 1, 2 and 16 threads in Node, in Deno and in headless Chromium on a
// cross-origin-isolated page (COOP/COEP headers), each a fresh process or
// page since init runs once. A page without those headers runs on one thread
// and says why; and a Node process that never stops its pool exits promptly.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEqual } from "./assert.ts";
import { test } from "./harness.ts";
import { inChromium } from "./chromium.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "test", "fixtures", "threads-probe-cli.ts");
const counts = [1, 2, 16];

function run(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.trim().split("\n").pop()!;
}

/** The probe's line from a page of this repository served with or without the cross-origin isolation headers. */
async function probeInChromium(threads: number, isolated: boolean): Promise<string> {
  const page = `<!doctype html><script type="module">
    import * as paralens from "/dist/web/paralens.js";
    import { probe } from "/test/fixtures/threads-probe.js";
    probe(paralens, ${threads}).then((line) => (globalThis.__result = line + " | " + paralens.engine().threads.reason), (e) => (globalThis.__result = "error: " + e.message));
  </script>`;
  const headers: Record<string, string> = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
  return (await inChromium({ dir: root, page: "probe.html", pages: { "probe.html": page }, headers })).line;
}

test("a training run gives the same parameter bits at 1, 2 and 16 threads in Node, Deno and Chromium", async () => {
  const lines: Record<string, string> = {};
  for (const n of counts) {
    lines[`node ${n}`] = run(process.execPath, ["--import", "tsx", cli, String(n)]);
    lines[`deno ${n}`] = run(join(root, "node_modules", ".bin", "deno"), ["run", "--allow-read", "--allow-env", cli, String(n)]);
    lines[`chromium ${n}`] = (await probeInChromium(n, true)).split(" | ")[0]!;
  }
  const hash = / parameters ([0-9a-f]{8})$/.exec(lines["node 1"]!)?.[1];
  assert(hash !== undefined, `the probe printed "${lines["node 1"]}"`);
  for (const [where, line] of Object.entries(lines)) {
    const n = where.split(" ")[1]!;
    assertEqual(line, `threads ${n} parameters ${hash}`, `${where}: thread count and parameters`);
  }
  console.log(`threads: 1, 2 and 16 threads in Node, Deno and Chromium all give parameters ${hash}`);
});

test("a page that is not cross-origin isolated runs on one thread and says why", async () => {
  const line = await probeInChromium(2, false);
  assert(line.startsWith("threads 1 parameters "), `the page ran "${line}"`);
  assert(/not cross-origin isolated.*Cross-Origin-Opener-Policy/.test(line), `the reason names the headers: "${line}"`);
});

test("a Node process that trains on threads and never stops them exits as soon as its work is done", () => {
  const started = performance.now();
  const line = run(process.execPath, ["--import", "tsx", cli, "2"]);
  const seconds = (performance.now() - started) / 1000;
  assert(line.startsWith("threads 2 "), `it ran on two threads ("${line}")`);
  // the run itself takes about a second; a worker holding the process would hit the 120 s timeout
  assert(seconds < 30, `the process exited after ${seconds.toFixed(1)} s`);
});
