// The install paths a user takes, tested on the packed package: `npm pack`,
// `npm install <tarball>` into a fresh project, then the same Iris program
// trained and saved from Node ESM, Node CommonJS (require of an ES module:
// Node >= 20.19, as package.json's engines says), Deno (npm:paralens through
// the node_modules folder), Bun, an esbuild bundle, a plain page with an
// import map, a module Web Worker and a module Service Worker (the last four
// in headless Chromium), a Cloudflare Worker (bundled by wrangler, run in
// workerd by Miniflare) and a Vercel Edge Function (the edge runtime, wasm
// code generation off). All ten must save the same bytes, and each must have
// run.
// Also: the quick start bundled for the web stays small (tree-shaken, the
// relaxed core in its own chunk).
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { COMPATIBILITY_DATE, pack, project, root, writePrograms } from "./install/project.ts";
import { bundleEdge, bundleWorker, edgeRuntime, inWorkerd, within } from "./install/edge.ts";
import { EdgeRuntime } from "edge-runtime";
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

test("install paths: Node ESM and CommonJS, Deno, Bun, an esbuild bundle, a page, a module Web Worker, a module Service Worker, Cloudflare Workers and Vercel's Edge Runtime train Iris to the same saved bytes", async () => {
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
  lines.serviceWorker = (await inChromium({ dir, page: "service-worker.html" })).line;
  lines.workerd = await inWorkerd(bundleWorker(dir), COMPATIBILITY_DATE);
  lines.edge = String(await within(edgeRuntime(await bundleEdge(dir, "edge-entry.mjs")).evaluate("__train()"), "the edge runtime's program"));
  const first = lines.esm;
  assert(/^trained: [0-9a-f]{8} accuracy 0\.9\d+ bytes \d+$/.test(first), `ESM printed "${first}" (expected a hash and an accuracy >= 0.9)`);
  for (const [path, line] of Object.entries(lines)) assertEqual(line, first, `${path}'s result`);
  assertEqual(Object.keys(lines).length, 10, "runtimes that ran");
  console.log(`install paths: ${Object.keys(lines).join(", ")} all print "${first}"`);
});

// The target: under 40 KB gzipped with at least 2 KB to spare, so under
// 38 KB (the margin to 40 KB is printed). Most of it is
// the strict core (gzipped wasm in base64); what only some programs use is
// kept out of it: the relaxed and threaded cores and the thread code are
// chunks loaded on request, the Z2 kernels come with paralens/z2, the ops of
// convolution, pooling and attention with their layers, the float64
// references and ONNX lowerings of the other ops with the reference backend
// and toOnnx (ops/tables.ts), the learner file format with a learner's first
// save() or load() (a chunk of its own), and the benchmarks' peak loop is not shipped.
test("the README quick start bundled for the web (minified, tree-shaken) is <= 38 KB gzipped, with the relaxed core, the file format and unused ops left out", async () => {
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
  // the ops of layers it does not use come with those layers
  const unused = inputs.filter((f) => /\/ops\/(conv\/|attention)/.test(f));
  assertEqual(unused.length, 0, `modules of convolution, pooling and attention ops in the quick start (${unused.join(", ")})`);
  assert(!inputs.some((f) => /\/io\/(safetensors\/|learner-file)/.test(f)), `the file format is not in the quick start's chunk (${inputs.filter((f) => /\/io\//.test(f)).join(", ")})`);
  const references = inputs.filter((f) => /\/(ops\/tables|backend\/reference|io\/onnx\/\w+)\.js$/.test(f));
  assertEqual(references.length, 0, `modules of the reference backend and the ONNX exporter in the quick start (${references.join(", ")})`);
  console.log(`quick start bundle: ${bytes.length} bytes, ${gzipped} gzipped (esbuild --bundle --minify --splitting), ${40_000 - gzipped} under 40 KB`);
  assert(gzipped <= 38_000, `the quick start bundle is ${gzipped} bytes gzipped, less than 2 KB under 40 KB`);
});

/** The README's quick start as a Worker's code: its imports first, the rest run on each request, what it logs answered as text. */
function quickStartWorker(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const code = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const imports = code.split("\n").filter((l) => l.startsWith("import "));
  const body = code.split("\n").filter((l) => !l.startsWith("import ")).join("\n    ");
  return `${imports.join("\n")}\nexport default {\n  async fetch() {\n    const logged = [];\n    const console = { log: (...a) => logged.push(a.map((x) => JSON.stringify(x)).join(" ")) };\n    ${body}\n    return new Response(logged.join("\\n"));\n  },\n};\n`;
}

