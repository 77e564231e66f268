// Every public export of the entry points (paralens, paralens/cdl, paralens/io,
// paralens/z2) shows how it is used in its doc comment, and that example runs.
// An example is the fenced ```ts code of the comment's @example tag, as in
//
//   /**
//    * dense(i, o, activation?) = linear(i, o) ; bias(o) ; activation ...
//    *
//    * @example
//    * ```ts
//    * const hidden = seq(dense(4, 20, "sigmoid"), dense(20, 3, "sigmoid"));
//    * ```
//    */
//
// which TypeDoc shows as code. The old form, code indented after a blank line
// (TypeDoc runs it into a paragraph), is refused, in any doc comment of ts-api.
// Each example runs after `await init()` inside an async function whose
// parameters are every public name of the entry points, the namespaces
// of paralens (`layers`, `losses`, ...) among them, so it may use any of them
// (a namespace's member as `layers.gelu`, as a user writes it) and nothing else. Exempt: type-only exports (interfaces and
// type aliases have no behaviour to run; the functions that take or return
// them show them in use), constants (MAX_HEADER_BYTES), and members of
// classes (the class's own example shows the class in use).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { declaration, entryPoints, exampleOf, exportsOf, root } from "./doc-comments.ts";
import { test } from "./harness.ts";
import { assert, assertEqual, assertThrows } from "./assert.ts";
import * as core from "../ts-api/index.ts";
import * as cdl from "../ts-api/cdl/index.ts";
import * as z2 from "../ts-api/z2/index.ts";
import * as io from "../ts-api/io/index.ts";

/**
 * Public exports whose doc comment has no example yet: none today. The list
 * may only shrink: a name here that gains an example, or a new export without
 * one, fails the test.
 */
const withoutExampleYet = new Set<string>([]);

const publicValues: Record<string, unknown> = { ...(io as object), ...(z2 as object), ...(cdl as object), ...(core as object) };
const names = Object.keys(publicValues);
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

/** Runs an example as the body of an async function with every public name as a parameter. */
async function run(name: string, code: string): Promise<void> {
  const js = ts.transpileModule(`async function example() {\n{\n${code}\n}\n}`, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const body = js.slice(js.indexOf("{") + 1, js.lastIndexOf("}"));
  const fn = new AsyncFunction(...names, body);
  const log = console.log;
  console.log = () => {};
  try {
    await fn(...names.map((n) => publicValues[n]));
  } catch (e) {
    throw new Error(`the example of ${name} throws: ${e instanceof Error ? e.message : String(e)}\n${code}`);
  } finally {
    console.log = log;
  }
}

test("public names of the entry points do not collide", () => {
  const seen = new Map<string, string>();
  for (const [entry, file] of Object.entries(entryPoints)) {
    for (const { name, namespace } of exportsOf(file)) {
      if (namespace !== undefined) continue;
      assert(!seen.has(name) || seen.get(name) === entry, `${name} is exported by both ${seen.get(name)} and ${entry}`);
      seen.set(name, entry);
    }
  }
});

test("exampleOf reads the fenced code of @example and refuses the indented form", () => {
  const doc = "/**\n * Text.\n *\n * @example\n * ```ts\n * const a = 1;\n *   a + 1;\n * ```\n */";
  assertEqual(exampleOf(doc), "const a = 1;\n  a + 1;");
  assertEqual(exampleOf("/** No example. */"), "");
  const indented = "/**\n * Text.\n *\n *   const a = 1;\n */";
  assertThrows(() => exampleOf(indented), /an indented example/);
  assertThrows(() => exampleOf("/**\n * @example\n *   const a = 1;\n */"), /an @example without a ```ts block/);
  assertThrows(() => exampleOf("/**\n * @example\n * ```js\n * const a = 1;\n * ```\n */"), /fenced as ```js/);
  assertThrows(() => exampleOf("/**\n * @example\n * ```ts\n * const a = 1;\n */"), /a code fence left open/);
});

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("no doc comment in ts-api has an example in the old indented form", () => {
  const problems: string[] = [];
  for (const file of tsFiles(join(root, "ts-api"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      try {
        exampleOf(m[0]);
      } catch (e) {
        const line = text.slice(0, m.index).split("\n").length;
        problems.push(`${relative(root, file)}:${line}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
  }
  assertEqual(problems.length, 0, `${problems.length} doc comment(s) with an example TypeDoc does not show as code:\n${problems.join("\n")}`);
});

for (const [entry, file] of Object.entries(entryPoints)) {
  test(`every public export of ${entry} has an example that runs`, async () => {
    await core.init();
    const problems: string[] = [];
    // a name at the root and in its namespace (dense, layers.dense) is one declaration with one example
    const ran = new Set<string>();
    for (const { name: own, typeOnly, file: from, path: name } of exportsOf(file)) {
      if (typeOnly) continue;
      const found = declaration(join(root, from), own);
      if (found === undefined) {
        problems.push(`${name}: declaration not found`);
        continue;
      }
      if (found.kind !== "value" || ran.has(`${found.where}:${own}`)) continue;
      ran.add(`${found.where}:${own}`);
      let code: string;
      try {
        code = exampleOf(found.doc);
      } catch (e) {
        problems.push(`${name} (${found.where.slice(root.length + 1)}): ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      if (withoutExampleYet.has(name)) {
        if (code !== "") problems.push(`${name} has an example now: take it off withoutExampleYet`);
        continue;
      }
      if (code === "") {
        problems.push(`${name} (${found.where.slice(root.length + 1)}): no example in its doc comment`);
        continue;
      }
      try {
        await run(name, code);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    assertEqual(problems.length, 0, `${problems.length} export(s) of ${entry} without a running example:\n${problems.join("\n\n")}`);
  });
}

