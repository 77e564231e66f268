// The kernels of paralens/z2, a wasm module of their own
// (assembly/z2-module.ts) that runs on the engine's memory: the core every
// program loads does not carry them. It is instantiated the first time a Z2
// plan runs on an engine, synchronously (it is a few kilobytes, under what
// browsers compile on the main thread), in its shared-memory build beside a
// threaded core. (Where compiling from bytes is banned, the build for the
// platform imports dist/z2.wasm as a module instead.)
import type { Engine } from "../engine/engine.ts";
import { compileSourceSync } from "../engine/wasm.ts";
import { plain, shared } from "./core.generated.ts";

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
    const onShared = typeof SharedArrayBuffer !== "undefined" && e.memory.buffer instanceof SharedArrayBuffer;
    const module = compileSourceSync(onShared ? shared : plain, "paralens/z2: its kernels");
    kernels = new WebAssembly.Instance(module, { env: { memory: e.memory } }).exports as unknown as Z2Kernels;
    loaded.set(e.memory, kernels);
  }
  return kernels;
}
