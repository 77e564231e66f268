// Resumption across processes: a fit saved after epoch 3 and continued in a
// fresh process with { initialEpoch: 3 } ends with parameters and optimiser
// state bit-identical to an uninterrupted fit (Adam's moments and step count,
// and the shuffle order, included).
import { test } from "./harness.ts";
import { assertEqual } from "./assert.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const probe = join(dirname(fileURLToPath(import.meta.url)), "resume-probe.ts");
const run = (...args: string[]): string => execFileSync(process.execPath, ["--import", "tsx", probe, ...args], { encoding: "utf8" }).trim();

test("a fit saved half way and resumed in a fresh process ends bit-identical to an uninterrupted one", () => {
  const dir = mkdtempSync(join(tmpdir(), "paralens-resume-"));
  try {
    const file = join(dir, "half.safetensors");
    const whole = run("whole");
    assertEqual(run("first", file) === whole, false, "three epochs differ from six");
    assertEqual(run("rest", file), whole, "hash of parameters and optimiser state");
  } finally {
    rmSync(dir, { recursive: true });
  }
});
