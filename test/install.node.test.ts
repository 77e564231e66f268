// The install paths a user takes, tested on the packed package: `npm pack`,
// `npm install <tarball>` into a fresh project, then the same Iris program
// trained and saved from Node ESM, Node CommonJS (require of an ES module:
// Node >= 20.19, as package.json's engines says), Deno (npm:paralens through
// the node_modules folder), Bun, an esbuild bundle, a plain page with an
// import map and a module Web Worker (the last three in headless Chromium),
// a Cloudflare Worker (bundled by wrangler, run in workerd by Miniflare) and
// a Vercel Edge Function (the edge runtime, wasm code generation off). All
// nine must save the same bytes, and each must have run.
// Also: the quick start bundled for the web stays small (tree-shaken, the
// relaxed core in its own chunk).
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { COMPATIBILITY_DATE, pack, project, root, writePrograms } from "./install/project.ts";
import { bundleEdge, bundleWorker, edgeRuntime, inWorkerd, within } from "./install/edge.ts";
import { inChromium } from "./chromium.ts";

const work = mkdtempSync(join(tmpdir(), "paralens-pack-"));
const tarball = pack(work);
const dir = project(tarball);
writePrograms(dir);
process.on("exit", () => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command in the project; its output, or an error naming the runtime with what it printed. */
function run(name: string, cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${name} failed: ${stderr ?? ""}${stdout ?? ""}`);
  }
}

test("install paths: Node ESM and CommonJS, Deno, Bun, an esbuild bundle, a page, a module Web Worker, Cloudflare Workers and Vercel's Edge Runtime train Iris to the same saved bytes", async () => {
  const lines: Record<string, string> = {};
  lines.esm = run("Node ESM", process.execPath, ["esm.mjs"]);
  lines.cjs = run("Node CommonJS", process.execPath, ["cjs.cjs"]);
  lines.deno = run("Deno", join(root, "node_modules", ".bin", "deno"), ["run", "--quiet", "--cached-only", "--allow-read", "--allow-env", "deno.mjs"]);
  lines.bun = run("Bun", join(root, "node_modules", ".bin", "bun"), ["esm.mjs"]);
  await build({ entryPoints: [join(dir, "bundle-entry.mjs")], bundle: true, format: "esm", platform: "browser", outfile: join(dir, "bundle.js"), logLevel: "error" });
  lines.esbuild = (await inChromium({ dir, page: "bundle.html" })).line;
  const page = await inChromium({ dir, page: "page.html" });
  lines.page = page.line;
  const scripts = page.requested.filter((p) => p.endsWith(".js"));
  // the one-file web build: the page loads one script (the relaxed core is never asked for)
  assertEqual(scripts.length, 1, `scripts the plain page loaded (${scripts.join(", ")})`);
  lines.webWorker = (await inChromium({ dir, page: "worker.html" })).line;
  lines.workerd = await inWorkerd(bundleWorker(dir), COMPATIBILITY_DATE);
  lines.edge = String(await within(edgeRuntime(await bundleEdge(dir, "edge-entry.mjs")).evaluate("__train()"), "the edge runtime's program"));
  const first = lines.esm;
  assert(/^trained: [0-9a-f]{8} accuracy 0\.9\d+ bytes \d+$/.test(first), `ESM printed "${first}" (expected a hash and an accuracy >= 0.9)`);
  for (const [path, line] of Object.entries(lines)) assertEqual(line, first, `${path}'s result`);
  assertEqual(Object.keys(lines).length, 9, "runtimes that ran");
  console.log(`install paths: ${Object.keys(lines).join(", ")} all print "${first}"`);
});

// The target: under 40 KB gzipped. Most of it is the strict core (gzipped wasm
// in base64); what only some programs use is kept out of it: the relaxed and
// threaded cores and the thread code are chunks loaded on request, the Z2
// kernels come with paralens/z2, and the benchmarks' peak loop is not shipped.
test("the README quick start bundled for the web (minified, tree-shaken) is < 40 KB gzipped, with the relaxed core left out", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const code = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert(code !== undefined, "README.md has a quick start");
  writeFileSync(join(dir, "quickstart.mjs"), code);
  const result = await build({
    entryPoints: ["quickstart.mjs"], absWorkingDir: dir, bundle: true, format: "esm", platform: "browser", splitting: true,
    minify: true, outdir: "quickstart-bundle", metafile: true, logLevel: "error",
  });
  const [file, output] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined)!;
  const bytes = readFileSync(join(dir, file));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const inputs = Object.keys(output.inputs);
  assert(!inputs.some((f) => f.includes("core-relaxed")), "the relaxed core is not in the quick start's chunk");
  assert(!inputs.some((f) => /\/(z2|cdl)\//.test(f)), `nothing of paralens/z2 or paralens/cdl is bundled (${inputs.filter((f) => /\/(z2|cdl)\//.test(f)).join(", ")})`);
  console.log(`quick start bundle: ${bytes.length} bytes, ${gzipped} gzipped (esbuild --bundle --minify --splitting)`);
  assert(gzipped < 40_000, `the quick start bundle is ${gzipped} bytes gzipped, over 40 KB`);
});
