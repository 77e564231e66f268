// Resumption across processes: a fit saved after epoch 3 and continued in a
// fresh process with { initialEpoch: 3 } ends with parameters and optimiser
// state bit-identical to an uninterrupted fit (Adam's moments and step count,
// and the shuffle order, included). So does one stopped in the middle of
// epoch 4, saved from onBatchEnd and resumed with { initialEpoch: 3, initialStep: 3 }.
import { test } from "./harness.ts";
import { assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const probe = join(dirname(fileURLToPath(import.meta.url)), "resume-probe.ts");
const run = (...args: string[]): string => execFileSync(process.execPath, ["--import", "tsx", probe, ...args], { encoding: "utf8" }).trim();

test("a fit saved half way (at an epoch's end or in its middle) and resumed in a fresh process ends bit-identical to an uninterrupted one", () => {
  const dir = mkdtempSync(join(tmpdir(), "paralens-resume-"));
  try {
    const file = join(dir, "half.safetensors");
    const whole = run("whole");
    assertEqual(run("first", file) === whole, false, "three epochs differ from six");
    assertEqual(run("rest", file), whole, "hash of parameters and optimiser state");
    const cut = join(dir, "cut.safetensors");
    assertEqual(run("cut", cut) === whole, false, "a fit stopped in epoch 4 differs from six epochs");
    assertEqual(run("resume", cut), whole, "resumed from step 4 of epoch 4: hash of parameters and optimiser state");
  } finally {
    rmSync(dir, { recursive: true });
  }
});
