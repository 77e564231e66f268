// The fine-tuning example end to end (examples/onnx-finetune.ts --quick): the
// CNN PyTorch trained on the digits 0-4 imports with its accuracy there, knows
// none of 5-9, learns them when its head is fitted with its convolutions
// frozen, and ONNX Runtime runs the model toOnnx writes back as paralens
// does. Node only: a child process that reads the digits and runs ONNX Runtime.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert } from "./assert.ts";

const root = join(import.meta.dirname, "..");

test("the fine-tuning example: PyTorch's 0-4 CNN imported, its head fitted to 5-9, and ONNX Runtime agrees with the export", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "examples/onnx-finetune.ts", "--quick", "--json"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert(run.status === 0, `the example exited with ${run.status}: ${run.stderr.slice(-800)}`);
  const m = (JSON.parse(run.stdout.trimEnd().split("\n").pop()!) as { metrics: Record<string, number> }).metrics;
  console.log(`onnx-finetune --quick: ${JSON.stringify(m)}`);
  assert(m.oldBefore! >= 0.95, `imported as PyTorch trained it: accuracy ${m.oldBefore} on held-out 0-4 (PyTorch measured 0.974)`);
  assert(m.newBefore! <= 0.05, `it knows none of 5-9 before: ${m.newBefore}`);
  assert(m.newAfter! >= 0.85, `the fitted head learns 5-9: ${m.newAfter}`);
  assert(m.onnxRuntimeMaxRelDiff! <= 1e-5, `ONNX Runtime's logits within 1e-5 of the largest: ${m.onnxRuntimeMaxRelDiff}`);
  assert(m.onnxRuntimeSamePrediction === 1, `and the same predicted digit for every test image: ${m.onnxRuntimeSamePrediction}`);
});
