// The rule that keeps a tree-shaken bundle whole: a module that calls an op
// of a group (ops/index.ts: convolution, pooling, attention, the elementary
// functions, broadcasting arithmetic, products of wires) registers that group
// itself: at load (registerOps(() => group)), or, for a layer, when one is
// made (its list `const OPS = [() => group, ...]` passed to bringOps(OPS) by
// every export that builds it), so whichever of its exports a program uses
// brings the op with it.
// Read from the sources (comments left out): a call `ops.name(` of a group's
// op in a file that registers the group neither way fails, naming both.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { convOps } from "../ts-api/ops/conv/conv2d.ts";
import { poolOps } from "../ts-api/ops/conv/pool.ts";
import { attentionOps } from "../ts-api/ops/attention.ts";
import { batchNormOps } from "../ts-api/ops/batchNorm.ts";
import { unaryOps } from "../ts-api/ops/unary.ts";
import { wireOps } from "../ts-api/ops/wires.ts";
import { adagradOps, adamOps, momentumOps, rmspropOps, scheduledSgdOps } from "../ts-api/ops/optimisers.ts";

const root = join(import.meta.dirname, "..");
const groups: Record<string, object> = { convOps, poolOps, attentionOps, batchNormOps, unaryOps, wireOps, scheduledSgdOps, momentumOps, adagradOps, rmspropOps, adamOps };
const groupOf = new Map(Object.entries(groups).flatMap(([group, ops]) => Object.keys(ops).map((name) => [name, group] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}
const withoutComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

test("every module that calls an op of a group registers the group", () => {
  const problems: string[] = [];
  let calls = 0;
  for (const file of sources(join(root, "ts-api"))) {
    const text = withoutComments(readFileSync(file, "utf8"));
    const needed = new Set<string>();
    for (const m of text.matchAll(/\bops\.([A-Za-z0-9]+)\(/g)) {
      const group = groupOf.get(m[1]!);
      if (group !== undefined) {
        needed.add(group);
        calls++;
      }
    }
    const listed = /const OPS = \[([^\]]*)\]/.exec(text)?.[1] ?? "";
    const brought = text.includes("bringOps(OPS)");
    for (const group of needed) {
      if (text.includes(`registerOps(() => ${group})`) || (brought && listed.includes(`() => ${group}`))) continue;
      problems.push(`${relative(root, file)} calls ops of ${group} without registerOps(() => ${group}) or () => ${group} in an OPS list it brings`);
    }
  }
  assert(calls > 50, `the scan found the calls (${calls})`);
  assert(problems.length === 0, problems.join("\n"));
});
