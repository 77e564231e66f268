// Bundles the compiled modules of dist/ (tsc's output) with esbuild:
//
//   dist/bundle/  what `paralens`, `paralens/cdl` and `paralens/z2` load: the three
//                 entry points sharing one chunk (one engine, one copy of the core),
//                 so Node reads a handful of files instead of ~70 modules
//   dist/web/     paralens.js: the root API in one minified file for plain pages and
//                 CDNs, with the relaxed core as a chunk fetched only on request
//
// Both keep the relaxed core out of the entry's chunk: `init({ simd: "relaxed" })`
// imports it dynamically. Node's bundle differs in two ways, both for cold
// starts (it is read from disk, so bytes matter less than steps): each core's
// wasm is in plain base64 rather than gzipped (no node:zlib to load, no
// gunzip: ~3 ms), and the threaded core and the thread code, which init()
// uses by default there, are imported statically (a first dynamic import
// costs a cold Node ~3 ms, far more than parsing them). It is also minified,
// but for whitespace and syntax only (names kept for stack traces): Node
// parses it ~2 ms faster. Declarations stay tsc's (dist/**/*.d.ts).
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
/** Swaps each generated core module's gzipped base64 (dist/engine/core*.generated.js) for the plain base64 of its wasm (dist/core*.wasm). */
const plainCores = {
  name: "plain-cores",
  setup(b) {
    b.onLoad({ filter: /[\\/]engine[\\/]core[a-z-]*\.generated\.js$/ }, ({ path }) => {
      const name = /(core[a-z-]*)\.generated\.js$/.exec(path)[1];
      const base64 = readFileSync(join(dist, `${name}.wasm`)).toString("base64");
      const source = readFileSync(path, "utf8");
      const contents = source.replace(/wasmBase64 =\s*"[^"]*"/, `wasmBase64 = "${base64}"`).replace("gzipped = true", "gzipped = false");
      if (contents === source || !contents.includes("gzipped = false")) throw new Error(`plain-cores: ${path} is not a generated core module`);
      return { contents, loader: "js" };
    });
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
    const modules = { "./core-threads.generated.js": ["wasmBase64", "gzipped", "memoryPages"], "./threads/start.js": ["startPool"] };
    b.onLoad({ filter: /[\\/]engine[\\/](embedded|engine)\.js$/ }, ({ path }) => {
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
const common = { bundle: true, format: "esm", splitting: true, platform: "neutral", target: "es2022", logLevel: "warning", legalComments: "none" };

rmSync(join(dist, "bundle"), { recursive: true, force: true });
rmSync(join(dist, "web"), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: join(dist, "index.js"), cdl: join(dist, "cdl", "index.js"), z2: join(dist, "z2", "index.js") },
  outdir: join(dist, "bundle"),
  chunkNames: "[name]-[hash]",
  plugins: [plainCores, staticThreads],
  // whitespace and syntax only: names stay as written, for readable stack traces
  minifyWhitespace: true,
  minifySyntax: true,
});
await build({
  ...common,
  entryPoints: { paralens: join(dist, "index.js") },
  outdir: join(dist, "web"),
  chunkNames: "paralens-[name]-[hash]",
  minify: true,
});
console.log("bundles: dist/bundle/{index,cdl,z2}.js, dist/web/paralens.js");
