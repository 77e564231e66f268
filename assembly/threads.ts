// What the threaded core exports besides everything of index.ts: the pieces
// a large call is cut into (threads/split.ts in the TypeScript engine) and
// the scratch each worker instance moves to a block of its own (scratchBytes,
// the size of that block, is index.ts's). Only the
// threaded builds export them, so the one-thread core that every program
// loads stays smaller.
export * from "./index";
export { gemmPart, gemmBlocks, gemmFold, useScratch } from "./gemm";
export { sumRowsPart } from "./bias";
import { NC } from "./gemm";

/** The GEMM's N block: each block of op(B)'s columns is packed once, with every panel of op(A) packed for it. */
export function gemmNBlock(): i32 {
  return NC;
}
