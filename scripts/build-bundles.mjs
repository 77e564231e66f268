// Bundles the compiled modules of dist/ (tsc's output) with esbuild:
//
//   dist/bundle/  what `paralens`, `paralens/cdl`, `paralens/z2` and `paralens/io` load in
//                 Node, Deno and Bun: the four entry points sharing one chunk (one
//                 engine, one copy of the core), so a runtime reads a handful of
//                 files instead of ~70 modules
//   dist/edge/    the same four for platforms that ban compiling wasm from bytes
//                 (Cloudflare Workers, Vercel's Edge Runtime: the `workerd` and
//                 `edge-light` export conditions): the strict core and the Z2
//                 kernels are imported as .wasm modules (../core.wasm?module,
//                 which wrangler and Vercel's bundlers compile before any code
//                 runs), and there are no threads, no relaxed core and no
//                 embedded bytes: one core per bundle
//   dist/web/     paralens.js: the root API and paralens/io (ts-api/web.ts) in one minified
//                 file for plain pages, workers and CDNs, with the relaxed core as a
//                 chunk fetched only on request; the learner file format is in the
//                 file itself (a module Service Worker cannot import() a chunk)
//
// The bundles keep the relaxed core out of the entry's chunk: `init({ simd:
// "relaxed" })` imports it dynamically. Node's bundle differs in two ways,
// both for cold starts (it is read from disk, so bytes matter less than
// steps): each core's wasm is in plain base64 rather than gzipped (no
// node:zlib to load, no gunzip: ~3 ms), and the threaded core and the thread
// code, which init() uses by default there, are imported statically (a first
// dynamic import costs a cold Node ~3 ms, far more than parsing them). It is
// also minified, but for whitespace and syntax only (names kept for stack
// traces): Node parses it ~2 ms faster. Declarations stay tsc's (dist/**/*.d.ts).
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8"));
/** The generated core modules of dist/engine/, by file name: the core's name and build target. */
const coreModule = /[\\/]engine[\\/](core(?:-relaxed)?(?:-threads)?)\.generated\.js$/;
const targetOf = (name) => (name === "core" ? "strict" : name.slice("core-".length));
/** A threaded core's memoryPages export, as build-core.mjs wrote it. */
const pagesOf = (name) => {
  if (config.targets[targetOf(name)].initialMemory === undefined) return "";
  const line = /^export const memoryPages = .*$/m.exec(readFileSync(join(root, "ts-api", "engine", `${name}.generated.ts`), "utf8"));
  if (line === null) throw new Error(`${name}.generated.ts has no memoryPages`);
  return `${line[0]}\n`;
};

/** Swaps each generated core module's gzipped base64 for the plain base64 of its wasm (dist/core*.wasm). */
const plainCores = {
  name: "plain-cores",
  setup(b) {
    b.onLoad({ filter: coreModule }, ({ path }) => {
      const name = coreModule.exec(path)[1];
      const base64 = readFileSync(join(dist, `${name}.wasm`)).toString("base64");
      return { contents: `export const wasm = { gzipped: false, base64: "${base64}" };\n${pagesOf(name)}`, loader: "js" };
    });
  },
};

/**
 * For platforms that compile no wasm at run time: the strict core and the Z2
 * kernels become imports of their .wasm files as modules; the other cores
 * and the thread code say they are not part of this build.
 */
const moduleCores = {
  name: "module-cores",
  setup(b) {
    const absent = (what) => JSON.stringify(`${what} is not part of paralens's build for Workers and Edge runtimes (they have no threads)`);
    b.onResolve({ filter: /\.wasm\?module$/ }, ({ path }) => ({ path, external: true }));
    b.onLoad({ filter: coreModule }, ({ path }) => {
      const name = coreModule.exec(path)[1];
      if (name === "core") return { contents: `import module from "../core.wasm?module";\nexport const wasm = { module };\n`, loader: "js" };
      // init({ simd: "relaxed" }) runs the strict core here, as on any engine without relaxed SIMD (engine().simd says so)
      const why = name === "core-relaxed" ? JSON.stringify("the relaxed core is not part of this build: pass it as init({ wasm, simd: \"relaxed\" }) (paralens/core-relaxed.wasm)") : absent("the threaded core");
      return { contents: `export const wasm = { unavailable: ${why} };\n${pagesOf(name)}`, loader: "js" };
    });
    b.onLoad({ filter: /[\\/]engine[\\/]threads[\\/]start\.js$/ }, () => ({
      contents: `export function startPool() { throw new Error(${absent("the thread pool")}); }\n`, loader: "js",
    }));
    b.onLoad({ filter: /[\\/]z2[\\/]core\.generated\.js$/ }, () => ({
      contents: `import module from "../z2.wasm?module";\nexport const plain = { module };\nexport const shared = { unavailable: ${absent("the Z2 kernels' shared-memory build")} };\n`,
      loader: "js",
    }));
  },
};
/**
 * In the modules that load them, turns the dynamic imports of the threaded
 * core and the thread code into static ones (named imports: a namespace
 * object would bring esbuild's helper in a chunk of its own, one more file).
 */
