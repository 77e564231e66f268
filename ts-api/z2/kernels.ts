// The kernels of paralens/z2, a wasm module of their own
// (assembly/z2-module.ts) that runs on the engine's memory: the core every
// program loads does not carry them. It is instantiated the first time a Z2
// plan runs on an engine, synchronously (it is a few kilobytes, under what
// browsers compile on the main thread), in its shared-memory build beside a
// threaded core.
import type { Engine } from "../engine/engine.ts";
import { decodeBase64 } from "../engine/embedded.ts";
import { plainBase64, sharedBase64 } from "./core.generated.ts";

/** The exports of assembly/z2-module.ts (addresses are byte offsets in the engine's memory). */
export interface Z2Kernels {
  z2Run(code: number, count: number, scratch: number, block: number, words: number, batch: number): void;
  z2Fold(words: number, n: number): void;
  z2Count(wire: number, words: number, batch: number): number;
}

const loaded = new WeakMap<WebAssembly.Memory, Z2Kernels>();

/** The Z2 kernels on `e`'s memory (made once per engine). */
export function z2Kernels(e: Engine): Z2Kernels {
  let kernels = loaded.get(e.memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer !== "undefined" && e.memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(decodeBase64(shared ? sharedBase64 : plainBase64));
    kernels = new WebAssembly.Instance(module, { env: { memory: e.memory } }).exports as unknown as Z2Kernels;
    loaded.set(e.memory, kernels);
  }
  return kernels;
}
