// Every public value of the entry points (paralens, paralens/cdl, paralens/io,
// paralens/z2) is used somewhere a user can see it working: a test, an
// example, a benchmark or a doc. A name nobody uses is either dead or
// undocumented; either way the list should not carry it silently. Type-only
// exports (option bags, result shapes) are exempt: a type is in use wherever
// the function that takes or returns it is.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The value (not type-only) names an entry point exports. */
function exportedValues(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  const names: string[] = [];
  for (const m of source.matchAll(/export\s*(type\s*)?\{([^}]*)\}/g)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(",")) {
      const item = part.trim();
      if (item === "" || item.startsWith("type ")) continue;
      names.push(item.split(/\s+as\s+/).pop()!.trim());
    }
  }
  return names;
}

function files(dir: string, ends: readonly string[]): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(root, p)).isDirectory()) return f === "fixtures" ? [] : files(p, ends);
    return ends.some((e) => f.endsWith(e)) ? [p] : [];
  });
}

const users = [...files("test", [".ts"]), ...files("examples", [".ts", ".html", ".js"]), ...files("bench", [".ts"]), ...files("docs", [".md"]), "README.md", "CONTRIBUTING.md"]
  .filter((f) => f !== "test/exports.node.test.ts")
  .map((f) => readFileSync(join(root, f), "utf8"))
  .join("\n");

for (const entry of ["ts-api/index.ts", "ts-api/cdl/index.ts", "ts-api/z2/index.ts", "ts-api/io/index.ts"]) {
  test(`every public export of ${entry} is used by a test, an example, a benchmark or a doc`, () => {
    const names = exportedValues(entry);
    assert(names.length > 10, `${entry}: expected its export list, found ${names.length} names`);
    const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(users));
    assert(unused.length === 0, `${entry} exports names nothing uses: ${unused.join(", ")}`);
  });
}
