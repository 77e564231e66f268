// Builds what is stale before a script that needs it runs (npm test, demo,
// example, bench, results): the wasm cores when a file under assembly/ is
// newer than their generated module (or asconfig.json or the build script
// is), and dist/ with its bundles when ts-api/ is newer than it. A fresh clone builds here, on first use, rather than in
// an install script that every install of the package would carry.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((t, name) => Math.max(t, newest(join(path, name))), s.mtimeMs);
}
const age = (file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : -Infinity);
const node = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

/** Rebuilds the cores and dist/ where they are older than their sources. */
export function ensureBuilt() {
  const generated = ["ts-api/engine/core.generated.ts", "ts-api/engine/kernels.generated.ts", "ts-api/z2/core.generated.ts", "dist/core.wasm", "dist/z2.wasm"];
  if (Math.max(newest(join(root, "assembly")), age("asconfig.json"), age("scripts/build-core.mjs")) > Math.min(...generated.map(age))) {
    console.log("the core is older than assembly/: building it (node scripts/build-core.mjs)");
    node(join(root, "scripts", "build-core.mjs"));
  }
  const built = ["dist/index.js", "dist/bundle/index.js", "dist/edge/index.js", "dist/web/paralens.js"];
  if (Math.max(newest(join(root, "ts-api")), age("scripts/build-bundles.mjs")) > Math.min(...built.map(age))) {
    console.log("dist/ is older than ts-api/: building it (tsc -p tsconfig.json, node scripts/build-bundles.mjs)");
    node(join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json");
    node(join(root, "scripts", "build-bundles.mjs"));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
