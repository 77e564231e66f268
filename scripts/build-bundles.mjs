// Bundles the compiled modules of dist/ (tsc's output) with esbuild:
//
//   dist/bundle/  what `paralens`, `paralens/cdl` and `paralens/z2` load: the three
//                 entry points sharing one chunk (one engine, one copy of the core),
//                 so Node reads a handful of files instead of ~70 modules
//   dist/web/     paralens.js: the root API in one minified file for plain pages and
//                 CDNs, with the relaxed core as a chunk fetched only on request
//
// Both keep the relaxed core out of the entry's chunk: `init({ simd: "relaxed" })`
// imports it dynamically. Node's bundle embeds each core's wasm in plain
// base64 rather than gzipped: it is read from disk, and not having to load
// node:zlib and gunzip saves ~3 ms of every cold start. Declarations stay
// tsc's (dist/**/*.d.ts).
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
const common = { bundle: true, format: "esm", splitting: true, platform: "neutral", target: "es2022", logLevel: "warning", legalComments: "none" };

rmSync(join(dist, "bundle"), { recursive: true, force: true });
rmSync(join(dist, "web"), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: join(dist, "index.js"), cdl: join(dist, "cdl", "index.js"), z2: join(dist, "z2", "index.js") },
  outdir: join(dist, "bundle"),
  chunkNames: "[name]-[hash]",
  plugins: [plainCores],
});
await build({
  ...common,
  entryPoints: { paralens: join(dist, "index.js") },
  outdir: join(dist, "web"),
  chunkNames: "paralens-[name]-[hash]",
  minify: true,
});
console.log("bundles: dist/bundle/{index,cdl,z2}.js, dist/web/paralens.js");
