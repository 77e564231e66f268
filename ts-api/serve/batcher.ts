// Gathering calls that arrive close together into one batch: the first call
// into an empty queue starts a timer of maxDelayMs, a full batch (maxBatch)
// runs without waiting for it, and the queue never holds more than maxQueue
// items. One batch runs as one synchronous call, so nothing else (another
// batch, a training step) can interleave with it.
import { ParalensError } from "../engine/errors.ts";
import type { Batching } from "./options.ts";

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

/** Counts a Batcher keeps (for metrics). */
export interface BatcherCounts {
  /** Calls taken into the queue. */
  accepted: number;
  /** Calls refused because the queue was full. */
  refused: number;
  /** Batches run, and the items they held. */
  batches: number;
  items: number;
}

export class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fullSoon = false;
  private closing: Promise<void> | undefined;
  readonly counts: BatcherCounts = { accepted: 0, refused: 0, batches: 0, items: 0 };

  /** `run` answers a batch, one result per item in order; if it throws, every item of that batch is rejected with the error. */
  constructor(
    private readonly what: string,
    private readonly options: Batching,
    private readonly run: (items: readonly T[]) => readonly R[],
    /** Says what is queued, for the message of a full queue ("rows", "examples"). */
    private readonly noun: string,
  ) {}

  /** Items waiting now. */
  get queued(): number {
    return this.queue.length;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Queues an item; resolves with its result once its batch has run. */
  submit(item: T): Promise<R> {
    if (this.closing !== undefined) return Promise.reject(new ParalensError(`${this.what}: closed; no new calls are taken after close()`));
    const { maxQueue, maxBatch, maxDelayMs } = this.options;
    if (this.queue.length >= maxQueue) {
      this.counts.refused++;
      return Promise.reject(new ParalensError(`${this.what}: the queue is full (maxQueue ${maxQueue} ${this.noun} waiting); this call is refused: retry later, or raise maxQueue`));
    }
    this.counts.accepted++;
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= maxBatch) {
        // a full batch need not wait; a microtask lets calls made in the same loop join it
        if (!this.fullSoon) {
          this.fullSoon = true;
          queueMicrotask(() => {
            this.fullSoon = false;
            this.drain(false);
          });
        }
      } else if (this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain(true);
        }, maxDelayMs);
      }
    });
  }

  /** Runs every waiting item, then refuses new calls; resolves when the last batch has answered. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = Promise.resolve().then(() => this.drain(true));
    }
    return this.closing;
  }

  /** Runs the full batches waiting (and with `all`, the last partial one too). */
  private drain(all: boolean): void {
    const { maxBatch, maxDelayMs } = this.options;
    while (this.queue.length >= maxBatch || (all && this.queue.length > 0)) {
      this.runBatch(this.queue.splice(0, maxBatch));
    }
    if (this.queue.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.queue.length > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain(true);
      }, maxDelayMs);
    }
  }

  private runBatch(batch: Waiting<T, R>[]): void {
    let results: readonly R[];
    try {
      results = this.run(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    this.counts.batches++;
    this.counts.items += batch.length;
    batch.forEach((w, i) => w.resolve(results[i]!));
  }
}
