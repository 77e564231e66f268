// One way for a Node-only test to run a page in headless Chromium: serve a
// folder (and optional pages given as text) on a local port, open the page,
// and wait for the program on it to set globalThis.__result. Used by the
// install paths and the thread tests.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { assert } from "./assert.ts";

const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => p && existsSync(p));
const mime: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".wasm": "application/wasm" };

export interface PageRun {
  /** The folder served. */
  readonly dir: string;
  /** The page to open, a path below dir (or a key of `pages`). */
  readonly page: string;
  /** Pages served from text instead of files, by path. */
  readonly pages?: Readonly<Record<string, string>>;
  /** Headers sent with every response (e.g. the cross-origin isolation pair). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Runs the page; the line it set as __result, and the paths it requested. */
export async function inChromium({ dir, page, pages = {}, headers = {} }: PageRun): Promise<{ line: string; requested: string[] }> {
  assert(chromium !== undefined, "no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)");
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requested.push(path);
    const text = pages[path.slice(1)];
    if (text !== undefined) return void res.writeHead(200, { "content-type": mime[extname(path)] ?? "text/html", ...headers }).end(text);
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": mime[extname(file)] ?? "application/octet-stream", ...headers }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { chromium: launcher } = await import("playwright-core");
  const browser = await launcher.launch({
    executablePath: chromium,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/${page}`);
    const handle = await tab.waitForFunction(() => (globalThis as { __result?: string }).__result, undefined, { timeout: 120_000 }).catch((e: Error) => {
      throw new Error(`${page} did not finish: ${errors.join("; ") || e.message}`);
    });
    return { line: (await handle.jsonValue()) as string, requested };
  } finally {
    await browser.close();
    server.close();
  }
}
