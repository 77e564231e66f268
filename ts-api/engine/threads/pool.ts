// The workers of a threaded engine and the one way work reaches them: the
// caller queues the tasks of one kernel call (add), then run() publishes them,
// takes its own share and waits until every task is done. The caller never
// waits on a worker to start: a task no worker has claimed yet is one the
// caller runs itself, so a pool whose workers are still booting (or failed
// to) computes the same result, only more slowly. That is why the workers
// are started at the first dispatch, not with the pool: a program whose calls
// are all too small to cut (a first prediction, a small model) never pays
// for threads it would not use.
import {
  CLAIM, CONTROL_BYTES, DONE, FAILED, GEN_MASK, INDEX_BITS, INDEX_MASK, MAX_TASKS, SLEEPERS, STOP, TASKS_BYTE,
  TASK_STRIDE, claimWord,
} from "./protocol.ts";
import type { Spawner, WorkerHandle } from "./spawn.ts";
import type { WorkerStart } from "./worker.ts";

type Kernel = (...args: number[]) => unknown;

/**
 * Idle spins of a worker before it sleeps. A training step's large calls come
 * tens of microseconds apart; a sleeping worker takes about as long to wake.
 */
const SPIN = 200_000;

export class Pool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly ctl = new Int32Array(this.control);
  private readonly table = new Float64Array(this.control, TASKS_BYTE);
  /** Tasks queued for the next run(). */
  private count = 0;
  private readonly workers: WorkerHandle[] = [];
  private gen = 0;
  private started = false;
  private closed = false;

  constructor(
    /** The calling thread's kernels, in the order tasks index them. */
    private readonly kernels: readonly Kernel[],
    private readonly names: readonly string[],
    private readonly spawn: Spawner,
    private readonly start: Omit<WorkerStart, "control" | "id" | "spin">[],
    /** Makes the error a failed call throws (the engine's error type). */
    private readonly fail: (message: string) => Error,
  ) {}

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
    this.count = t + 1;
  }

  /** Runs the queued tasks on the pool and the calling thread; returns when all are done. */
  run(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    if (!this.started && !this.closed) this.startWorkers();
    const ctl = this.ctl, t = this.table;
    Atomics.store(ctl, DONE, 0);
    this.gen = (this.gen + 1) & GEN_MASK;
    Atomics.store(ctl, CLAIM, claimWord(this.gen, n, 0));
    if (Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, CLAIM);
    let failed = -1;
    let why = "";
    for (;;) {
      const w = Atomics.load(ctl, CLAIM);
      const next = w & INDEX_MASK;
      if (next >= ((w >>> INDEX_BITS) & INDEX_MASK)) break;
      if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) !== w) continue;
      const b = next * TASK_STRIDE;
      try {
        this.kernels[t[b]!]!(
          t[b + 1]!, t[b + 2]!, t[b + 3]!, t[b + 4]!, t[b + 5]!, t[b + 6]!, t[b + 7]!, t[b + 8]!, t[b + 9]!, t[b + 10]!,
          t[b + 11]!, t[b + 12]!, t[b + 13]!, t[b + 14]!, t[b + 15]!, t[b + 16]!, t[b + 17]!, t[b + 18]!, t[b + 19]!,
        );
      } catch (err) {
        failed = next;
        why = `: ${(err as Error).message}`;
      }
      Atomics.add(ctl, DONE, 1);
    }
    // the rest were claimed by workers: they finish within one task's time
    while (Atomics.load(ctl, DONE) < n);
    const workerFailed = Atomics.exchange(ctl, FAILED, 0) - 1;
    if (failed >= 0 || workerFailed >= 0) {
      const task = failed >= 0 ? failed : workerFailed;
      // (a worker's own message stays in the worker: the task index is all the shared block carries)
      throw this.fail(`kernel ${this.names[t[task * TASK_STRIDE]!]} failed ${failed >= 0 ? `on the calling thread${why}` : "on a worker"}`);
    }
  }

  /** Stops every worker; later calls run on the calling thread alone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let id = 0; id < this.workers.length; id++) Atomics.store(this.ctl, STOP + id, 1);
    Atomics.notify(this.ctl, CLAIM);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
