// The browser part's check of the example page (examples/web/): a small
// model with seeded parameters is saved the way the char-transformer example
// saves one, the page loads it in Chromium and continues its prompt, and the
// text must be the one the same decoder samples in Node with the same seed:
// the same bits in both engines.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile, init, transformer, initialisers, serve } from "../ts-api/index.ts";
import { encodeSafetensors } from "../ts-api/io/index.ts";

/** What the checks of the example pages use of a Playwright page. */
export interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(f: () => unknown, arg: undefined, options: { timeout: number }): Promise<{ jsonValue(): Promise<unknown> }>;
}

const PROMPT = "Call me Ishmael. ";

/** Copies the page, dist/ and a model into the served site, opens the page and compares its text with Node's. Returns a problem, or null. */
export async function checkWebPage(page: Page, root: string, site: string, port: number): Promise<string | null> {
  await init();
  const chars = [..." .Caeilmhs"];
  const options = { vocab: chars.length, context: 32, dim: 16, heads: 2, layers: 1 };
  const plan = compile(transformer(options), { batch: 1, changes: "none", seed: 4 });
  const model = transformer(options);
  const tensors = Object.fromEntries(model.params.map((p, i) => [p.name, { shape: p.shape, values: plan.params[i]!.toArray() }]));
  mkdirSync(join(site, "examples", "web"), { recursive: true });
  for (const f of ["index.html", "app.js"]) cpSync(join(root, "examples", "web", f), join(site, "examples", "web", f));
  cpSync(join(root, "dist"), join(site, "dist"), { recursive: true });
  writeFileSync(join(site, "examples", "web", "test-model.safetensors"), encodeSafetensors(tensors, { metadata: { alphabet: JSON.stringify(chars), options: JSON.stringify(options) } }));

  const count = 12, temperature = 0.8, topK = 5;
  await page.goto(`http://127.0.0.1:${port}/examples/web/index.html?model=./test-model.safetensors&seed=3&count=${count}&temperature=${temperature}&topk=${topK}`);
  const got = (await (await page.waitForFunction(() => (globalThis as { __generated?: unknown }).__generated, undefined, { timeout: 60_000 })).jsonValue()) as { prompt: string; text: string };

  const decoder = new serve.Decoder(options, plan.params);
  // as the page encodes it: a character outside the alphabet reads as a space
  const ids = [...PROMPT].map((c) => chars.indexOf(chars.includes(c) ? c : " "));
  const expected = decoder.generate(ids, count, new initialisers.Rng(3), { temperature, topK }).map((i) => chars[i]).join("");
  decoder.dispose();
  plan.dispose();
  if (got.prompt !== PROMPT) return `the page continued ${JSON.stringify(got.prompt)}, not its default prompt`;
  if (got.text !== expected) return `the page generated ${JSON.stringify(got.text)}, Node ${JSON.stringify(expected)}`;
  console.log(`web page: continued the prompt with ${JSON.stringify(got.text)}, as Node does`);
  return null;
}