// Workers and Edge Functions get one core, imported as a module: the strict
// one (the relaxed core, the threaded ones and the thread code are not in
// that build), with the library, all in, <= 60 KB gzipped.
test("the README quick start as a Cloudflare Worker and as a Vercel Edge Function carries one core, <= 60 KB gzipped all in, and runs", async () => {
  const worker = join(dir, "quickstart-worker");
  mkdirSync(worker, { recursive: true });
  writeFileSync(join(worker, "index.mjs"), quickStartWorker());
  writeFileSync(join(worker, "wrangler.toml"), `name = "quickstart"\nmain = "index.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  const bundle = bundleWorker(worker);
  const wasm = bundle.files.filter((f) => f.endsWith(".wasm"));
  assertEqual(wasm.length, 1, `wasm modules in the Worker (${wasm.join(", ")})`);
  assert(readFileSync(join(bundle.outdir, wasm[0]!)).equals(readFileSync(join(root, "dist", "core.wasm"))), "the one module is the strict core");
  const answer = await inWorkerd(bundle, COMPATIBILITY_DATE);
  assert(/"accuracy":1/.test(answer), `the Worker's quick start reaches accuracy 1: ${answer}`);
  console.log(`quick start as a Worker: ${(bundle.uploadBytes / 1024).toFixed(1)} KiB, ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzipped (wrangler's count, the core included)`);
  assert(bundle.gzipBytes <= 60_000, `the Worker is ${bundle.gzipBytes} bytes gzipped, over 60 KB`);

  writeFileSync(join(worker, "edge.mjs"), quickStartWorker().replace("export default {", "globalThis.__handler = {"));
  const edge = await bundleEdge(worker, "edge.mjs");
  const modules = Object.values(edge.modules);
  assertEqual(modules.length, 1, `wasm modules in the Edge Function (${modules.join(", ")})`);
  const edgeBytes = gzipSync(edge.code, { level: 9 }).length + gzipSync(readFileSync(modules[0]!), { level: 9 }).length;
  const response = (await within(edgeRuntime(edge).evaluate("__handler.fetch()"), "the Edge Function's quick start")) as Response;
  const text = await response.text();
  assert(/"accuracy":1/.test(text), `the Edge Function's quick start reaches accuracy 1: ${text}`);
  console.log(`quick start as an Edge Function: ${edgeBytes} bytes gzipped (script and core, each gzipped)`);
  assert(edgeBytes <= 60_000, `the Edge Function is ${edgeBytes} bytes gzipped, over 60 KB`);
});

// Where a build cannot load its core, the error names the platform, the
// cause and the fix: a banned code generation (the web build in workerd and
// in the edge runtime), a bundler that gave no compiled module, an engine
// without SIMD (simulated: the sandbox's validate and compile refuse SIMD as
// Safari 15's do).
// paralens/z2's kernels are a module of their own: in a Worker, a second
// .wasm module of the bundle (nothing compiled from bytes there either).
test("paralens/z2 in a Cloudflare Worker: its kernels come as a module, and a circuit learns as in Node", async () => {
  const program = `
    await init();
    const x = Array.from({ length: 256 }, (_, a) => Array.from({ length: 8 }, (_, i) => (a >> i) & 1));
    const y = x.map((r) => [r.reduce((s, b) => s ^ b, 0)]);
    const learner = rda(lut(8, 1));
    await learner.fit(x, y, { seed: 0 });
    const plan = compileZ2(polynomial("x0*x1 + x2 + 1"), { batch: 1000 });
    plan.inputs[0].write(Array.from({ length: 3000 }, (_, i) => (i % 7) % 2));
    plan.forward();
    return "parity " + learner.evaluate(x, y).accuracy + " f " + plan.outputs[0].read().join("");`;
  const imports = `import { init } from "paralens";\nimport { polynomial, lut, rda, compileZ2 } from "paralens/z2";\n`;
  writeFileSync(join(dir, "z2.mjs"), `${imports}console.log(await (async () => {${program}})());\n`);
  const inNode = run("Node", process.execPath, ["z2.mjs"]);
  const worker = join(dir, "z2-worker");
  mkdirSync(worker, { recursive: true });
  writeFileSync(join(worker, "index.mjs"), `${imports}export default { async fetch() { return new Response(await (async () => {${program}})()); } };\n`);
  writeFileSync(join(worker, "wrangler.toml"), `name = "z2"\nmain = "index.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  const bundle = bundleWorker(worker);
  const wasm = bundle.files.filter((f) => f.endsWith(".wasm")).map((f) => readFileSync(join(bundle.outdir, f)));
  assertEqual(wasm.length, 2, "wasm modules in the Worker (the core and the Z2 kernels)");
  assert(wasm.some((b) => b.equals(readFileSync(join(root, "dist", "z2.wasm")))), "one of them is paralens/z2.wasm");
  const inWorker = await inWorkerd(bundle, COMPATIBILITY_DATE);
  assert(/^parity 1 f [01]{1000}$/.test(inNode), `Node printed ${inNode.slice(0, 80)}`);
  assertEqual(inWorker, inNode, "the Worker's answer");
});

test("a build that cannot load its core on the platform says why: code generation banned, no module given, no SIMD", async () => {
  const program = `export default { async fetch() { return P.init().then(() => new Response("ok"), (e) => new Response(e.name + ": " + e.message)); } };`;
  const web = join(dir, "web-in-workerd");
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, "index.mjs"), `import * as P from "paralens/web";\n${program}\n`);
  writeFileSync(join(web, "wrangler.toml"), `name = "web-in-workerd"\nmain = "index.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  const workerd = await inWorkerd(bundleWorker(web), COMPATIBILITY_DATE);
  assert(/^ParalensError: init: the paralens core: Cloudflare Workers forbids compiling WebAssembly from bytes at run time .*"workerd" export condition.*paralens\/core\.wasm/.test(workerd), `workerd said: ${workerd}`);

  const entry = (conditions: string[]): Promise<string> =>
    build({
      stdin: { contents: `import * as P from "paralens";\nglobalThis.__init = (o) => P.init(o).then(() => "ok " + P.engine().simd, (e) => e.name + ": " + e.message);`, resolveDir: dir },
      bundle: true, write: false, format: "iife", platform: "neutral", mainFields: ["module", "main"], conditions, logLevel: "error",
    }).then((r) => r.outputFiles[0]!.text);
  const webBuild = await entry(["browser"]);
  const banned = String(await edgeRuntime({ code: webBuild, modules: {} }).evaluate("__init()"));
  assert(/^ParalensError: init: Vercel's Edge Runtime has no DecompressionStream .*"edge-light" export condition/.test(banned), `the edge runtime said: ${banned}`);

  const edgeBuild = await bundleEdge(dir, "edge-entry.mjs");
  const none = edgeRuntime(edgeBuild, { compile: false });
  await none.evaluate(`globalThis.__result = undefined; globalThis.__train().then((r) => { __result = r; }, (e) => { __result = e.name + ": " + e.message; })`);
  await within(none.evaluate("new Promise((r) => { const t = setInterval(() => { if (__result !== undefined) { clearInterval(t); r(); } }, 5); })"), "the edge runtime's answer");
  const missing = String(await none.evaluate("__result"));
  assert(/^ParalensError: init: the paralens core: the platform's bundler gave nothing for a \.wasm imported as a module/.test(missing), `without the module: ${missing}`);

  const noSimd = new EdgeRuntime({ initialCode: await entry(["node"]).catch(() => webBuild), codeGeneration: { strings: false, wasm: true } });
  await noSimd.evaluate(`
    const validate = WebAssembly.validate, compile = WebAssembly.compile;
    const simd = (b) => { const a = new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength); for (let i = 0; i + 1 < a.length; i++) if (a[i] === 0xfd && a[i + 1] === 0x0c) return true; return false; };
    WebAssembly.validate = (b) => !simd(b) && validate(b);
    WebAssembly.compile = (b) => Promise.reject(new WebAssembly.CompileError("Compiling function #0 failed: invalid opcode 0xfd"));
    globalThis.DecompressionStream ??= class { constructor() { throw new Error("not needed"); } };`);
  const simdless = String(await noSimd.evaluate("__init()"));
  assert(/^ParalensError: init: the paralens core: .* has no WebAssembly SIMD, which paralens needs \(Node >= 16\.4/.test(simdless), `without SIMD: ${simdless}`);
});
