// The Z2 quick tour of docs/guide/z2-circuits.md, run exactly as written against the built
// package (it imports "paralens", which resolves to dist/ through
// package.json).
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the Z2 guide's quick tour runs as written and learns 8-bit parity exactly", () => {
  const file = "docs/guide/z2-circuits.md";
  const readme = readFileSync(join(root, file), "utf8");
  const at = readme.indexOf("## Quick tour");
  assert(at >= 0, `${file} has the Z2 section`);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert(code !== undefined, "the Z2 section has a ts code block");
  assert(existsSync(join(root, "dist", "index.js")), "dist/ is built (npm ci runs the build; or npm run build)");
  mkdirSync(join(root, "build"), { recursive: true });
  const script = join(root, "build", "z2-tour.ts");
  writeFileSync(script, code);
  const output = execFileSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8" });
  assert(/parity accuracy: 1\b/.test(output), `the tour printed:\n${output}`);
  assert(/f on 1000 examples: [01]{8}/.test(output), `the tour printed:\n${output}`);
});
