// A compiled training step allocates nothing in JavaScript, on one thread or cut across two: V8 performs no
// garbage collection during 300,000 steps, while the same loop allocating 32
// bytes a step does (the control that shows the count can see allocation).
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const probe = join(dirname(fileURLToPath(import.meta.url)), "allocation-probe.ts");
const measure = (mode: string): { steps: number; collections: number; threads: number; bytesPerStep?: number } =>
  JSON.parse(execFileSync(process.execPath, ["--import", "tsx", probe, mode], { encoding: "utf8" }).trim().split("\n").pop()!);

test("a compiled training step allocates nothing in JavaScript", () => {
  const control = measure("control");
  assert(control.collections > 0, `the control run allocated 32 bytes a step and saw ${control.collections} collections`);
  const steps = measure("plan");
  assertEqual(steps.collections, 0, `garbage collections during ${steps.steps} training steps`);
});

test("a training step whose calls are cut across two threads allocates nothing in JavaScript either", () => {
  const control = measure("threaded-control");
  assert(control.bytesPerStep !== undefined && control.bytesPerStep > 16, `the control run allocates ${control.bytesPerStep} bytes a step`);
  const steps = measure("threaded");
  assertEqual(steps.threads, 2, "the steps ran on two threads");
  // (null: every window saw a collection, so the steps allocate more than the young generation holds)
  assert(typeof steps.bytesPerStep === "number" && steps.bytesPerStep < 1, `a threaded training step allocates ${steps.bytesPerStep ?? "enough to collect in every window:"} bytes`);
});
