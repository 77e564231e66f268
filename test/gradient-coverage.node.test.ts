// Every lens and layer of the root and its namespaces from ts-api/ops/ and ts-api/layers/
// is named in a test file that checks lenses against the float64 reference
// and central finite differences (one that calls checkLensCase, lensCases or
// finiteDifferences of test/util.ts): a new primitive without its gradient
// check fails here, naming it. Exempt: what is not a lens (below, each with
// why).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { declaration, entryPoints, exportsOf, root } from "./doc-comments.ts";

const notLenses: Record<string, string> = {
  refTensor: "a float64 tensor for the reference backend, not a lens",
};

/** The test files that check gradients, and their text. */
function checkingFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of readdirSync(join(root, "test"))) {
    if (!f.endsWith(".test.ts")) continue;
    const text = readFileSync(join(root, "test", f), "utf8");
    if (/\b(checkLensCase|lensCases|finiteDifferences)\(/.test(text)) files.set(f, text);
  }
  return files;
}

/** The values of the root and its namespaces declared under ts-api/ops/ or ts-api/layers/, each once. */
function primitives(): string[] {
  const names = exportsOf(entryPoints.paralens)
    .filter((e) => !e.typeOnly)
    .filter((e) => /ts-api\/(ops|layers)\//.test(declaration(e.file, e.name)?.where ?? ""))
    .map((e) => e.name);
  return [...new Set(names)];
}

test("every lens and layer of ops/ and layers/ is named in a test that checks it against the float64 reference and finite differences", () => {
  const files = checkingFiles();
  assert(files.size >= 5, `test files that check gradients: ${[...files.keys()].join(", ")}`);
  const text = [...files.values()].join("\n");
  const names = primitives();
  assert(names.length >= 40 && names.includes("dense") && names.includes("exp"), `the root's primitives: ${names.join(", ")}`);
  const unchecked = names.filter((n) => !(n in notLenses) && !new RegExp(`\\b${n}\\b`).test(text));
  assertDeepEqual(unchecked, [], `named in no gradient-checking test (${[...files.keys()].join(", ")})`);
  const stale = Object.keys(notLenses).filter((n) => !names.includes(n));
  assertDeepEqual(stale, [], "exemptions for names paralens no longer exports from ops/ or layers/");
});
