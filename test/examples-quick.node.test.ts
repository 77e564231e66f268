// The examples beyond supervised learning run end to end: each one's --quick
// mode (a few steps, pictures under build/images/quick) ends with its --json
// line, {"example": name, "metrics": {...}} with the metrics the table of
// docs/results.md reads, all finite; and the pictures it wrote are valid (every PNG
// decodes, every SVG is well-formed XML). Node only: the examples are child
// processes that read the digits and write files.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { XMLValidator } from "fast-xml-parser";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";

const root = join(import.meta.dirname, "..");
const quickImages = join(root, "build", "images", "quick");

/**
 * Each example, the metrics its table row needs, and the pictures its --quick
 * run writes. In this order the runs two at a time put dream before
 * adversarial in one line, so the classifier both load is trained once.
 */
const examples: Record<string, { metrics: readonly string[]; pictures: readonly string[] }> = {
  dream: { metrics: ["classesAbove099", "minProbabilityFromNoise", "minProbabilityFromDigit", "steps"], pictures: ["dream.png"] },
  "wgan-mnist": { metrics: ["digit", "epochs", "generatorSteps", "firstEstimate", "finalEstimate", "finalTestEstimate", "estimatePerEpoch"], pictures: ["wgan-mnist.png"] },
  adversarial: { metrics: ["testDigits", "pgdSteps", "fgsm_0.05", "pgd_0.05", "fgsm_0.1", "pgd_0.1", "fgsm_0.2", "pgd_0.2"], pictures: ["adversarial.png"] },
  "wgan-2d": { metrics: ["modesCovered", "meanDistanceToMode", "steps"], pictures: ["wgan-2d.svg"] },
  autoencoder: { metrics: ["testMsePerPixel", "meanDigitMsePerPixel", "epochs"], pictures: ["autoencoder.png", "autoencoder-latent.svg"] },
};

/** The {"example", "metrics"} object of an output's last line. */
function closingLine(name: string, stdout: string): { example: unknown; metrics: Record<string, unknown> } {
  const last = stdout.trimEnd().split("\n").pop() ?? "";
  let parsed: { example?: unknown; metrics?: unknown };
  try {
    parsed = JSON.parse(last) as typeof parsed;
  } catch {
    throw new Error(`${name}: its last line is not JSON: ${last.slice(0, 200)}`);
  }
  assert(typeof parsed.metrics === "object" && parsed.metrics !== null, `${name}: no metrics object in ${last.slice(0, 200)}`);
  return { example: parsed.example, metrics: parsed.metrics as Record<string, unknown> };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs examples/<name>.ts --quick --json in a child process (killed after two minutes). */
function runQuick(name: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "examples", `${name}.ts`), "--quick", "--json"], { cwd: root, timeout: 120_000 });
    const run: Run = { status: null, stdout: "", stderr: "" };
    child.stdout.setEncoding("utf8").on("data", (s: string) => (run.stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (run.stderr += s));
    child.on("close", (code) => resolve({ ...run, status: code }));
  });
}

// Two examples at a time, one per core of the machine the suite runs on, all
// queued before the first test awaits its own. The old pictures are removed
// first, so a stale file cannot pass for a new one.
for (const { pictures } of Object.values(examples)) for (const picture of pictures) rmSync(join(quickImages, picture), { force: true });
const queue = Object.keys(examples);
const runs = new Map<string, Promise<Run>>();
const slots = [Promise.resolve(), Promise.resolve()];
queue.forEach((name, i) => {
  const run = slots[i % 2]!.then(() => runQuick(name));
  slots[i % 2] = run.then(() => undefined);
  runs.set(name, run);
});

for (const [name, expected] of Object.entries(examples)) {
  test(`example ${name} --quick ends with its --json line and writes valid pictures`, async () => {
    const run = await runs.get(name)!;
    assertEqual(run.status, 0, `${name} exited with ${run.status}: ${run.stderr.slice(-500)}`);
    const { example, metrics } = closingLine(name, run.stdout);
    assertEqual(example, name);
    for (const [key, value] of Object.entries(metrics)) {
      assert(typeof value === "string" || (typeof value === "number" && Number.isFinite(value)), `${name}: metric ${key} is ${JSON.stringify(value)}`);
    }
    for (const key of expected.metrics) assert(key in metrics, `${name}: no metric ${key} in ${Object.keys(metrics).join(", ")}`);
    for (const picture of expected.pictures) {
      const bytes = readFileSync(join(quickImages, picture));
      if (picture.endsWith(".png")) {
        const png = decode(bytes);
        assert(png.width > 28 && png.height > 28 && png.data.length === png.width * png.height * png.channels, `${picture}: ${png.width} x ${png.height}`);
      } else {
        const valid = XMLValidator.validate(bytes.toString("utf8"));
        assert(valid === true, `${picture} is not well-formed XML: ${JSON.stringify(valid)}`);
      }
    }
  });
}
