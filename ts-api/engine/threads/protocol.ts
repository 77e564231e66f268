// How the calling thread hands kernel calls to the workers: one small shared
// block of words and a table of tasks, no messages once a worker runs.
//
// A dispatch publishes its tasks with one word, PUBLISH = gen | count, after
// opening each task's claim word for that generation. Each task names the
// thread it belongs to (OWNER: the caller is thread 0, worker i is thread
// i + 1; threads 0 .. PARTS - 1 take part). A call is cut into a few pieces
// per thread, a thread's pieces one stretch of the output (pool.ts,
// cutRuns). Each thread first runs its own tasks, in order, so that the calls
// of a step hand every thread the same part of each tensor, then takes
// whatever tasks are still open, from the last one back: a thread the
// machine pauses holds the others up by at most the piece it is in.
// A thread takes a task (tasks.ts, the one implementation both sides run) by
// a compare-and-swap of its claim word from open(gen) to taken, so a task runs exactly once, and a thread that
// read the PUBLISH word of an older dispatch can never take a task of a
// newer one: its swap expects an older generation and fails. DONE counts
// finished tasks; the caller waits for it to reach `count` before it opens
// the next dispatch, so tasks never overlap across dispatches. Which thread
// ran a task never changes the result: each task writes its own part of the
// output, with the arithmetic the whole call would use.

/** Bits of the task count in the PUBLISH word (the generation takes the rest). */
export const INDEX_BITS = 9;
/** The most tasks one dispatch may hold. */
export const MAX_TASKS = (1 << INDEX_BITS) - 1;
export const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Generations wrap at this mask (the PUBLISH word and the claim words stay positive). */
export const GEN_MASK = (1 << (31 - INDEX_BITS)) - 1;

/** Int32 slots of the control block. */
export const PUBLISH = 0;
export const DONE = 1;
/** 0, or 1 + the index of a task that threw (its message is in MESSAGE). */
export const FAILED = 2;
/** Workers asleep in Atomics.wait (the caller notifies only when some are). */
export const SLEEPERS = 3;
/** How many threads take part in the dispatch (threads 0 .. PARTS - 1 own tasks). */
export const PARTS = 4;
/** UTF-16 units of the message in MESSAGE. */
export const MESSAGE_LENGTH = 5;
/** Tasks the workers have run, ever (so a pool can tell that they take part). */
export const TAKEN = 6;
/** One stop flag per worker, from here on. */
export const STOP = 7;
/** The most workers a pool may have. */
export const MAX_WORKERS = 63;
/** The most threads a dispatch may share its tasks among: the workers and the caller. */
export const MAX_PARTS = MAX_WORKERS + 1;
/** One claim word per task, from here on. */
export const CLAIMS = STOP + MAX_PARTS;
/** The message of a task that threw (UTF-16 units), from this byte. */
export const MESSAGE_BYTE = Math.ceil((4 * (CLAIMS + MAX_TASKS)) / 8) * 8;
export const MESSAGE_UNITS = 256;

/**
 * Numbers per task, as float64: the kernel's index, up to 19 arguments
 * (conv2d takes 19), then the task's thread (OWNER), and which argument, if
 * any, is a scratch block of its own per thread (SCRATCH_ARG: 1-based, 0 for
 * none) and how many bytes each thread's block takes (SCRATCH_BYTES). The
 * thread that runs the task moves that argument to its own block first, so
 * tasks may change hands without sharing scratch.
 */
export const TASK_STRIDE = 23;
export const OWNER = 20;
export const SCRATCH_ARG = 21;
export const SCRATCH_BYTES = 22;
/** Where the task table starts in the control block. */
export const TASKS_BYTE = MESSAGE_BYTE + 2 * MESSAGE_UNITS;
export const CONTROL_BYTES = TASKS_BYTE + 8 * TASK_STRIDE * MAX_TASKS;

/** The slots and strides a thread takes tasks with (tasks.ts). */
export const SLOTS = {
  claims: CLAIMS, done: DONE, failed: FAILED, messageLength: MESSAGE_LENGTH, taken: TAKEN,
  stride: TASK_STRIDE, owner: OWNER, scratchArg: SCRATCH_ARG, scratchBytes: SCRATCH_BYTES,
} as const;

/** The PUBLISH word of a dispatch. */
export function publishWord(gen: number, count: number): number {
  return (gen << INDEX_BITS) | count;
}

/** A task's claim word while it is open in generation `gen` (tasks.ts takes it by setting the low bit). */
export const open = (gen: number): number => gen << 1;
