// Every public export of the three entry points (paralens, paralens/cdl,
// paralens/z2) shows how it is used in its doc comment, and that example runs.
// An example is the indented code after a blank line of the comment, as in
//
//   /**
//    * dense(i, o, activation?) = linear(i, o) ; bias(o) ; activation ...
//    *
//    *   const hidden = seq(dense(4, 20, "sigmoid"), dense(20, 3, "sigmoid"));
//    */
//
// Each example runs after `await init()` inside an async function whose
// parameters are every public name of the three entry points, so it may use
// any of them and nothing else. Exempt: type-only exports (interfaces and
// type aliases have no behaviour to run; the functions that take or return
// them show them in use), constants (MAX_HEADER_BYTES), and members of
// classes (the class's own example shows the class in use).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import * as core from "../ts-api/index.ts";
import * as cdl from "../ts-api/cdl/index.ts";
import * as z2 from "../ts-api/z2/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entryPoints = { "paralens": "ts-api/index.ts", "paralens/cdl": "ts-api/cdl/index.ts", "paralens/z2": "ts-api/z2/index.ts" } as const;

const sources = new Map<string, ts.SourceFile>();
function source(file: string): ts.SourceFile {
  let s = sources.get(file);
  if (s === undefined) {
    s = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    sources.set(file, s);
  }
  return s;
}

const moduleFile = (from: string, specifier: string): string => resolve(dirname(from), specifier);
const hasExport = (n: ts.Node): boolean =>
  ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

interface Found {
  /** "value" needs an example; "type" and "constant" are exempt. */
  kind: "value" | "type" | "constant";
  /** The full text of the doc comment right above the declaration, or "". */
  doc: string;
  where: string;
}

/** The doc comment (/** ... *\/) directly above a declaration. */
function docOf(node: ts.Node, file: ts.SourceFile): string {
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  const ranges = ts.getLeadingCommentRanges(file.text, target.getFullStart()) ?? [];
  const last = ranges.filter((r) => file.text.startsWith("/**", r.pos)).pop();
  return last === undefined ? "" : file.text.slice(last.pos, last.end);
}

/** Finds where `name` is declared, following re-exports and imports from `file`. */
function declaration(file: string, name: string, seen = new Set<string>()): Found | undefined {
  const key = `${file}:${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const sf = source(file);
  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === name && hasExport(st)) {
      return { kind: "value", doc: docOf(st, sf), where: file };
    }
    if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name) {
      return { kind: "type", doc: docOf(st, sf), where: file };
    }
    if (ts.isVariableStatement(st) && hasExport(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name) {
          const constant = d.initializer !== undefined && (ts.isNumericLiteral(d.initializer) || ts.isStringLiteral(d.initializer));
          return { kind: constant ? "constant" : "value", doc: docOf(d, sf), where: file };
        }
      }
    }
  }
  // re-exported (export { x } from "./y.ts") or imported then exported (import { x } from "./y.ts"; export { x })
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause) && st.moduleSpecifier) {
      for (const el of st.exportClause.elements) {
        if (el.name.text === name) {
          const found = declaration(moduleFile(file, (st.moduleSpecifier as ts.StringLiteral).text), (el.propertyName ?? el.name).text, seen);
          if (found) return st.isTypeOnly || el.isTypeOnly ? { ...found, kind: "type" } : found;
        }
      }
    }
    if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
      for (const el of st.importClause.namedBindings.elements) {
        if (el.name.text === name) return declaration(moduleFile(file, (st.moduleSpecifier as ts.StringLiteral).text), (el.propertyName ?? el.name).text, seen);
      }
    }
  }
  return undefined;
}

/** The names an entry point exports, each marked type-only or not. */
function exportsOf(entry: string): { name: string; typeOnly: boolean }[] {
  const sf = source(join(root, entry));
  return sf.statements.flatMap((st) => {
    if (!ts.isExportDeclaration(st) || !st.exportClause || !ts.isNamedExports(st.exportClause)) return [];
    return st.exportClause.elements.map((el) => ({ name: el.name.text, typeOnly: st.isTypeOnly || el.isTypeOnly }));
  });
}

/**
 * The example of a doc comment: its code lines, those indented past the
 * comment's text after a blank line, with the text lines between blocks left out.
 */
export function exampleOf(doc: string): string {
  const lines = doc.replace(/^\/\*\*|\*\/$/g, "").split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  const code: string[] = [];
  let afterBlank = false;
  let inBlock = false;
  for (const line of lines) {
    if (line.trim() === "") {
      afterBlank = true;
      if (inBlock) code.push("");
      continue;
    }
    const indented = /^ {2,}\S/.test(line);
    if (indented && (afterBlank || inBlock)) {
      code.push(line.slice(2));
      inBlock = true;
    } else {
      inBlock = false;
    }
    afterBlank = false;
  }
  return code.join("\n").trim();
}

/**
 * Public exports whose doc comment has no example yet: none today. The list
 * may only shrink: a name here that gains an example, or a new export without
 * one, fails the test.
 */
const withoutExampleYet = new Set<string>([]);

const publicValues: Record<string, unknown> = { ...(z2 as object), ...(cdl as object), ...(core as object) };
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

test("public names of the three entry points do not collide", () => {
  const seen = new Map<string, string>();
  for (const [entry, file] of Object.entries(entryPoints)) {
    for (const { name } of exportsOf(file)) {
      assert(!seen.has(name) || seen.get(name) === entry, `${name} is exported by both ${seen.get(name)} and ${entry}`);
      seen.set(name, entry);
    }
  }
});

test("exampleOf reads the indented block after a blank line", () => {
  const doc = "/**\n * Text.\n *   not code: no blank line before\n *\n *   const a = 1;\n *     a + 1;\n *\n * More text.\n */";
  assertEqual(exampleOf(doc), "const a = 1;\n  a + 1;");
  assertEqual(exampleOf("/** No example. */"), "");
});

for (const [entry, file] of Object.entries(entryPoints)) {
  test(`every public export of ${entry} has an example that runs`, async () => {
    await core.init();
    const problems: string[] = [];
    for (const { name, typeOnly } of exportsOf(file)) {
      if (typeOnly) continue;
      const found = declaration(join(root, file), name);
      if (found === undefined) {
        problems.push(`${name}: declaration not found`);
        continue;
      }
      if (found.kind !== "value") continue;
      const code = exampleOf(found.doc);
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
