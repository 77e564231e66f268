// The browser part's check of the fine-tuning page (examples/web/finetune/):
// the page fetches the ONNX file PyTorch wrote and the digits, imports the
// model, freezes its convolutions and fits its head in Chromium; its
// accuracies and the hash of its parameters must be the ones the same steps
// give in Node (finetune.js, shared by the page and the Node example).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as P from "../ts-api/index.ts";
import * as io from "../ts-api/io/index.ts";
import { finetuneDigits } from "../examples/data/finetune-digits.ts";
import { decodeDigits, finetune, parameterHash } from "../examples/web/finetune/finetune.js";
import type { Page } from "./web-page.ts";


const PER_CLASS = 40, EPOCHS = 2;

/** Serves the page with its model and digits (dist/ is already in the site), runs it, and compares with Node. Returns a problem, or null. */
export async function checkFinetunePage(page: Page, root: string, site: string, port: number): Promise<string | null> {
  const dir = join(site, "examples", "web", "finetune");
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(site, "examples", "models"), { recursive: true });
  for (const f of ["index.html", "app.js", "finetune.js"]) cpSync(join(root, "examples", "web", "finetune", f), join(dir, f));
  cpSync(join(root, "examples", "models", "digits-0-4.onnx"), join(site, "examples", "models", "digits-0-4.onnx"));
  const bytes = finetuneDigits(PER_CLASS);
  writeFileSync(join(dir, "digits.bin"), bytes);

  await page.goto(`http://127.0.0.1:${port}/examples/web/finetune/index.html?epochs=${EPOCHS}`);
  const got = (await (await page.waitForFunction(() => (globalThis as { __finetuned?: unknown }).__finetuned, undefined, { timeout: 120_000 })).jsonValue()) as {
    error?: string; before: { new: number; old: number }; after: { new: number; old: number }; hash: string; threads: number;
  };
  if (got.error !== undefined) return `the fine-tuning page failed: ${got.error}`;

  await P.init();
  const onnx = readFileSync(join(root, "examples", "models", "digits-0-4.onnx"));
  const { learner, before, after } = await finetune(P, io, onnx, decodeDigits(bytes), { epochs: EPOCHS });
  const hash = parameterHash(learner);
  learner.dispose();
  const ours = JSON.stringify({ before, after, hash });
  const theirs = JSON.stringify({ before: got.before, after: got.after, hash: got.hash });
  if (ours !== theirs) return `the fine-tuning page gave ${theirs}, Node ${ours}`;
  if (!(after.new > before.new + 0.3)) return `fitting the head did not learn the digits 5-9: accuracy ${before.new} -> ${after.new}`;
  console.log(`fine-tuning page: digits 5-9 accuracy ${before.new} -> ${after.new}, parameters ${hash} on ${got.threads} thread(s), as in Node`);
  return null;
}
