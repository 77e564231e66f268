// When a worker is late. A call's last tasks may sit with a worker the
// machine has paused (on a server sharing its cores, for milliseconds at a
// time); the caller then waits out the pause, and a call on two threads takes
// longer than the same call on one. The caller cannot take a task back once a
// worker holds it (a task that adds into its output runs exactly once), but
// it can stop handing tasks out: after a late call it runs the next calls
// alone, for longer each time the workers are late again and shorter each
// time they are on time. Which thread runs a task never changes the result,
// so this changes only the time a call takes.
//
// Lateness is counted in spins of the caller's wait (loads of one word), not
// read from a clock: a clock's reading allocates, and a step allocates nothing.
// A wait may last as long as a worker's share of the call without anything
// being wrong (the caller ran out of pieces while the worker is in its
// last), so the allowance grows with the share: a large product's pieces take
// milliseconds each.

/** Spins of the caller's wait beyond a thread's share of the call that mark the workers late: ~0.5-1.5 ms at 100-300 million loads a second. */
export const LATE_SPINS = 1 << 17;
/** Spins allowed per threshold's work (split.ts THRESHOLDS) in a thread's share: a threshold's work takes one thread 3-20 us, 6,000 spins at most. */
export const SPINS_PER_UNIT = 1 << 13;
/** Calls run alone after a first late call ... */
export const FIRST_BACKOFF = 64;
/** ... doubling with each late call, up to this many. */
export const MAX_BACKOFF = 4096;

export class Lateness {
  /** Calls still to run alone. */
  private left = 0;
  /** How many the next late call sends alone. */
  private next = FIRST_BACKOFF;
  /** The spins the next call may wait without its workers being late. */
  private allowed = LATE_SPINS;

  /** The call about to run gives each thread `units` thresholds of work. */
  share(units: number): void {
    this.allowed = LATE_SPINS + units * SPINS_PER_UNIT;
  }

  /** After a call that waited `spins` for its workers: backs off if they were late, eases off if not. */
  waited(spins: number): void {
    if (spins > this.allowed) {
      this.left = this.next;
      this.next = Math.min(MAX_BACKOFF, 2 * this.next);
    } else if (this.next > FIRST_BACKOFF) {
      this.next >>= 1;
    }
  }

  /** Whether the call about to be cut should run alone on the caller (counts it). */
  alone(): boolean {
    if (this.left === 0) return false;
    this.left--;
    return true;
  }
}
