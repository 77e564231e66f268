import { createServer } from "node:http";
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { join, extname } from "node:path";
const dir = "/tmp/inst";
const opts = process.argv[2] ?? "{}";
const page = `<!doctype html><script type="importmap">{ "imports": { "paralens": "/node_modules/paralens/dist/web/paralens.js" } }</script>
<script type="module">
await new Promise((r) => setTimeout(r, 300));
const t0 = performance.now();
const P = await import("paralens");
const t1 = performance.now();
await P.init(${opts});
const t2 = performance.now();
const plan = P.compile(P.seq(P.dense(4, 16, "relu"), P.dense(16, 3)), { batch: 1, changes: "none", seed: 1 });
plan.inputs[0].data.fill(0.5); plan.forward();
const t3 = performance.now();
globalThis.__result = JSON.stringify({ import: (t1-t0).toFixed(1), init: (t2-t1).toFixed(1), predict: (t3-t2).toFixed(1), t1: t1.toFixed(1), res: performance.getEntriesByType("resource").map(r => r.name.split("/").pop() + " " + r.startTime.toFixed(1) + "-" + r.responseEnd.toFixed(1)) });
</script>`;
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  const h = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
  if (path === "/p.html") return void res.writeHead(200, { "content-type": "text/html", ...h }).end(page);
  const file = join(dir, path);
  if (!existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": extname(file) === ".js" ? "text/javascript" : "application/octet-stream", ...h }).end(readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
for (let i = 0; i < 4; i++) { const tab = await browser.newPage();
const cdp = await tab.context().newCDPSession(tab);

await tab.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/p.html`);
const h = await tab.waitForFunction(() => (globalThis as any).__result);
console.log(await h.jsonValue()); await tab.close(); }
await browser.close(); server.close();