const staticThreads = {
  name: "static-threads",
  setup(b) {
    const modules = { "./core-threads.generated.js": ["wasm", "memoryPages"], "./threads/start.js": ["startPool"] };
    b.onLoad({ filter: /[\\/]engine[\\/](cores|init)\.js$/ }, ({ path }) => {
      let contents = readFileSync(path, "utf8");
      let header = "";
      Object.entries(modules).forEach(([specifier, names], i) => {
        const call = `import(${JSON.stringify(specifier)})`;
        if (!contents.includes(call)) return;
        const local = (name) => `loadedStatically${i}_${name}`;
        header += `import { ${names.map((n) => `${n} as ${local(n)}`).join(", ")} } from ${JSON.stringify(specifier)};\n`;
        contents = contents.replaceAll(call, `Promise.resolve({ ${names.map((n) => `${n}: ${local(n)}`).join(", ")} })`);
      });
      if (header === "") throw new Error(`static-threads: ${path} no longer imports the threaded core or the thread code`);
      return { contents: header + contents, loader: "js" };
    });
  },
};
/**
 * Makes the learner core's import() of its file format (learner/core.js) a static import (named
 * imports: a namespace object would bring esbuild's helper in a chunk of its own).
 */
const staticLearnerFile = {
  name: "static-learner-file",
  setup(b) {
    // every export of the file format, as the import() would give them
    const names = [...readFileSync(join(dist, "io", "learner-file.js"), "utf8").matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]);
    b.onLoad({ filter: /[\\/]learner[\\/]core\.js$/ }, ({ path }) => {
      const contents = readFileSync(path, "utf8");
      const call = 'import("../io/learner-file.js")';
      if (!contents.includes(call)) throw new Error(`static-learner-file: ${path} no longer imports the learner file format`);
      const local = (n) => `loadedStatically_${n}`;
      const header = `import { ${names.map((n) => `${n} as ${local(n)}`).join(", ")} } from "../io/learner-file.js";\n`;
      return { contents: header + contents.replace(call, `Promise.resolve({ ${names.map((n) => `${n}: ${local(n)}`).join(", ")} })`), loader: "js" };
    });
  },
};
const common = { bundle: true, format: "esm", splitting: true, platform: "neutral", target: "es2022", logLevel: "warning", legalComments: "none" };

rmSync(join(dist, "bundle"), { recursive: true, force: true });
rmSync(join(dist, "web"), { recursive: true, force: true });
rmSync(join(dist, "edge"), { recursive: true, force: true });
const entryPoints = { index: join(dist, "index.js"), cdl: join(dist, "cdl", "index.js"), z2: join(dist, "z2", "index.js"), io: join(dist, "io", "index.js") };
// whitespace and syntax only: names stay as written, for readable stack traces
const readable = { minifyWhitespace: true, minifySyntax: true };
await build({ ...common, ...readable, entryPoints, outdir: join(dist, "bundle"), chunkNames: "[name]-[hash]", plugins: [plainCores, staticThreads] });
// minified in full: a Worker counts every byte of its bundle (wrangler drops what a program does not use, but keeps what it does as written)
await build({ ...common, minify: true, entryPoints, outdir: join(dist, "edge"), chunkNames: "[name]-[hash]", plugins: [moduleCores] });
await build({
  ...common,
  entryPoints: { paralens: join(dist, "web.js") },
  outdir: join(dist, "web"),
  chunkNames: "paralens-[name]-[hash]",
  minify: true,
  plugins: [staticLearnerFile],
});
console.log("bundles: dist/bundle/{index,cdl,z2,io}.js, dist/edge/{index,cdl,z2,io}.js, dist/web/paralens.js");
