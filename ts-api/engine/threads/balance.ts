// Sharing a call out by measured speed, not in equal parts. Equal parts of
// a call are often not equal work for the threads: a plan reuses memory, so
// the part of a tensor one thread writes was often last written, in a
// different tensor, by another thread, and taking over another core's cache
// lines makes that thread run up to twice as slow at that call (and a shared
// machine slows one core or the other for seconds at a time). The pattern is
// the same at every step, so each call site (pool.ts: the kernel and where it
// writes) keeps its own shares: after a dispatch in which every thread ran
// its own part, the time each took gives its speed there, and the site's
// shares move a step toward those speeds. A share never falls below a floor,
// so a thread that was slow once is measured again.
//
// Which thread computes which output never changes a result (the cuts are
// over outputs), so shares change speed only, never bits.

/** How far the shares move toward the last measured speeds, per dispatch. */
export const STEP = 0.1;
/** No share falls below this fraction of an equal one. */
export const FLOOR = 0.25;
/** Dispatches whose slowest part took less than this (seconds) are not measured: the clock is too coarse. */
export const SHORTEST = 20e-6;
/**
 * Dispatches in which one thread ran more than this many times slower than
 * another are not measured either: a thread the system paused mid-task says
 * nothing about the next call.
 */
export const WIDEST = 4;

/**
 * Where part q of `count` starts when 0..total is cut at multiples of
 * `align` in proportion to `shares` (fractions summing to 1; q = count: the
 * end). Every part but the last is at least one unit long when there are
 * units enough, so each part has work and its speed can be measured.
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
 * Moves `shares` (of `count` threads, summing to 1) a STEP toward the speeds
 * seen in one dispatch: thread t did `work[t]` of the whole in `busy[t]`
 * seconds. Returns whether the shares were moved (not when a part was too
 * short to time).
 */
export function updateShares(shares: Float64Array, work: Float64Array, busy: Float64Array, count: number): boolean {
  let slowest = 0, speeds = 0, least = Infinity, most = 0;
  for (let t = 0; t < count; t++) {
    if (!(work[t]! > 0) || !(busy[t]! > 0)) return false;
    slowest = Math.max(slowest, busy[t]!);
    const speed = work[t]! / busy[t]!;
    speeds += speed;
    least = Math.min(least, speed);
    most = Math.max(most, speed);
  }
  if (slowest < SHORTEST || most > WIDEST * least) return false;
  const floor = FLOOR / count;
  let sum = 0;
  for (let t = 0; t < count; t++) {
    const target = work[t]! / busy[t]! / speeds;
    const s = Math.max(floor, shares[t]! + STEP * (target - shares[t]!));
    shares[t] = s;
    sum += s;
  }
  for (let t = 0; t < count; t++) shares[t] = shares[t]! / sum;
  return true;
}

/** Equal shares for `count` threads. */
export function equalShares(shares: Float64Array, count: number): void {
  for (let t = 0; t < shares.length; t++) shares[t] = t < count ? 1 / count : 0;
}
