// The API reference builds with validation on (typedoc.json: an undocumented
// public export, property or signature, or a public type that refers to one
// the reference leaves out, is a warning, and warnings are errors). Run here
// without emitting pages, so `npm test` keeps `npm run docs` passing.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("npm run docs: TypeDoc validates the three entry points with no warning", () => {
  const typedoc = join(root, "node_modules", "typedoc", "bin", "typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--emit", "none"], { cwd: root, encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  assert(run.status === 0 && !/\[warning\]|\[error\]/.test(output), `typedoc exited with ${run.status}:\n${output}`);
});
