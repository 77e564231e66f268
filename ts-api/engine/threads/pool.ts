// The workers of a threaded engine and the one way work reaches them: the
// caller cuts a call (cut), queues its tasks (add), then run() publishes
// them, runs its own, takes any still open and waits until every task is
// done. The caller never waits on a worker to start: a task its owner has not
// claimed by the time the caller is free is one the caller runs itself, so a
// pool whose workers are still booting (or failed to) computes the same
// result, only more slowly. That is why the workers are started at the first
// dispatch, not with the pool: a program whose calls are all too small to
// cut (a first prediction, a small model) never pays for threads it would
// not use.
import {
  CLAIMS, CONTROL_BYTES, DONE, FAILED, GEN_MASK, MAX_TASKS, MESSAGE_BYTE, MESSAGE_LENGTH, MESSAGE_UNITS, OWNER, PARTS, PUBLISH,
  SCRATCH_ARG, SCRATCH_BYTES, SLEEPERS, SLOTS, STOP, TAKEN, TASKS_BYTE, TASK_STRIDE, open, publishWord,
} from "./protocol.ts";
import type { Spawner, WorkerHandle } from "./spawn.ts";
import { type TaskSide, takeTasks } from "./tasks.ts";
import { Lateness } from "./late.ts";
import type { WorkerStart } from "./worker.ts";

type Kernel = (...args: number[]) => unknown;

/**
 * Idle spins of a worker before it sleeps (a few microseconds: loads of one
 * word, no clock, which would allocate). The large calls of a training step
 * come microseconds apart, and a worker that has gone to sleep wakes within
 * tens of microseconds (the caller meanwhile takes the tasks it has not
 * claimed). Spinning longer costs a machine shared with other work dearly:
 * a spinning worker takes CPU time its own caller (and everything else) is
 * waiting for. With the machine loaded by other processes (load average 7-8
 * on 2 vCPUs), an MLP step ran on two threads at 0.49-0.58x one thread's
 * speed when workers spun 200,000 loads, and at 1.1-1.25x with 2,000.
 */
const SPIN = 2_000;

/** How many runs cut 0..total into at most `parts`, the inner boundaries multiples of `align`. */
export function runs(total: number, parts: number, align: number): number {
  return Math.max(1, Math.min(parts, Math.ceil(total / align)));
}

/** Where run q of `count` starts (q = count: the end), cutting 0..total at multiples of `align` into nearly equal runs. */
export function runStart(total: number, count: number, align: number, q: number): number {
  return q >= count ? total : Math.min(total, Math.round((Math.ceil(total / align) * q) / count) * align);
}

/**
 * Cuts 0..total at multiples of `align` into one stretch for each of
 * `threads` threads (fewer when there are fewer units), nearly equal, and
 * each stretch into up to `pieces` nearly equal runs. Writes run q as
 * edges[q] .. edges[q + 1] and its thread as owners[q]; returns how many runs.
 * Thread t's runs are one stretch, before thread t + 1's.
 */
export function cutRuns(total: number, align: number, threads: number, pieces: number, edges: Float64Array, owners: Int32Array): number {
  const units = Math.ceil(total / align);
  const stretches = runs(total, threads, align);
  let count = 0;
  for (let t = 0; t < stretches; t++) {
    const from = runStart(units, stretches, 1, t), to = runStart(units, stretches, 1, t + 1);
    const k = runs(to - from, pieces, 1);
    for (let j = 0; j < k; j++) {
      edges[count] = Math.min(total, (from + runStart(to - from, k, 1, j)) * align);
      owners[count++] = t;
    }
  }
  edges[count] = total;
  return count;
}

