// The two edge platforms as a user's deployment meets them, locally:
//
// - Cloudflare Workers: wrangler bundles the Worker (`wrangler deploy
//   --dry-run --outdir`, which applies the "workerd" export condition and
//   turns .wasm imports into modules the platform compiles), and Miniflare
//   runs the bundle in workerd, which bans compiling wasm from bytes.
// - Vercel's Edge Runtime: esbuild bundles the function with the
//   "edge-light" condition, and each `*.wasm?module` import becomes a module
//   the host compiles and hands to the sandbox, as Vercel's bundler does; the
//   edge runtime runs it with wasm code generation off, as a deployed Edge
//   Function has it (so the modules come from another realm).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { EdgeRuntime } from "edge-runtime";
import { Miniflare } from "miniflare";

const root = join(import.meta.dirname, "..", "..");

/** What wrangler wrote for a Worker: the folder, the script's file name, and its upload sizes as wrangler reports them. */
export interface WorkerBundle {
  readonly outdir: string;
  readonly script: string;
  /** "Total Upload: X KiB / gzip: Y KiB", in bytes. */
  readonly uploadBytes: number;
  readonly gzipBytes: number;
  /** The files, by name (the script, its source map, each .wasm module). */
  readonly files: readonly string[];
}

/** Bundles the Worker of `dir` (its wrangler.toml) as `wrangler deploy` would, without deploying. */
export function bundleWorker(dir: string, outdir = join(dir, "wrangler-out"), config = "wrangler.toml"): WorkerBundle {
  let output: string;
  try {
    output = execFileSync(process.execPath, [join(root, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", outdir, "--config", config], {
      cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`wrangler could not bundle the Worker in ${dir}:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
  const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (sizes === null) throw new Error(`wrangler printed no upload size:\n${output}`);
  const files = readdirSync(outdir);
  const script = files.find((f) => f.endsWith(".js"));
  if (script === undefined) throw new Error(`wrangler wrote no script in ${outdir} (${files.join(", ")})`);
  return { outdir, script, uploadBytes: Number(sizes[1]) * 1024, gzipBytes: Number(sizes[2]) * 1024, files };
}

/** A Worker bundle running in workerd, answering requests until disposed. */
export async function startWorker(bundle: WorkerBundle, compatibilityDate: string, bindings: Record<string, string> = {}): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(bundle.outdir, bundle.script),
    modulesRoot: bundle.outdir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }, { type: "Data", include: ["**/*.bin", "**/*.safetensors"] }],
    compatibilityDate,
    bindings,
  });
  try {
    await within(mf.ready, "workerd to start");
  } catch (e) {
    await mf.dispose().catch(() => undefined);
    throw e;
  }
  return mf;
}

/** Rejects if `promise` has not settled in `ms` (a runtime that hangs fails the test instead of holding it open). */
export function within<T>(promise: Promise<T>, what: string, ms = 180_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs one request against a fresh workerd with the bundle; the response's text, or an error with it. */
export async function inWorkerd(bundle: WorkerBundle, compatibilityDate: string, path = "/"): Promise<string> {
  const mf = await startWorker(bundle, compatibilityDate);
  try {
    const response = await within(mf.dispatchFetch(`http://localhost${path}`), `the Worker's answer to ${path}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`the Worker answered ${response.status}: ${text.slice(0, 2000)}`);
    return text;
  } finally {
    await mf.dispose();
  }
}

/** An Edge Function's code as Vercel bundles it: one script, and the wasm modules it imports by the global names it reads them from. */
export interface EdgeBundle {
  readonly code: string;
  readonly modules: Readonly<Record<string, string>>;
}

/** Bundles `entry` (in `dir`) with the edge-light condition; each `*.wasm?module` import reads a global the sandbox is given. */
export async function bundleEdge(dir: string, entry: string): Promise<EdgeBundle> {
  const modules: Record<string, string> = {};
  const result = await build({
    entryPoints: [join(dir, entry)], absWorkingDir: dir, bundle: true, write: false, format: "iife", platform: "neutral",
    mainFields: ["module", "main"], conditions: ["edge-light", "worker", "browser"], logLevel: "error",
    plugins: [{
      name: "wasm-modules",
      setup(b) {
        b.onResolve({ filter: /\.wasm\?module$/ }, (a) => ({ path: join(a.resolveDir, a.path.replace(/\?module$/, "")), namespace: "wasm-module" }));
        b.onLoad({ filter: /.*/, namespace: "wasm-module" }, (a) => {
          const name = `__wasm_${Object.keys(modules).length}`;
          modules[name] = a.path;
          return { contents: `export default globalThis.${name};`, loader: "js" };
        });
      },
    }],
  });
  return { code: result.outputFiles[0]!.text, modules };
}

/** A sandbox of the edge runtime with the bundle evaluated in it, wasm code generation off; `compile` false leaves the modules out. */
export function edgeRuntime(bundle: EdgeBundle, { compile = true } = {}): EdgeRuntime {
  return new EdgeRuntime({
    initialCode: bundle.code,
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => {
      // compiled by the host, in the host's realm, as Vercel's runtime does
      if (compile) for (const [name, path] of Object.entries(bundle.modules)) context[name] = new WebAssembly.Module(readFileSync(path));
      return context;
    },
  });
}
