// The README's quick start, run exactly as written against the built package,
// both as TypeScript (type-checked, then run) and as JavaScript: the same
// text must be both. It is copied into a temporary folder whose
// node_modules/paralens links to this repository, so `import ... from
// "paralens"` resolves as it does for a user: through package.json to dist/.
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The first ts code block after a heading of README.md. */
function codeAfter(heading: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const at = readme.indexOf(heading);
  assert(at >= 0, `README.md has the heading "${heading}"`);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert(code !== undefined, `the section "${heading}" has a ts code block`);
  return code;
}

/** A temporary folder where "paralens" resolves to this repository; removed after `use`. */
function withPackage<T>(use: (dir: string) => T): T {
  assert(existsSync(join(root, "dist", "index.js")), "dist/ is built (npm ci runs the build; or npm run build)");
  const dir = mkdtempSync(join(tmpdir(), "paralens-readme-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "paralens"), "dir");
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The logits printed by `console.log(float32Array)`: "Float32Array(2) [ -1.5, 2.25 ]". */
function printedFloats(output: string): number[] {
  const match = /Float32Array\((\d+)\) \[([^\]]*)\]/.exec(output);
  assert(match !== null, `no Float32Array printed in:\n${output}`);
  const values = match[2]!.split(",").map((s) => Number(s.trim()));
  assertEqual(values.length, Number(match[1]), "printed length");
  return values;
}

test("the README quick start is at most 20 lines, type-checks and runs as .mts and as .mjs, and trains XOR", () => {
  const code = codeAfter("## Quick start");
  const lines = code.trimEnd().split("\n").length;
  assert(lines <= 20, `the quick start has ${lines} lines`);
  withPackage((dir) => {
    writeFileSync(join(dir, "quickstart.mts"), code);
    writeFileSync(join(dir, "quickstart.mjs"), code);
    // as a user's TypeScript: strict, resolving "paralens" to dist/index.d.ts through package.json
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const flags = ["--noEmit", "--strict", "--noUncheckedIndexedAccess", "--module", "nodenext", "--target", "es2022", "--types", "node", "--typeRoots", join(root, "node_modules", "@types")];
    execFileSync(process.execPath, [tsc, ...flags, join(dir, "quickstart.mts")], { cwd: dir, encoding: "utf8" });
    const asTs = execFileSync(process.execPath, ["--import", "tsx", join(dir, "quickstart.mts")], { cwd: root, encoding: "utf8" });
    const asJs = execFileSync(process.execPath, [join(dir, "quickstart.mjs")], { cwd: dir, encoding: "utf8" });
    assert(/accuracy: 1\b/.test(asJs), `the quick start printed:\n${asJs}`);
    // predict's rows are one flat array: row 1 is the input [0, 1], of class 1
    const row = printedFloats(asJs);
    assertEqual(row.length, 2, "one row of two logits");
    assert(row[1]! > row[0]!, `the logits of [0, 1] favour class 1: ${row}`);
    // seeded and strict SIMD: TypeScript and JavaScript print the same bits
    assertEqual(asTs, asJs, "the .mts and .mjs runs print the same");
  });
});