export class Pool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly ctl = new Int32Array(this.control);
  private readonly message = new Uint16Array(this.control, MESSAGE_BYTE, MESSAGE_UNITS);
  private readonly table = new Float64Array(this.control, TASKS_BYTE);
  /** Tasks queued for the next run(). */
  private count = 0;
  private readonly workers: WorkerHandle[] = [];
  private gen = 0;
  private started = false;
  private closed = false;
  /** The cut of the last cut(): run q is edges[q] .. edges[q + 1]. */
  readonly edges = new Float64Array(MAX_TASKS + 1);
  /** The thread each run of the last cut belongs to. */
  private readonly owners = new Int32Array(MAX_TASKS);
  /** Runs of the last cut queued so far (the next add() queues run `queued`). */
  private queued = 0;
  /** Threads that own a task queued for the next run(). */
  private owning = 0;
  /** How the calling thread (thread 0) takes tasks. */
  private readonly side: TaskSide;
  /** Whether the workers were late lately: the cutting core then runs calls alone for a while (late.ts). */
  readonly lateness = new Lateness();

  constructor(
    /** The calling thread's kernels, in the order tasks index them. */
    private readonly kernels: readonly Kernel[],
    private readonly names: readonly string[],
    private readonly spawn: Spawner,
    private readonly start: Omit<WorkerStart, "control" | "id" | "spin">[],
    /** Makes the error a failed call throws (the engine's error type). */
    private readonly fail: (message: string) => Error,
  ) {
    this.side = { ctl: this.ctl, table: this.table, message: this.message, kernels, me: 0, slots: SLOTS };
  }

  /** Tasks the workers have run so far (the rest ran on the calling thread). */
  get workerTasks(): number {
    return Atomics.load(this.ctl, TAKEN);
  }

  private startWorkers(): void {
    this.started = true;
    for (let id = 0; id < this.start.length; id++) {
      try {
        const w = this.spawn();
        w.post({ ...this.start[id]!, control: this.control, id, spin: SPIN } satisfies WorkerStart);
        this.workers.push(w);
      } catch {
        // a worker that cannot start leaves its share to the others and the calling thread
      }
    }
  }

  /**
   * Cuts 0..total for `parts` threads, `pieces` runs each (cutRuns). Run q
   * is edges[q] .. edges[q + 1], and the q-th add() after the cut should
   * queue run q.
   */
  cut(total: number, align: number, parts: number, pieces = 1): number {
    this.queued = 0;
    return cutRuns(total, align, parts, pieces, this.edges, this.owners);
  }

  /**
   * Queues one call of kernel `index` (one task); run() runs the queue.
   * Arguments a kernel does not take are passed and ignored (wasm drops
   * extra arguments), so the call allocates nothing.
   */
  add(
    index: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0,
    a12 = 0, a13 = 0, a14 = 0, a15 = 0, a16 = 0, a17 = 0, a18 = 0,
  ): void {
    const t = this.count;
    if (t >= MAX_TASKS) throw this.fail(`internal: more than ${MAX_TASKS} tasks in one dispatch`);
    const table = this.table, b = t * TASK_STRIDE;
    table[b] = index;
    table[b + 1] = a0;
    table[b + 2] = a1;
    table[b + 3] = a2;
    table[b + 4] = a3;
    table[b + 5] = a4;
    table[b + 6] = a5;
    table[b + 7] = a6;
    table[b + 8] = a7;
    table[b + 9] = a8;
    table[b + 10] = a9;
    table[b + 11] = a10;
    table[b + 12] = a11;
    table[b + 13] = a12;
    table[b + 14] = a13;
    table[b + 15] = a14;
    table[b + 16] = a15;
    table[b + 17] = a16;
    table[b + 18] = a17;
    table[b + 19] = a18;
    const owner = this.owners[this.queued++]!;
    table[b + OWNER] = owner;
    table[b + SCRATCH_ARG] = 0;
    if (owner >= this.owning) this.owning = owner + 1;
    this.count = t + 1;
  }

  /**
   * Makes argument `arg` (0-based) of the task just queued a scratch block
   * per thread: the thread that runs it uses the `bytes` after
   * arg + thread * bytes, so the task may run on any thread.
   */
  perThread(arg: number, bytes: number): void {
    const b = (this.count - 1) * TASK_STRIDE;
    this.table[b + SCRATCH_ARG] = arg + 1;
    this.table[b + SCRATCH_BYTES] = bytes;
  }

  /**
   * Runs the queued tasks on the threads that own them (the caller is thread
   * 0), any thread taking a task its owner has not yet, and returns when all
   * are done.
   */
  run(): void {
    const n = this.count;
    if (n === 0) return;
    const parts = this.owning;
    this.count = 0;
    this.owning = 0;
    if (!this.started && !this.closed) this.startWorkers();
    const ctl = this.ctl;
    const gen = (this.gen = (this.gen + 1) & GEN_MASK);
    for (let q = 0; q < n; q++) Atomics.store(ctl, CLAIMS + q, open(gen));
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, PARTS, parts);
    Atomics.store(ctl, PUBLISH, publishWord(gen, n));
    if (parts > 1 && Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, PUBLISH);
    // the caller's own tasks, in order, then any their owners have not taken
    takeTasks(this.side, n, gen);
    // the rest were taken by workers: they finish within one task's time, unless the machine paused them
    let spins = 0;
    while (Atomics.load(ctl, DONE) < n) spins++;
    if (parts > 1) this.lateness.waited(spins);
    const failed = Atomics.exchange(ctl, FAILED, 0) - 1;
    if (failed >= 0) {
      const why = String.fromCharCode(...this.message.subarray(0, Atomics.load(ctl, MESSAGE_LENGTH)));
      throw this.fail(`kernel ${this.names[this.table[failed * TASK_STRIDE]!]} failed: ${why}`);
    }
  }

  /** Stops every worker; later calls run on the calling thread alone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let id = 0; id < this.workers.length; id++) Atomics.store(this.ctl, STOP + id, 1);
    Atomics.notify(this.ctl, PUBLISH);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
