// A fresh project with the packed package installed, as a user gets it:
// `npm pack` of this repository, then `npm install <tarball>` into an empty
// folder (offline: paralens has no dependencies, so the tarball is all npm
// needs). The same training program is then written in each flavour a user
// would write it: ESM, CommonJS, Deno, Bun, an esbuild bundle, a plain page,
// a module Web Worker, a module Service Worker, a Cloudflare Worker and a
// Vercel Edge Function.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { irisFeatures, irisLabels } from "../../examples/data/iris.ts";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
// The npm a user has, not one a dev dependency brings: under `npm test` the
// PATH starts with node_modules/.bin, where an old npm 6 (a dependency of a
// dev dependency) would misread --pack-destination.
const env = { ...process.env, PATH: (process.env.PATH ?? "").split(delimiter).filter((p) => !p.includes(join("node_modules", ".bin"))).join(delimiter) };

/** Packs the repository (without running its build again) into `dir`; the tarball's path. */
export function pack(dir: string): string {
  if (!existsSync(join(root, "dist", "bundle", "index.js"))) throw new Error("dist/ is not built: run npm run build");
  try {
    execFileSync(npm, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: root, encoding: "utf8", stdio: "pipe", env });
  } catch (e) {
    const { status, stderr, stdout } = e as { status?: number; stderr?: string; stdout?: string };
    throw new Error(`npm pack exited with ${status}:\n${stderr ?? ""}\n${stdout ?? ""}`);
  }
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${dir}`);
  return join(dir, tarball);
}

/** A new folder with package.json and the tarball installed into node_modules. */
export function project(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), "paralens-install-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "paralens-user", private: true, type: "module" }));
  execFileSync(npm, ["install", tarball, "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"], { cwd: dir, encoding: "utf8", env });
  return dir;
}

/**
 * The program every flavour runs, given the module namespace `P`: train Iris
 * (4 -> 16 relu -> 3, Adam), save it as safetensors and return the FNV-1a hash
 * of the file with the training accuracy. Same seed, same build: same bytes.
 */
const program = `
const data = ${JSON.stringify({ x: irisFeatures, y: irisLabels })};
async function train(P) {
  await P.init();
  const model = P.seq(P.dense(4, 16, "relu"), P.dense(16, 3));
  const learner = P.supervised(model, { loss: P.softmaxCrossEntropy, optimiser: P.adam({ lr: 0.02 }), rate: 1, seed: 7 });
  await learner.fit(data.x, data.y, { epochs: 60, batchSize: 16, seed: 7 });
  const { accuracy } = learner.evaluate(data.x, data.y);
  const file = await learner.save();
  let h = 0x811c9dc5;
  for (const b of file) h = Math.imul(h ^ b, 0x01000193);
  return "trained: " + (h >>> 0).toString(16).padStart(8, "0") + " accuracy " + accuracy.toFixed(4) + " bytes " + file.length;
}
`;

/** Writes the programs into `dir`. */
export function writePrograms(dir: string): void {
  writeFileSync(join(dir, "esm.mjs"), `import * as P from "paralens";\n${program}\nconsole.log(await train(P));\n`);
  writeFileSync(join(dir, "cjs.cjs"), `const P = require("paralens");\n${program}\ntrain(P).then((line) => console.log(line));\n`);
  // Deno resolves npm: specifiers from the node_modules folder npm made
  writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  writeFileSync(join(dir, "deno.mjs"), `import * as P from "npm:paralens";\n${program}\nconsole.log(await train(P));\n`);
  const report = `train(P).then((line) => { globalThis.__result = line; }, (e) => { globalThis.__result = "error: " + e.message; });`;
  writeFileSync(join(dir, "bundle-entry.mjs"), `import * as P from "paralens";\n${program}\n${report}\n`);
  writeFileSync(join(dir, "bundle.html"), `<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="./bundle.js"></script>\n`);
  writeFileSync(
    join(dir, "page.html"),
    `<!doctype html>\n<meta charset="utf-8">\n` +
      `<script type="importmap">{ "imports": { "paralens": "./node_modules/paralens/dist/web/paralens.js" } }</script>\n` +
      `<script type="module">\nimport * as P from "paralens";\n${program}\n${report}\n</script>\n`,
  );
  // a module Web Worker imports the web build by its path (import maps do not reach workers) and posts its line
  writeFileSync(
    join(dir, "web-worker.mjs"),
    `import * as P from "./node_modules/paralens/dist/web/paralens.js";\n${program}\n` +
      `train(P).then((line) => postMessage(line), (e) => postMessage("error: " + e.message));\n`,
  );
  writeFileSync(
    join(dir, "worker.html"),
    `<!doctype html>\n<meta charset="utf-8">\n<script type="module">\n` +
      `const w = new Worker("./web-worker.mjs", { type: "module" });\n` +
      `w.onmessage = (m) => { globalThis.__result = m.data; };\n` +
      `w.onerror = (e) => { globalThis.__result = "error: " + e.message; };\n</script>\n`,
  );
  // a module Service Worker: it trains when the page asks, and answers the page
  writeFileSync(
    join(dir, "service-worker.mjs"),
    `import * as P from "./node_modules/paralens/dist/web/paralens.js";\n${program}\n` +
      `self.addEventListener("message", (event) => { event.waitUntil(train(P).then((line) => event.source.postMessage(line), (e) => event.source.postMessage("error: " + e.message))); });\n`,
  );
  writeFileSync(
    join(dir, "service-worker.html"),
    `<!doctype html>\n<meta charset="utf-8">\n<script type="module">\n` +
      `navigator.serviceWorker.onmessage = (m) => { globalThis.__result = m.data; };\n` +
      `navigator.serviceWorker.register("./service-worker.mjs", { type: "module" }).then(() => navigator.serviceWorker.ready)` +
      `.then((r) => r.active.postMessage("train"), (e) => { globalThis.__result = "error: " + e.message; });\n</script>\n`,
  );
  // a Cloudflare Worker as wrangler bundles it (the "workerd" condition), answering with its line
  writeFileSync(
    join(dir, "cf-worker.mjs"),
    `import * as P from "paralens";\n${program}\nexport default { async fetch() { return new Response(await train(P)); } };\n`,
  );
  writeFileSync(join(dir, "wrangler.toml"), `name = "paralens-install"\nmain = "cf-worker.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  // a Vercel Edge Function's code (the "edge-light" condition), run by the edge runtime with wasm code generation off
  writeFileSync(join(dir, "edge-entry.mjs"), `import * as P from "paralens";\n${program}\nglobalThis.__train = () => train(P);\n`);
}

/** The Workers compatibility date the tests bundle and run with. */
export const COMPATIBILITY_DATE = "2025-06-01";
