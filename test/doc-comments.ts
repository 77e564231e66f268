// Reading the doc comments of the public exports: where each export of an
// entry point is declared (following re-exports), whether it is a value, a
// type or a constant, and the example its doc comment shows. Used by the
// test that runs every example as it is, and by the one that runs each in a
// tree-shaken bundle of the packed package.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const entryPoints = { "paralens": "ts-api/index.ts", "paralens/cdl": "ts-api/cdl/index.ts", "paralens/z2": "ts-api/z2/index.ts", "paralens/io": "ts-api/io/index.ts" } as const;

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

export interface Found {
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
export function declaration(file: string, name: string, seen = new Set<string>()): Found | undefined {
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

/** A public name: where it is exported (the entry point, or the file of its namespace), and the namespace it is a member of. */
export interface Export {
  name: string;
  typeOnly: boolean;
  /** The file, relative to the root, whose export list names it. */
  file: string;
  /** The namespace (`layers`, `losses`, ...) whose member it is; undefined for a name of the entry point itself. */
  namespace?: string;
  /** The name as a user writes it: `dense`, or `layers.gelu`. */
  path: string;
}

/**
 * The members of a namespace: an exported `const ns = { a, b, ... }` whose doc
 * comment has the @namespace tag (ts-api/layers/index.ts and the like).
 */
export function namespaceMembers(file: string, name: string): string[] | undefined {
  const sf = source(join(root, file));
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !hasExport(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== name || !/@namespace\b/.test(docOf(d, sf))) continue;
      let init = d.initializer;
      while (init !== undefined && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      if (init === undefined || !ts.isObjectLiteralExpression(init)) return undefined;
      return init.properties.filter(ts.isShorthandPropertyAssignment).map((p) => p.name.text);
    }
  }
  return undefined;
}

/** The names an entry point exports, each marked type-only or not, with the members of its namespaces after them. */
export function exportsOf(entry: string): Export[] {
  const sf = source(join(root, entry));
  const own: Export[] = sf.statements.flatMap((st) => {
    if (!ts.isExportDeclaration(st) || !st.exportClause || !ts.isNamedExports(st.exportClause)) return [];
    return st.exportClause.elements.map((el) => ({ name: el.name.text, typeOnly: st.isTypeOnly || el.isTypeOnly, file: entry, path: el.name.text }));
  });
  const members = sf.statements.flatMap((st) => {
    if (!ts.isExportDeclaration(st) || st.isTypeOnly || !st.exportClause || !ts.isNamedExports(st.exportClause) || !st.moduleSpecifier) return [];
    const file = join(dirname(entry), (st.moduleSpecifier as ts.StringLiteral).text);
    return st.exportClause.elements.flatMap((el) => {
      if (el.isTypeOnly) return [];
      const names = namespaceMembers(file, (el.propertyName ?? el.name).text) ?? [];
      return names.map((name) => ({ name, typeOnly: false, file, namespace: el.name.text, path: `${el.name.text}.${name}` }));
    });
  });
  return [...own, ...members];
}

/** The text lines of a doc comment, without its delimiters and the ` * ` before each line. */
export function commentLines(doc: string): string[] {
  return doc.replace(/^\/\*\*|\*\/$/g, "").split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
}

/**
 * The example of a doc comment: the code of the fenced ```ts blocks of its
 * `@example` tags (the text between blocks left out), as TypeDoc shows it:
 *
 *     /**
 *      * dense(i, o, activation?) = linear(i, o) ; bias(o) ; activation ...
 *      *
 *      * @example
 *      * ```ts
 *      * const hidden = seq(dense(4, 20, "sigmoid"), dense(20, 3, "sigmoid"));
 *      * ```
 *      *\/
 *
 * Throws on the old form, code indented past the comment's text after a blank
 * line (TypeDoc runs it into a paragraph), on an `@example` without a ```ts
 * block, on a fence that is not ```ts, and on a fence left open.
 */
export function exampleOf(doc: string): string {
  const code: string[] = [];
  let tag = "";
  let fence: "example" | "other" | undefined;
  let fenced = false;
  let afterBlank = false;
  const problem = (why: string): never => {
    throw new Error(`${why} in the doc comment\n${doc}`);
  };
  for (const line of commentLines(doc)) {
    if (fence !== undefined) {
      if (/^```\s*$/.test(line)) fence = undefined;
      else if (fence === "example") code.push(line);
      continue;
    }
    if (/^```/.test(line)) {
      if (tag === "@example") {
        if (!/^```(ts|typescript)\s*$/.test(line)) problem(`an example fenced as ${line.trim()}, not \`\`\`ts,`);
        if (code.length > 0) code.push("");
        fence = "example";
        fenced = true;
      } else {
        fence = "other";
      }
      afterBlank = false;
      continue;
    }
    const blockTag = /^\s*(@\w+)/.exec(line);
    if (blockTag !== null) {
      if (tag === "@example" && !fenced) problem("an @example without a ```ts block");
      tag = blockTag[1]!;
      fenced = false;
      afterBlank = false;
      continue;
    }
    if (line.trim() === "") {
      afterBlank = true;
      continue;
    }
    if (afterBlank && /^ {2,}\S/.test(line)) {
      problem("an indented example (write it after @example, fenced as ```ts)");
    }
    afterBlank = false;
  }
  if (fence !== undefined) problem("a code fence left open");
  if (tag === "@example" && !fenced) problem("an @example without a ```ts block");
  return code.join("\n").trim();
}
