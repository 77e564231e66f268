// Sharing a call out by where the threads actually finish, not in equal
// parts. Equal parts of a call are often not equal work for the threads: a
// plan reuses memory, so the part of a tensor one thread writes was often
// last written, in a different tensor, by another thread, and taking over
// another core's cache lines makes that thread run up to twice as slow at
// that call (and a shared machine slows one core or the other for seconds at
// a time). The pattern is the same at every step, so each call site (pool.ts:
// the kernel and where it writes) keeps its own shares. After a dispatch in
// which every thread ran its own part, each worker says whether it finished
// before the calling thread or after it, and the site's shares move a small
// step: a worker that finished first gets a little more, one that finished
// last a little less, the caller the balance. Shares then settle where the
// threads finish together and follow the machine as it changes.
//
// No clock is read: a finishing order is a word the worker writes, while a
// time would be a fraction, and in Node the calling thread boxes each one it
// reads (an allocation per call, which a training step must not make). A
// share never falls below a floor, so a thread that was slow once is tried
// again.
//
// Which thread computes which output never changes a result (the cuts are
// over outputs), so shares change speed only, never bits.

/** How far a thread's share moves after one dispatch, as a fraction of the whole call. */
export const STEP = 0.005;
/** No share falls below this fraction of an equal one. */
export const FLOOR = 0.25;

/** A worker's finishing order in a dispatch (pool.ts writes it per thread): */
export const EARLY = 1;
export const LATE = 2;

/**
 * Where part q of `count` starts when 0..total is cut at multiples of
 * `align` in proportion to `shares` (fractions summing to 1; q = count: the
 * end). Every part but the last is at least one unit long when there are
 * units enough, so each part has work and its finishing order says something.
 */
export function shareStart(total: number, align: number, shares: Float64Array, count: number, q: number): number {
  if (q <= 0) return 0;
  if (q >= count) return total;
  const units = Math.ceil(total / align);
  let before = 0;
  for (let i = 0; i < q; i++) before += shares[i]!;
  // at least q units before part q and count - q after it
  const at = Math.min(units - (count - q), Math.max(q, Math.round(before * units)));
  return Math.min(total, at * align);
}

/**
 * Moves `shares` (of `count` threads, thread 0 the caller, summing to 1) a
 * STEP for each worker t: toward it when `order[t]` is EARLY (it finished
 * before the caller), away from it when LATE. Returns whether the shares
 * moved (not when a worker's order is missing).
 */
export function nudgeShares(shares: Float64Array, order: Int32Array, count: number): boolean {
  for (let t = 1; t < count; t++) if (order[t] !== EARLY && order[t] !== LATE) return false;
  // Every move is between a worker and the caller, so the shares keep their sum;
  // a share pushed under the floor is raised to it from the largest share.
  // (Only array elements hold fractions here: a local that starts as an
  // integer and then holds a fraction costs an allocation per call in V8.)
  for (let t = 1; t < count; t++) {
    if (order[t] === EARLY) {
      shares[t] = shares[t]! + STEP;
      shares[0] = shares[0]! - STEP;
    } else {
      shares[t] = shares[t]! - STEP;
      shares[0] = shares[0]! + STEP;
    }
  }
  for (let t = 0; t < count; t++) {
    if (shares[t]! >= FLOOR / count) continue;
    let largest = 0;
    for (let u = 1; u < count; u++) if (shares[u]! > shares[largest]!) largest = u;
    shares[largest] = shares[largest]! - (FLOOR / count - shares[t]!);
    shares[t] = FLOOR / count;
  }
  return true;
}
