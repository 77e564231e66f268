// Every doc example of the three entry points, each bundled on its own from
// the packed package as a web app's bundler would (esbuild, browser, tree-
// shaken: each bundle carries only the modules the example's imports reach),
// then run. Most ops come with the modules that call them (ops/index.ts), so
// this is what shows that no program is left without an op it needs: an
// example whose bundle lacks one fails here with the op's name.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import ts from "typescript";
import { declaration, entryPoints, exampleOf, exportsOf, root } from "./doc-comments.ts";
import { pack, project } from "./install/project.ts";

const work = mkdtempSync(join(tmpdir(), "paralens-pack-"));
const dir = project(pack(work));
process.on("exit", () => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** Each public value name an example may import (a namespace such as `layers` among them), the entry point that exports it. */
const entryOf = new Map<string, string>();
for (const [entry, file] of Object.entries(entryPoints)) {
  for (const { name, typeOnly, namespace } of exportsOf(file)) if (!typeOnly && namespace === undefined) entryOf.set(name, entry);
}

test("every doc example runs from a tree-shaken web bundle of its own imports", async () => {
  const sources = join(dir, "examples");
  mkdirSync(sources);
  const examples: { name: string; file: string }[] = [];
  const seen = new Set<string>();
  for (const [, file] of Object.entries(entryPoints)) {
    for (const { name: own, typeOnly, file: from, path: name } of exportsOf(file)) {
      const found = typeOnly ? undefined : declaration(join(root, from), own);
      const code = found?.kind === "value" ? exampleOf(found.doc) : "";
      if (code === "" || seen.has(`${found!.where}:${own}`)) continue;
      seen.add(`${found!.where}:${own}`);
      // the names the example uses, imported from their entry points, init among them
      const used = [...entryOf.keys()].filter((n) => n === "init" || new RegExp(`\\b${n}\\b`).test(code));
      const imports = Object.keys(entryPoints).map((entry) => {
        const names = used.filter((n) => entryOf.get(n) === entry);
        return names.length === 0 ? "" : `import { ${names.join(", ")} } from "${entry}";\n`;
      }).join("");
      const js = ts.transpileModule(`${imports}export async function run() {\nawait init();\n{\n${code}\n}\n}\n`, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      const at = join(sources, `${examples.length}.mjs`);
      writeFileSync(at, js);
      examples.push({ name, file: at });
    }
  }
  assert(examples.length > 150, `the examples were found (${examples.length})`);
  const out = join(dir, "bundled");
  await build({
    entryPoints: examples.map((e) => e.file), absWorkingDir: dir, outdir: out, bundle: true, format: "esm", platform: "browser",
    splitting: false, minify: true, logLevel: "error",
  });
  const problems: string[] = [];
  const log = console.log;
  console.log = () => {};
  try {
    for (const [i, { name }] of examples.entries()) {
      try {
        const module = (await import(pathToFileURL(join(out, `${i}.js`)).href)) as { run(): Promise<void> };
        await module.run();
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
  } finally {
    console.log = log;
  }
  console.log(`tree-shaken bundles: ${examples.length - problems.length} of ${examples.length} examples ran`);
  assert(problems.length === 0, `${problems.length} example(s) failed in a bundle of their own:\n${problems.join("\n")}`);
});
