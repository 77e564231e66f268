// The API reference builds with validation on (typedoc.json: an undocumented
// public export, property or signature, or a public type that refers to one
// the reference leaves out, is a warning, and warnings are errors). Built here
// into a temporary folder, so `npm test` keeps `npm run docs` passing, and
// read back: every example shows as code. TypeDoc shows a doc comment's
// `@example` with a fenced ```ts block as a code block; the old form, code
// indented in the text, ran into a paragraph with no Example section at all.
// And the reference opens on the README, with every guide of docs/guide as a
// document (listed in docs/Guides.md).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { declaration, entryPoints, exampleOf, exportsOf, root } from "./doc-comments.ts";

const out = mkdtempSync(join(tmpdir(), "paralens-docs-"));
process.on("exit", () => rmSync(out, { recursive: true, force: true }));
const typedoc = join(root, "node_modules", "typedoc", "bin", "typedoc");
const run = spawnSync(process.execPath, [typedoc, "--out", out], { cwd: root, encoding: "utf8" });
const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");

/** The text of some HTML: its tags left out, its entities read. */
function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, " ").replace(/&amp;/g, "&");
}

/** The Example sections of a page, each as its HTML (TypeDoc: <div class="tsd-tag-example"><h4>Example</h4>...</div>). */
function exampleSections(html: string): string[] {
  return html.split('<div class="tsd-tag-example">').slice(1).map((s) => s.slice(0, s.indexOf("</div>")));
}

/** The code of an Example section's <pre><code> blocks, as text. */
function codeOf(section: string): string {
  return [...section.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code>/g)].map((m) => text(m[1]!)).join("\n");
}

/** The page of a public value: functions/, classes/, variables/ or (a namespace) modules/<module>.<name>.html; a namespace's member's is <module>.<namespace>.<name>.html. */
function pageOf(entry: string, name: string): string | undefined {
  const module = entry.replace("/", "_");
  return ["functions", "classes", "variables", "modules"].map((d) => join(out, d, `${module}.${name}.html`)).find(existsSync);
}

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith(".html") ? [join(dir, e.name)] : [],
  );
}

test("npm run docs: TypeDoc validates the four entry points with no warning", () => {
  assert(run.status === 0 && !/\[warning\]|\[error\]/.test(output), `typedoc exited with ${run.status}:\n${output}`);
});

test("every Example section of the built reference shows its example as a code block", () => {
  const problems: string[] = [];
  let sections = 0;
  for (const page of pages(out)) {
    const html = readFileSync(page, "utf8");
    for (const section of exampleSections(html)) {
      sections++;
      if (!/<pre><code[^>]*>/.test(section)) problems.push(`${page.slice(out.length + 1)}: ${text(section).slice(0, 120)}`);
    }
    // an Example heading outside an example section would be one TypeDoc did not read as @example
    const headings = (html.match(/<h4 class="tsd-anchor-link" id="example[-0-9]*">Example/g) ?? []).length;
    if (headings !== exampleSections(html).length) problems.push(`${page.slice(out.length + 1)}: ${headings} Example heading(s), ${exampleSections(html).length} example section(s)`);
  }
  assert(sections > 200, `only ${sections} Example sections in the reference`);
  assertEqual(problems.length, 0, `Example sections without a code block:\n${problems.join("\n")}`);
});

test("the page of every public value with an example shows that example as code", () => {
  const problems: string[] = [];
  for (const [entry, file] of Object.entries(entryPoints)) {
    for (const { name: own, typeOnly, file: from, path: name } of exportsOf(file)) {
      const found = typeOnly ? undefined : declaration(join(root, from), own);
      if (found?.kind !== "value") continue;
      let example: string;
      try {
        example = exampleOf(found.doc);
      } catch (e) {
        problems.push(`${entry} ${name}: ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      if (example === "") continue;
      const page = pageOf(entry, name);
      if (page === undefined) {
        problems.push(`${entry} ${name}: no page`);
        continue;
      }
      const code = exampleSections(readFileSync(page, "utf8")).map(codeOf).join("\n");
      const lines = example.split("\n").map((l) => l.trim()).filter((l) => l !== "");
      const missing = lines.find((l) => !code.includes(l));
      if (missing !== undefined) problems.push(`${entry} ${name} (${page.slice(out.length + 1)}): the example's line "${missing}" is not in a code block of the page`);
    }
  }
  assertEqual(problems.length, 0, `examples the reference does not show as code:\n${problems.join("\n")}`);
});

test("dense's and Learner's pages show their examples as code", () => {
  for (const [page, line] of [
    ["functions/paralens.dense.html", 'const hidden = seq(dense(4, 20, "sigmoid"), dense(20, 3, "sigmoid"));'],
    ["classes/paralens.Learner.html", "const learner = supervised("],
  ] as const) {
    const html = readFileSync(join(out, page), "utf8");
    const code = exampleSections(html).map(codeOf).join("\n");
    assert(code.includes(line), `${page}: no Example code block with ${line}`);
    // and not as text run into a paragraph
    assert(![...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].some((p) => text(p[1]!).includes(line)), `${page}: ${line} is in a paragraph`);
  }
});

test("the reference opens on the README and carries every guide of docs/guide as a document", () => {
  const heading = (markdown: string): string => /^# (.*)$/m.exec(markdown)![1]!.trim();
  const index = text(readFileSync(join(out, "index.html"), "utf8"));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const opening = readme.slice(readme.indexOf(heading(readme))).split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"))!;
  assert(index.includes(opening.replace(/\*\*|`/g, "").slice(0, 40)), `index.html does not open on the README: ${opening}`);
  // the first heading of each document page, as TypeDoc renders the guide's "# Title"
  const documents = readdirSync(join(out, "documents")).flatMap((f) =>
    [...readFileSync(join(out, "documents", f), "utf8").matchAll(/<h1 [^>]*class="tsd-anchor-link"[^>]*>([\s\S]*?)<\/h1>/g)].map((m) => text(m[1]!).trim()),
  );
  const guides = readdirSync(join(root, "docs", "guide")).filter((f) => f.endsWith(".md"));
  const missing = guides.filter((g) => !documents.some((d) => d === heading(readFileSync(join(root, "docs", "guide", g), "utf8"))));
  assertEqual(missing.length, 0, `guides that are not documents of the reference (list them in docs/Guides.md): ${missing.join(", ")}`);
});

test("every public export of the entry points is in a category (none left in Other)", () => {
  for (const module of ["paralens", "paralens_cdl", "paralens_z2"]) {
    const html = readFileSync(join(out, "modules", `${module}.html`), "utf8");
    const headings = [...html.matchAll(/<h2 class="tsd-anchor-link"[^>]*>([^<]*)/g)].map((m) => m[1]!.trim());
    assert(headings.length > 2, `${module}: ${headings.length} categories`);
    assert(!headings.includes("Other"), `${module}: exports without a @category, in Other`);
  }
});
