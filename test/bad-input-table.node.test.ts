// The "Bad input" table of docs/guide/reliability.md and test/bad-input.test.ts agree: one row per
// test, named alike.
import { test } from "./harness.ts";
import { assertDeepEqual } from "./assert.ts";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("every row of the Bad input table of the reliability guide is a test, and every bad-input test a row", () => {
  const readme = readFileSync(join(root, "docs", "guide", "reliability.md"), "utf8");
  const table = readme.slice(readme.indexOf("<!-- bad-input -->"), readme.indexOf("<!-- /bad-input -->"));
  const rows = table.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Bad input") && !l.startsWith("| ---")).map((l) => l.split(" | ")[0]!.slice(2).trim());
  const tests = [...readFileSync(join(root, "test", "bad-input.test.ts"), "utf8").matchAll(/test\("bad input: ([^"]+)"/g)].map((m) => m[1]!);
  assertDeepEqual(rows, tests);
});
