// A compiled training step allocates nothing in JavaScript, on one thread or cut across two: V8 performs no
// garbage collection during 300,000 steps, while the same loop allocating 32
// bytes a step does (the control that shows the count can see allocation).
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const probe = join(dirname(fileURLToPath(import.meta.url)), "allocation-probe.ts");
const measure = (mode: string, flags: string[] = []): { steps: number; collections: number; threads: number } =>
  JSON.parse(execFileSync(process.execPath, [...flags, "--import", "tsx", probe, mode], { encoding: "utf8" }).trim().split("\n").pop()!);

test("a compiled training step allocates nothing in JavaScript", () => {
  const control = measure("control");
  assert(control.collections > 0, `the control run allocated 32 bytes a step and saw ${control.collections} collections`);
  const steps = measure("plan");
  assertEqual(steps.collections, 0, `garbage collections during ${steps.steps} training steps`);
});

test("a training step whose calls are cut across two threads allocates nothing in JavaScript either", () => {
  // a 1 MB young generation: a few bytes per cut call would fill it many times over
  const flags = ["--max-semi-space-size=1"];
  const control = measure("threaded-control", flags);
  assert(control.collections > 0, `the control run allocated 32 bytes a step and saw ${control.collections} collections`);
  const steps = measure("threaded", flags);
  assertEqual(steps.threads, 2, "the steps ran on two threads");
  assertEqual(steps.collections, 0, `garbage collections during ${steps.steps} threaded training steps`);
});
