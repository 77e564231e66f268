// The rule that lets an engine move onto threads under plans already made (a
// page's engine starts on one thread and takes the threaded core when it
// arrives, Engine.takeThreads): the engine's kernel table is one object for
// its life, and code looks a kernel up in it when the kernel runs. A kernel
// kept in a variable at plan time would go on running the old core on the
// old memory. Read from the sources (comments left out): a kernel of a core
// (`core.name` or `core[name]`) or paralens/z2's kernels (`z2Kernels(...)`)
// stored in a variable, outside the engine's own files, fails, naming it.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}
const withoutComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

/** The engine's own modules, which build the table (the threaded one wraps the raw core's kernels). */
const engineFiles = /[\\/]engine[\\/]/;
const kept = /\b(?:const|let)\s+(\w+)\s*=\s*[\w.]*\bcore(?:\.\w+|\[[^\]]+\])\s*[;,]|\b(?:const|let)\s+(\w+)\s*=\s*z2Kernels\([^()]*\)\s*[;,]/g;

test("no kernel is kept in a variable: plans look kernels up in the engine's table when they run", () => {
  const problems: string[] = [];
  for (const file of sources(join(root, "ts-api")).filter((f) => !engineFiles.test(f))) {
    const text = withoutComments(readFileSync(file, "utf8"));
    for (const m of text.matchAll(kept)) {
      problems.push(`${relative(root, file)}:${text.slice(0, m.index).split("\n").length} keeps ${m[0].trim()}`);
    }
  }
  assert(problems.length === 0, `kernels kept at plan time:\n  ${problems.join("\n  ")}`);
});

test("the rule finds what it is for", () => {
  const found = (code: string): boolean => [...withoutComments(code).matchAll(kept)].length > 0;
  assert(found("const run = p.core[kernel];"), "core[name]");
  assert(found("const kernel = p.core.binary;"), "core.name");
  assert(found("const core = z2Kernels(e);"), "z2Kernels");
  assert(!found("p.emit(kernel, () => p.core[kernel](y.offset));"), "a lookup when it runs");
  assert(!found("const { core } = p;"), "the table itself");
  assert(!found("const wrong = z2Kernels(e).z2Count(w, n, b);"), "a kernel's result");
});
