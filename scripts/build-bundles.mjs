// Bundles the compiled modules of dist/ (tsc's output) with esbuild:
//
//   dist/bundle/  what `paralens`, `paralens/cdl` and `paralens/z2` load: the three
//                 entry points sharing one chunk (one engine, one copy of the core),
//                 so Node reads a handful of files instead of ~70 modules
//   dist/web/     paralens.js: the root API in one minified file for plain pages and
//                 CDNs, with the relaxed core as a chunk fetched only on request
//
// Both keep the relaxed core out of the entry's chunk: `init({ simd: "relaxed" })`
// imports it dynamically. Declarations stay tsc's (dist/**/*.d.ts).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const common = { bundle: true, format: "esm", splitting: true, platform: "neutral", target: "es2022", logLevel: "warning", legalComments: "none" };

rmSync(join(dist, "bundle"), { recursive: true, force: true });
rmSync(join(dist, "web"), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: join(dist, "index.js"), cdl: join(dist, "cdl", "index.js"), z2: join(dist, "z2", "index.js") },
  outdir: join(dist, "bundle"),
  chunkNames: "[name]-[hash]",
});
await build({
  ...common,
  entryPoints: { paralens: join(dist, "index.js") },
  outdir: join(dist, "web"),
  chunkNames: "paralens-[name]-[hash]",
  minify: true,
});
console.log("bundles: dist/bundle/{index,cdl,z2}.js, dist/web/paralens.js");
