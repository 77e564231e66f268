// How a thread takes the tasks of a dispatch (protocol.ts): written once, run
// by the calling thread (pool.ts) and by every worker, whose program carries
// this function's source (worker.ts embeds `takeTasks.toString()`). So it
// must name nothing but its arguments and the globals every runtime has
// (Atomics, String, Math): whatever else it needs comes in `TaskSide`,
// protocol.ts's slots included, as properties (a bundler renames variables,
// never properties). test/threads.test.ts checks that workers run tasks.

/** What a thread takes tasks with: the shared control block, the task table, its kernels and which thread it is. */
export interface TaskSide {
  /** The control block's words (protocol.ts). */
  readonly ctl: Int32Array;
  /** The task table: TASK_STRIDE numbers a task. */
  readonly table: Float64Array;
  /** Where a failed task's message goes (UTF-16 units). */
  readonly message: Uint16Array;
  /** This thread's kernels, in the order tasks index them. */
  readonly kernels: readonly ((...args: number[]) => unknown)[];
  /** This thread: 0 the caller, worker i is i + 1. */
  readonly me: number;
  /** protocol.ts's slots and strides. */
  readonly slots: {
    readonly claims: number;
    readonly done: number;
    readonly failed: number;
    readonly messageLength: number;
    readonly taken: number;
    readonly stride: number;
    readonly owner: number;
    readonly scratchArg: number;
    readonly scratchBytes: number;
  };
}

/**
 * Takes the `count` tasks of the dispatch of generation `gen` that are still
 * open: this thread's own first, in order, then any other, from the last one
 * back (a thread the machine pauses holds the others up by at most the piece
 * it is in). A task is taken by a compare-and-swap of its claim word from
 * open (gen << 1) to taken (gen << 1 | 1), so it runs exactly once; a thread
 * that read an older dispatch's PUBLISH word can never take a newer one's.
 */
export function takeTasks(side: TaskSide, count: number, gen: number): void {
  const { ctl, table: t, message, kernels, me, slots: s } = side;
  // one loop over both orders, q = 0 .. count - 1 and then back down: no inner function, since a
  // bundler that keeps names wraps each in a helper of its own that the worker's program lacks
  for (let i = 0; i < 2 * count; i++) {
    const first = i < count;
    const q = first ? i : 2 * count - 1 - i;
    if (first !== (t[q * s.stride + s.owner] === me)) continue;
    if (Atomics.compareExchange(ctl, s.claims + q, gen << 1, (gen << 1) | 1) !== gen << 1) continue;
    const b = q * s.stride;
    // a scratch argument moves to this thread's block (the task is this thread's alone now)
    const arg = t[b + s.scratchArg]!;
    if (arg !== 0) t[b + arg] = t[b + arg]! + me * t[b + s.scratchBytes]!;
    try {
      kernels[t[b]!]!(
        t[b + 1]!, t[b + 2]!, t[b + 3]!, t[b + 4]!, t[b + 5]!, t[b + 6]!, t[b + 7]!, t[b + 8]!, t[b + 9]!, t[b + 10]!,
        t[b + 11]!, t[b + 12]!, t[b + 13]!, t[b + 14]!, t[b + 15]!, t[b + 16]!, t[b + 17]!, t[b + 18]!, t[b + 19]!,
      );
    } catch (err) {
      if (Atomics.compareExchange(ctl, s.failed, 0, q + 1) === 0) {
        const text = String((err as { message?: unknown } | null)?.message ?? err);
        const n = Math.min(text.length, message.length);
        for (let j = 0; j < n; j++) message[j] = text.charCodeAt(j);
        Atomics.store(ctl, s.messageLength, n);
      }
    }
    // tasks a worker ran, so that a pool can tell its workers take part
    if (me > 0) Atomics.add(ctl, s.taken, 1);
    Atomics.add(ctl, s.done, 1);
  }
}
