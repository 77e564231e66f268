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
  private readonly queued: { kernel: Kernel; args: number[] }[] = [];
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

  /** Workers of the pool (they share the tasks with the calling thread), started at its first dispatch. */
  get size(): number {
    return this.start.length;
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

  /** Queues one call of kernel `index` (one task); run() runs the queue. */
  add(index: number, ...args: number[]): void {
    const t = this.queued.length;
    if (t >= MAX_TASKS) throw this.fail(`internal: more than ${MAX_TASKS} tasks in one dispatch`);
    this.table[t * TASK_STRIDE] = index;
    for (let i = 0; i < args.length; i++) this.table[t * TASK_STRIDE + 1 + i] = args[i]!;
    this.queued.push({ kernel: this.kernels[index]!, args });
  }

  /** Runs the queued tasks on the pool and the calling thread; returns when all are done. */
  run(): void {
    const queued = this.queued;
    const n = queued.length;
    if (n === 0) return;
    if (!this.started && !this.closed) this.startWorkers();
    const ctl = this.ctl;
    Atomics.store(ctl, DONE, 0);
    this.gen = (this.gen + 1) & GEN_MASK;
    Atomics.store(ctl, CLAIM, claimWord(this.gen, n, 0));
    if (Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, CLAIM);
    let failed = -1;
    for (;;) {
      const w = Atomics.load(ctl, CLAIM);
      const next = w & INDEX_MASK;
      if (next >= ((w >>> INDEX_BITS) & INDEX_MASK)) break;
      if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) !== w) continue;
      try {
        queued[next]!.kernel(...queued[next]!.args);
      } catch {
        failed = next;
      }
      Atomics.add(ctl, DONE, 1);
    }
    // the rest were claimed by workers: they finish within one task's time
    while (Atomics.load(ctl, DONE) < n);
    queued.length = 0;
    const workerFailed = Atomics.exchange(ctl, FAILED, 0) - 1;
    if (failed >= 0 || workerFailed >= 0) {
      const task = failed >= 0 ? failed : workerFailed;
      throw this.fail(`kernel ${this.names[this.table[task * TASK_STRIDE]!]} failed ${failed >= 0 ? "on the calling thread" : "on a worker"}`);
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
