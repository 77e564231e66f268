// Where a threaded engine's pool lies in memory: each worker packs its GEMM
// panels in a scratch block of its own (the calling thread keeps the static
// one), and products cut over K keep their block sums in one more block; all
// lie right after the core's static data and before the arena, so they are
// never part of what the arena hands out or reports. A page's engine, which
// starts on one thread and takes the threaded core when it arrives, sets the
// same room aside from the start, so that its arena stays where it is.
/** Room for the K-block sums of a product cut over K (split.ts): 256K floats. */
const PARTIALS_BYTES = 1 << 20;

/** Where the workers' scratch blocks, the K-block sums and the arena lie, after the core's static data. */
export function poolLayout(workers: number, heapBase: number, scratchBytes: number): { first: number; partials: number; base: number } {
  const first = Math.ceil(heapBase / 16) * 16;
  const partials = first + workers * scratchBytes;
  return { first, partials, base: partials + PARTIALS_BYTES };
}
