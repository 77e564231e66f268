// The four builds of the core (strict or relaxed SIMD, each alone or
// threaded: on shared, imported memory) and how init picks one. The strict
// one-thread core is imported statically; the others are chunks of their own
// (loaded only on request), so a program on one thread with strict SIMD never
// downloads or parses them, and a build for a platform without them (Workers,
// Edge) leaves them out (scripts/build-bundles.mjs).
import { wasm as strictSource } from "./core.generated.ts";
import { type WasmSource, compileSource } from "./wasm.ts";

/** A generated core module: how this build carries the wasm, and for a threaded one the pages of the shared memory it imports. */
interface CoreSource {
  readonly wasm: WasmSource;
  readonly memoryPages?: CoreModule["memoryPages"];
}

/** A compiled core, and for a threaded one the pages of the shared memory it imports. */
export interface CoreModule {
  readonly module: WebAssembly.Module;
  readonly relaxed: boolean;
  readonly memoryPages?: {
    readonly initial: number;
    readonly maximum: number;
    /** Where the core's static data ends, and the scratch each worker needs (threads/start.ts lays them out). */
    readonly heapBase: number;
    readonly scratchBytes: number;
  };
}

const WHAT = "init: the paralens core";

/**
 * The strict core, or the relaxed one if asked for and this engine has
 * relaxed SIMD (else the strict one: `engine().simd` tells); the threaded
 * build of either with `threaded`.
 */
export async function loadCore(relaxed: boolean, threaded: boolean): Promise<CoreModule> {
  if (relaxed) {
    const source: CoreSource = threaded ? await import("./core-relaxed-threads.generated.ts") : await import("./core-relaxed.generated.ts");
    // an engine without relaxed SIMD refuses the module (and a build may leave it out): the strict one runs instead
    const module = "unavailable" in source.wasm ? undefined : await compileSource(source.wasm, WHAT).catch(() => undefined);
    if (module !== undefined) return { module, relaxed: true, memoryPages: source.memoryPages };
  }
  const source: CoreSource = threaded ? await import("./core-threads.generated.ts") : { wasm: strictSource };
  return { module: await compileSource(source.wasm, WHAT), relaxed: false, memoryPages: source.memoryPages };
}
