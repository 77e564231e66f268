// The README's quick start, run exactly as written against the built package
// (it imports "paralens", which resolves to dist/ through package.json).
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the README quick start is at most 20 lines and trains XOR to accuracy 1 as written", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert(code !== undefined, "the quick start has a ts code block");
  const lines = code.trimEnd().split("\n").length;
  assert(lines <= 20, `the quick start has ${lines} lines`);
  assert(existsSync(join(root, "dist", "index.js")), "dist/ is built (npm ci runs the build; or npm run build)");
  mkdirSync(join(root, "build"), { recursive: true });
  const file = join(root, "build", "quickstart.ts");
  writeFileSync(file, code);
  const output = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
  assert(/accuracy: 1\b/.test(output), `the quick start printed:\n${output}`);
});
