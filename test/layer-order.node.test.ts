// The layer order of ts-api/ (ts-api/layers.json): every import of every
// source file, parsed with the TypeScript compiler (static imports and
// re-exports, import("...") calls and import("...") types), goes from a unit
// to the same unit or a lower rank. A failure names the file, the import and
// both units; a file of no unit of the order fails too, so a new folder must
// be given its place. The few imports that go up are type-only and listed in
// layers.json with their reason; one that is no longer type-only, or no
// longer there, fails as well.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import ts from "typescript";

const root = join(import.meta.dirname, "..");
const api = join(root, "ts-api");

interface LayerFile {
  order: (string | string[])[];
  typeOnly: { from: string; to: string; why: string }[];
}
const layers = JSON.parse(readFileSync(join(api, "layers.json"), "utf8")) as LayerFile;

/** Each unit's rank (its place in the order). */
export function ranks(order: LayerFile["order"]): Map<string, number> {
  const rank = new Map<string, number>();
  order.forEach((entry, i) => {
    for (const unit of typeof entry === "string" ? [entry] : entry) {
      if (rank.has(unit)) throw new Error(`layers.json: ${unit} is in the order twice`);
      rank.set(unit, i);
    }
  });
  return rank;
}

/** The unit of a path relative to ts-api/ (posix): the longest unit it is or lies under. */
export function unitOf(path: string, units: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const u of units) if ((path === u || path.startsWith(`${u}/`)) && (best === undefined || u.length > best.length)) best = u;
  return best;
}

interface Import {
  spec: string;
  typeOnly: boolean;
  line: number;
}

/** The relative imports of a source text, each marked type-only when the compiler erases it. */
export function importsOf(file: string, text: string): Import[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Import[] = [];
  const add = (lit: ts.Node, typeOnly: boolean): void => {
    if (ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, typeOnly, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const named = node.exportClause;
      add(node.moduleSpecifier, node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length > 0) {
      add(node.arguments[0]!, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((i) => i.spec.startsWith("."));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

/** What breaks the order: one line per import that goes up or across, per file of no unit, per stale exception. */
export function violations(files: readonly { path: string; text: string }[], order: LayerFile["order"], typeOnly: LayerFile["typeOnly"]): string[] {
  const rank = ranks(order);
  const problems: string[] = [];
  const used = new Set<number>();
  for (const { path, text } of files) {
    const from = unitOf(path, rank.keys());
    if (from === undefined) {
      problems.push(`ts-api/${path} is in no unit of ts-api/layers.json's order: give its folder a place there`);
      continue;
    }
    for (const imp of importsOf(path, text)) {
      const target = posix.normalize(posix.join(posix.dirname(path), imp.spec));
      if (target.startsWith("../")) continue; // outside ts-api (none today)
      const to = unitOf(target, rank.keys());
      const where = `ts-api/${path}:${imp.line} imports "${imp.spec}"`;
      if (to === undefined) {
        problems.push(`${where}, which is in no unit of ts-api/layers.json's order`);
        continue;
      }
      if (to === from) continue;
      const [rf, rt] = [rank.get(from)!, rank.get(to)!];
      if (rt < rf) continue;
      const k = typeOnly.findIndex((e) => e.from === from && (target === e.to || target.startsWith(`${e.to}/`)));
      if (k >= 0 && imp.typeOnly) {
        used.add(k);
        continue;
      }
      const how = rt === rf ? `its peer ${to} (same rank)` : `${to}, a higher layer than ${from}`;
      problems.push(`${where}: ${from} may not import from ${how}${k >= 0 ? " except by `import type`" : ""}`);
    }
  }
  typeOnly.forEach((e, k) => {
    if (!used.has(k)) problems.push(`ts-api/layers.json: the exception ${e.from} -> ${e.to} is used by no type-only import: remove it`);
  });
  return problems;
}

const files = sources(api).map((f) => ({ path: relative(api, f).split(sep).join("/"), text: readFileSync(f, "utf8") }));

test("every import of ts-api/ goes down the layer order (ts-api/layers.json)", () => {
  let imports = 0;
  for (const f of files) imports += importsOf(f.path, f.text).length;
  assert(files.length > 150 && imports > 800, `the scan found the sources (${files.length} files, ${imports} imports)`);
  const problems = violations(files, layers.order, layers.typeOnly);
  assert(problems.length === 0, `the layer order is broken:\n${problems.join("\n")}`);
});

test("every folder of ts-api/ is in the order, and every unit of the order exists", () => {
  const rank = ranks(layers.order);
  const present = new Set(files.map((f) => f.path));
  for (const unit of rank.keys()) {
    assert([...present].some((p) => p === unit || p.startsWith(`${unit}/`)), `ts-api/layers.json names ${unit}, which holds no source file`);
  }
  const folders = new Set(files.map((f) => dirname(f.path).split(sep)[0]!).filter((d) => d !== "."));
  for (const folder of folders) assert(rank.has(folder), `ts-api/${folder}/ has no place in ts-api/layers.json's order`);
});

test("the check fails on an import that goes up, across, or from outside the order", () => {
  const order = ["engine", "algebra", ["cdl", "z2"]];
  const bad = violations(
    [
      { path: "engine/x.ts", text: `import { y } from "../algebra/y.ts";\nimport type { T } from "../algebra/y.ts";` },
      { path: "algebra/y.ts", text: `import { e } from "../engine/x.ts";\nexport const y = () => import("../cdl/c.ts");` },
      { path: "cdl/c.ts", text: `export { z } from "../z2/z.ts";` },
      { path: "z2/z.ts", text: `import { c } from "../algebra/y.ts";\nlet t: import("../cdl/c.ts").T;` },
      { path: "new/n.ts", text: `` },
    ],
    order,
    [{ from: "algebra", to: "z2", why: "unused" }],
  );
  const expect = [
    `ts-api/engine/x.ts:1 imports "../algebra/y.ts": engine may not import from algebra, a higher layer than engine`,
    `ts-api/engine/x.ts:2 imports "../algebra/y.ts": engine may not import from algebra, a higher layer than engine`,
    `ts-api/algebra/y.ts:2 imports "../cdl/c.ts": algebra may not import from cdl, a higher layer than algebra`,
    `ts-api/cdl/c.ts:1 imports "../z2/z.ts": cdl may not import from its peer z2 (same rank)`,
    `ts-api/z2/z.ts:2 imports "../cdl/c.ts": z2 may not import from its peer cdl (same rank)`,
    `ts-api/new/n.ts is in no unit of ts-api/layers.json's order: give its folder a place there`,
    `ts-api/layers.json: the exception algebra -> z2 is used by no type-only import: remove it`,
  ];
  assert(JSON.stringify(bad) === JSON.stringify(expect), `got:\n${bad.join("\n")}`);
  // a listed exception covers `import type` only
  const typeOnly = [{ from: "engine", to: "algebra", why: "test" }];
  const files = (text: string) => [{ path: "engine/x.ts", text }];
  assert(violations(files(`import type { T } from "../algebra/y.ts";`), order, typeOnly).length === 0, "import type is excepted");
  assert(violations(files(`import { type T, type U } from "../algebra/y.ts";`), order, typeOnly).length === 0, "all-type named imports are excepted");
  assert(violations(files(`import { type T, u } from "../algebra/y.ts";`), order, typeOnly).length === 2, "a value import is not (and the exception is then unused)");
});
