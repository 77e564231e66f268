// The exports of core.wasm: generated from assembly/index.ts at build time
// (scripts/core-interface.mjs), so the TypeScript side can only call kernels
// the core really exports, with their arguments in their order.
export { type Core, type ThreadedCore, kernelNames } from "./kernels.generated.ts";
