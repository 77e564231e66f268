// Every relative link of README.md, CONTRIBUTING.md and docs/**/*.md leads
// somewhere: to a file or folder of the repository, and a `#anchor` to a
// heading of the markdown file it names (GitHub's slugs). Links in code
// (fenced blocks, inline code) are not links and are skipped.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function markdownFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(root, p)).isDirectory()) return markdownFiles(p);
    return f.endsWith(".md") ? [p] : [];
  });
}

/** The text without fenced code blocks and inline code (which hold no links). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function slugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, "").split("\n")) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const text = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** The relative links of a markdown text: [text](target) and ![alt](target), and <img src>/<a href>. */
export function relativeLinks(markdown: string): string[] {
  const text = prose(markdown);
  const targets = [
    ...[...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]!),
  ];
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("/"));
}

/** What is wrong with each relative link of a markdown file (empty when every one resolves). */
export function brokenLinks(file: string, markdown = readFileSync(join(root, file), "utf8")): string[] {
  const broken: string[] = [];
  for (const link of relativeLinks(markdown)) {
    const [path, anchor] = link.split("#", 2) as [string, string | undefined];
    const here = path === "";
    const target = here ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
    if (!here && !existsSync(target)) {
      broken.push(`${file}: ${link}: no file ${relative(root, target)}`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (!target.endsWith(".md")) {
      broken.push(`${file}: ${link}: an anchor into a file that is not markdown`);
      continue;
    }
    if (!slugs(here ? markdown : readFileSync(target, "utf8")).has(decodeURIComponent(anchor).toLowerCase())) {
      broken.push(`${file}: ${link}: ${relative(root, target)} has no heading #${anchor}`);
    }
  }
  return broken;
}

const documents = ["README.md", "CONTRIBUTING.md", ...markdownFiles("docs")];

test("every relative link of the README, CONTRIBUTING.md and docs/ resolves, anchors included", () => {
  assert(documents.length > 10, `expected the docs, found ${documents.join(", ")}`);
  const broken = documents.flatMap((f) => brokenLinks(f));
  assert(broken.length === 0, `broken links:\n${broken.join("\n")}`);
});

test("the link check finds a missing file, a missing heading and a bad anchor in the same file, and skips code", () => {
  const doc = [
    "# A heading, with `code` and punctuation!",
    "## Twice", "## Twice",
    "[ok](#a-heading-with-code-and-punctuation) [ok](#twice-1) [ok](guide/getting-started.md#getting-started)",
    "[missing](no-such-file.md) [bad anchor](#nowhere) [bad heading](guide/getting-started.md#no-such-heading)",
    "`[in code](not-checked.md)`",
    "```", "[in a block](not-checked-either.md)", "```",
  ].join("\n");
  const broken = brokenLinks("docs/example.md", doc);
  assert(broken.length === 3, `expected 3 broken links, found:\n${broken.join("\n")}`);
  assert(broken.some((b) => b.includes("no-such-file.md")), "a missing file");
  assert(broken.some((b) => b.includes("#nowhere")), "an anchor into the same file");
  assert(broken.some((b) => b.includes("#no-such-heading")), "an anchor into another file");
});
