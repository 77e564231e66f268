// How the calling thread hands kernel calls to the workers: one small shared
// block of Int32 words and a table of tasks, no messages once a worker runs.
//
// A dispatch publishes its tasks with one word, CLAIM = gen | count | next:
// the generation, how many tasks there are, and the next unclaimed one. Any
// thread (the caller included) takes task `next` by a compare-and-swap of
// that word to next + 1, so a task runs exactly once, and a thread that read
// the word of an older dispatch can never take a task of a newer one: its
// swap fails. DONE counts finished tasks; the caller waits for it to reach
// `count` before it publishes the next dispatch, so tasks never overlap
// across dispatches. Which thread ran a task never matters: each task writes
// its own part of the output, with the arithmetic the whole call would use.

/** Bits of the task index and of the task count in the CLAIM word. */
export const INDEX_BITS = 9;
/** The most tasks one dispatch may hold. */
export const MAX_TASKS = (1 << INDEX_BITS) - 1;
export const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** The generation takes the bits above index and count (13, so the word stays positive). */
export const GEN_MASK = (1 << (31 - 2 * INDEX_BITS)) - 1;

/** Int32 slots of the control block. */
export const CLAIM = 0;
export const DONE = 1;
/** 0, or 1 + the index of a task that threw. */
export const FAILED = 2;
/** Workers asleep in Atomics.wait (the caller notifies only when some are). */
export const SLEEPERS = 3;
/** One stop flag per worker, from here on. */
export const STOP = 8;
/** The most workers a pool may have. */
export const MAX_WORKERS = 63;

/** Numbers per task (the kernel's index, then up to 19 arguments: conv2d takes 19), as float64. */
export const TASK_STRIDE = 20;
/** Where the task table starts in the control block. */
export const TASKS_BYTE = 4 * (STOP + MAX_WORKERS + 1);
export const CONTROL_BYTES = TASKS_BYTE + 8 * TASK_STRIDE * MAX_TASKS;

/** The CLAIM word of a dispatch. */
export function claimWord(gen: number, count: number, next: number): number {
  return (gen << (2 * INDEX_BITS)) | (count << INDEX_BITS) | next;
}
