// docs/internals/adding-a-primitive.md shows code from the repository; every block
// tagged `file=PATH` must appear verbatim in that file, so the walkthrough
// describes the code as it is. (The composed layer it shows, silu, is run
// by test/composed.test.ts like every other case there.)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const doc = readFileSync(join(root, "docs", "internals", "adding-a-primitive.md"), "utf8");
// a block's fence is three backticks or more (four around a file whose doc comments hold fences), closed by the same
const blocks = [...doc.matchAll(/^(`{3,})ts file=(\S+)\n([\s\S]*?)^\1[ \t]*$/gm)].map((m) => ({ file: m[2]!, code: m[3]! }));

test("adding-a-primitive: the walkthrough shows at least the composed layer, the kernel and the op", () => {
  assert(blocks.length >= 8, `expected the walkthrough's code blocks, found ${blocks.length}`);
  for (const file of ["ts-api/layers/silu.ts", "assembly/unary.ts", "assembly/index.ts", "ts-api/ops/unary.ts", "test/composed.test.ts"]) {
    assert(blocks.some((b) => b.file === file), `no block from ${file}`);
  }
});

for (const { file, code } of blocks) {
  test(`adding-a-primitive: the block from ${file} is in that file`, () => {
    const source = readFileSync(join(root, file), "utf8");
    assert(source.includes(code), `docs/internals/adding-a-primitive.md shows code that ${file} does not contain:\n${code}`);
  });
}

test("adding-a-primitive: silu's file is shown whole", () => {
  const whole = blocks.find((b) => b.file === "ts-api/layers/silu.ts")!;
  assert(readFileSync(join(root, "ts-api/layers/silu.ts"), "utf8") === whole.code, "the block differs from the file");
});
