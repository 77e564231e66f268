// How each build of the package carries its wasm, and turning it into a
// compiled module. Where a platform bans compiling wasm from bytes at run
// time (Cloudflare Workers, Vercel's Edge Runtime), the build for it imports
// each .wasm file as a module, compiled by the platform before any code
// runs; everywhere else the bytes are embedded in base64 (scripts/build-core.mjs),
// so nothing needs to be served. Turning bytes into a module is on the path
// of every cold start, so each step takes the fastest way the runtime
// offers: a native base64 decoder (Uint8Array.fromBase64, or Node's Buffer;
// elsewhere atob), no gunzip where the bytes are not gzipped (Node's bundle),
// and no separate validation pass (compiling validates).
import { ParalensError } from "./errors.ts";
import { type Platform, platform, platformNames } from "./platform.ts";

/** A wasm module as a build of the package carries it. */
export type WasmSource =
  /** Compiled already: a .wasm file imported as a module. */
  | { readonly module: WebAssembly.Module }
  /** Its bytes in base64, gzipped or not. */
  | { readonly base64: string; readonly gzipped: boolean }
  /** Not part of this build: why, and what to do instead. */
  | { readonly unavailable: string };

/** The compiled module of `source`; `what` names it in errors. */
export async function compileSource(source: WasmSource, what: string): Promise<WebAssembly.Module> {
  if ("module" in source) return imported(source.module, what);
  if ("unavailable" in source) throw new ParalensError(source.unavailable);
  const bytes = decodeBase64(source.base64);
  return compileBytes(source.gzipped ? await gunzip(bytes) : bytes, what);
}

/** The same, synchronously, for small modules (a few kilobytes: under what browsers compile on the main thread) that are not gzipped. */
export function compileSourceSync(source: WasmSource, what: string): WebAssembly.Module {
  if ("module" in source) return imported(source.module, what);
  if ("unavailable" in source) throw new ParalensError(source.unavailable);
  if (source.gzipped) throw new ParalensError(`${what} is gzipped and cannot be compiled synchronously`);
  try {
    return new WebAssembly.Module(decodeBase64(source.base64));
  } catch (err) {
    throw compileFailure(err, what);
  }
}

/** A module the build imported, checked: a bundler that does not compile .wasm imports hands over bytes, a URL or nothing. */
function imported(module: unknown, what: string): WebAssembly.Module {
  if (isWasmModule(module)) return module;
  throw new ParalensError(
    `${what}: the platform's bundler gave ${module === undefined ? "nothing" : Object.prototype.toString.call(module)} for a .wasm imported as a module ` +
      "(paralens's build for Workers and Edge imports ../core.wasm?module): bundle with wrangler or Vercel's tools, which compile .wasm imports, or pass the module yourself with init({ wasm })",
  );
}

/** Compiles bytes, with an error that names why an engine refused them. */
export async function compileBytes(bytes: BufferSource, what: string): Promise<WebAssembly.Module> {
  if (typeof WebAssembly !== "object") throw new ParalensError(`${what}: ${platformNames[platform()]} has no WebAssembly`);
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    throw compileFailure(err, what);
  }
}

/** The smallest module with a SIMD instruction: v128.const in a function. */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** Whether this engine has WebAssembly SIMD (validating compiles nothing, so it is allowed where compiling is not). */
export function hasSimd(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(simdProbe);
}

/** Where compiling wasm from bytes is banned, how to load paralens there instead. */
const codeGenerationFix: Partial<Record<Platform, string>> = {
  workerd:
    'wrangler picks paralens\'s build for Workers by itself (the "workerd" export condition), which imports paralens/core.wasm as a module; ' +
    'with another bundler, import it yourself: `import wasm from "paralens/core.wasm"; await init({ wasm })`',
  "edge-light":
    'Vercel\'s bundlers pick paralens\'s build for the Edge Runtime by themselves (the "edge-light" export condition), which imports paralens/core.wasm?module; ' +
    'with another bundler, import it yourself: `import wasm from "paralens/core.wasm?module"; await init({ wasm })`',
};

/** The error for an engine that refused to compile `what`: code generation banned, no SIMD, or the engine's own words. */
export function compileFailure(err: unknown, what: string): ParalensError {
  const message = err instanceof Error ? err.message : String(err);
  if (/disallowed|code generation|not allowed|CSP|Content Security Policy/i.test(message)) {
    const where = platform();
    const fix = codeGenerationFix[where] ??
      'import the .wasm file as a module where your bundler allows it and pass it: `await init({ wasm })` ' +
        '(paralens/core.wasm; for workerd and edge-light builds the package does this itself), or allow WebAssembly compilation ' +
        "(a page's Content-Security-Policy needs 'wasm-unsafe-eval')";
    return new ParalensError(`${what}: ${platformNames[where]} forbids compiling WebAssembly from bytes at run time (${message}). ${fix}`);
  }
  if (!hasSimd()) {
    return new ParalensError(
      `${what}: ${platformNames[platform()]} has no WebAssembly SIMD, which paralens needs ` +
        "(Node >= 16.4, Deno, Bun, Chrome and Edge >= 91, Firefox >= 89, Safari >= 16.4 have it)",
    );
  }
  return new ParalensError(`${what} is not a valid module for this engine: ${message}`);
}

/** Whether `x` is a compiled wasm module, from this realm or another (a module a host compiled for a sandbox fails `instanceof`). */
export function isWasmModule(x: unknown): x is WebAssembly.Module {
  return typeof x === "object" && x !== null && Object.prototype.toString.call(x) === "[object WebAssembly.Module]";
}

/** Node's Buffer, where there is one: its base64 decoder is native. */
interface NodeBuffer {
  from(text: string, encoding: "base64"): Uint8Array<ArrayBuffer>;
}

/** Uint8Array.fromBase64, where the engine has it (Deno, recent browsers and Bun). */
type NativeFromBase64 = (text: string) => Uint8Array<ArrayBuffer>;

/** Decodes base64 with a native decoder where there is one (Uint8Array.fromBase64, Node's Buffer), else fromBase64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: NativeFromBase64 }).fromBase64;
  if (typeof native === "function") return native(text);
  // (Deno answered above: reading its Buffer global would load its Node layer)
  const buffer = platform() === "node" || platform() === "bun" ? (globalThis as { Buffer?: NodeBuffer }).Buffer : undefined;
  if (buffer === undefined) return fromBase64(text);
  const b = buffer.from(text, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const zlib = nodeZlib();
  if (zlib !== undefined) return new Uint8Array(zlib.gunzipSync(bytes));
  if (typeof DecompressionStream === "undefined") {
    const where = platform();
    throw new ParalensError(
      `init: ${platformNames[where]} has no DecompressionStream to unpack the core embedded in this build of paralens. ` +
        (codeGenerationFix[where] ?? 'Import the core as a file instead: `import wasm from "paralens/core.wasm"` (or fetch it) and `await init({ wasm })`'),
    );
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface Zlib {
  gunzipSync(bytes: Uint8Array): Uint8Array;
}

/** Node's zlib without an import statement, so bundlers for the web see nothing to resolve. */
function nodeZlib(): Zlib | undefined {
  if (platform() !== "node") return undefined;
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("node:zlib") as Zlib | undefined;
}

/** Decodes base64 without a native decoder: through atob, which every runtime without one has. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
