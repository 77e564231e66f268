// The cores embedded in the package, as wasm in base64, gzipped first for the
// web (scripts/build-core.mjs) and not for Node's bundle, which is read from
// disk, not sent over a network (scripts/build-bundles.mjs). Turning one into
// a compiled module is on the path of every cold start, so each step takes the
// fastest way the runtime offers: Node's native base64 decoder (elsewhere a
// table-driven one, no intermediate string), no gunzip in Node at all (loading
// node:zlib alone takes ~2 ms; a DecompressionStream costs Node ~30 ms to set
// up, Chromium and Deno next to nothing), and no separate validation pass
// (compiling validates; only the relaxed build is probed first, since it may
// be refused).
import { ParalensError } from "./errors.ts";
import { gzipped as strictGzipped, wasmBase64 as strictBase64 } from "./core.generated.ts";

type Gunzip = (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;

/** A generated core module: its wasm in base64 (gzipped or not), and for a threaded one the pages of the shared memory it imports. */
interface CoreSource {
  readonly wasmBase64: string;
  readonly gzipped: boolean;
  readonly memoryPages?: EmbeddedCore["memoryPages"];
}

/** A core's wasm bytes, and for a threaded one the pages of the shared memory it imports. */
export interface EmbeddedCore {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly relaxed: boolean;
  readonly memoryPages?: { readonly initial: number; readonly maximum: number };
}

/**
 * The strict core's wasm bytes, or the relaxed core's if asked for and this
 * engine validates it; the threaded build of either with `threaded`.
 */
export async function embeddedCore(relaxed: boolean, threaded = false): Promise<EmbeddedCore> {
  if (relaxed) {
    // loaded only on request, so the strict-only bundle stays small
    const source: CoreSource = threaded ? await import("./core-relaxed-threads.generated.ts") : await import("./core-relaxed.generated.ts");
    const bytes = await unpack(source);
    if (WebAssembly.validate(bytes)) return { bytes, relaxed: true, memoryPages: source.memoryPages };
  }
  // the threaded core comes as a chunk of its own, so a page on one thread never downloads it
  const source: CoreSource = threaded ? await import("./core-threads.generated.ts") : { wasmBase64: strictBase64, gzipped: strictGzipped };
  return { bytes: await unpack(source), relaxed: false, memoryPages: source.memoryPages };
}

async function unpack({ wasmBase64, gzipped }: CoreSource): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = decodeBase64(wasmBase64);
  return gzipped ? await gunzip(bytes) : bytes;
}

/** Node's Buffer, where there is one: its base64 decoder is native. */
interface NodeBuffer {
  from(text: string, encoding: "base64"): Uint8Array<ArrayBuffer>;
}

/** Decodes base64 with Node's native decoder where there is one, else fromBase64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  if (buffer === undefined) return fromBase64(text);
  const b = buffer.from(text, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

const gunzip: Gunzip = async (bytes) => {
  const zlib = nodeZlib();
  if (zlib !== undefined) return new Uint8Array(zlib.gunzipSync(bytes));
  if (typeof DecompressionStream === "undefined") {
    throw new ParalensError("init: this runtime has no DecompressionStream to unpack the embedded core; pass init({ wasm }) the file paralens/core.wasm");
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};

interface Zlib {
  gunzipSync(bytes: Uint8Array): Uint8Array;
}

/** Node's zlib without an import statement, so bundlers for the web see nothing to resolve. */
function nodeZlib(): Zlib | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown; versions?: { node?: string; deno?: string } } }).process;
  if (proc?.versions?.node === undefined || proc.versions.deno !== undefined) return undefined;
  return proc.getBuiltinModule?.("node:zlib") as Zlib | undefined;
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
let table: Uint8Array | undefined;

/** Decodes standard base64 (with or without padding) straight into bytes. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (table === undefined) {
    table = new Uint8Array(128).fill(255);
    for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  }
  const t = table;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const out = new Uint8Array((end * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const n = (t[text.charCodeAt(i)]! << 18) | (t[text.charCodeAt(i + 1)]! << 12) | (t[text.charCodeAt(i + 2)]! << 6) | t[text.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (end - i === 2) out[o++] = (t[text.charCodeAt(i)]! << 2) | (t[text.charCodeAt(i + 1)]! >> 4);
  if (end - i === 3) {
    const n = (t[text.charCodeAt(i)]! << 10) | (t[text.charCodeAt(i + 1)]! << 4) | (t[text.charCodeAt(i + 2)]! >> 2);
    out[o++] = n >> 8;
    out[o++] = n & 255;
  }
  return out;
}
