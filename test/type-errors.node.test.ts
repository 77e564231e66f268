// What a user reads when literal shapes do not fit in seq: tsc's diagnostic
// must name the part and both shapes (test/types/messages.ts pins the types).
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The diagnostics tsc reports for `code`, which imports paralens as `P`. */
function diagnostics(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "paralens-types-"));
  try {
    const file = join(dir, "probe.ts");
    writeFileSync(file, `import * as P from ${JSON.stringify(join(root, "ts-api", "index.ts"))};\n${code}\n`);
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true, skipLibCheck: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    });
    return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a literal shape mismatch in seq is one compile error whose text names the part and both shapes", () => {
  const errors = diagnostics("P.seq(P.dense(4, 20), P.layers.relu, P.dense(21, 3));\nP.seq(P.dense(4, 3), P.dense(3, 2));");
  assert(errors.length === 1, `one error, for the first seq only; got ${errors.length}:\n${errors.join("\n---\n")}`);
  const text = errors[0]!;
  assert(text.includes(`is not assignable to type '"seq: part 2 takes [21] but part 1 gives [20]"'`), `the message names both shapes:\n${text}`);
  assert(!text.includes("No overload matches") && !text.includes("missing the following properties"), `no overload noise:\n${text}`);
});
