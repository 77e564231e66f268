// One-off codemod (issue 25): turns the indented example at the end of a doc
// comment in ts-api/**/*.ts into a TSDoc `@example` tag with a fenced ```ts
// block, the code kept exactly and the text above it left as it is:
//
//    * Text.                    * Text.
//    *                          *
//    *   const a = f(1);   ->   * @example
//    */                         * ```ts
//                               * const a = f(1);
//                               * ```
//                               */
//
// TypeDoc renders the indented form as a run-on paragraph; it renders the
// fenced one as code. Checks that each converted comment yields the same
// example code to test/doc-comments.ts (which refuses the old form) as the
// old reading did. Run: node --import tsx scripts/doc-examples-codemod.ts
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { exampleOf } from "../test/doc-comments.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The old reading: the lines indented past the text after a blank line. */
function oldExampleOf(doc: string): string {
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

/** The comment with its indented example as `@example` and a ```ts fence, or undefined if it has none. */
export function convert(doc: string, where: string): string | undefined {
  const lines = doc.split("\n");
  const parts = lines.map((l) => /^(\s*\*)(?: (.*))?$/.exec(l));
  const text = (i: number): string | undefined => (i === 0 || i === lines.length - 1 ? undefined : parts[i]?.[2] ?? (parts[i] ? "" : undefined));
  let start = -1;
  for (let i = 2; i < lines.length - 1; i++) {
    if (/^ {2,}\S/.test(text(i) ?? "") && text(i - 1)?.trim() === "") {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const star = parts[start]![1]!;
  const last = lines.length - 1;
  if (lines[last]!.trim() !== "*/") throw new Error(`${where}: the comment does not end on a line of its own`);
  const code: string[] = [];
  for (let i = start; i < last; i++) {
    const t = text(i);
    if (t === undefined) throw new Error(`${where}: line ${i} of the comment has no leading *`);
    if (t.trim() !== "" && !/^ {2}/.test(t)) throw new Error(`${where}: text after the example: ${t}`);
    code.push(t.slice(2));
  }
  while (code.length > 0 && code[code.length - 1]!.trim() === "") code.pop();
  const fenced = [
    "@example",
    "```ts",
    ...code,
    "```",
  ].map((l) => (l === "" ? star : `${star} ${l}`));
  return [...lines.slice(0, start), ...fenced, lines[last]!].join("\n");
}

let converted = 0;
for (const file of tsFiles(join(root, "ts-api"))) {
  const before = readFileSync(file, "utf8");
  const after = before.replace(/\/\*\*[\s\S]*?\*\//g, (doc) => {
    const where = relative(root, file);
    const fenced = convert(doc, where);
    if (fenced === undefined) return doc;
    const was = oldExampleOf(doc);
    const now = exampleOf(fenced);
    if (was !== now) throw new Error(`${where}: the example reads differently after the change\n${was}\n---\n${now}`);
    converted++;
    return fenced;
  });
  if (after !== before) writeFileSync(file, after);
}
console.log(`${converted} example(s) converted`);
