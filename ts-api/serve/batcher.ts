// Gathering calls that arrive close together into one batch: a call waits at
// most maxDelayMs for others to join it, a full batch (maxBatch) runs without
// waiting, and the queue never holds more than maxQueue items. One batch runs
// as one synchronous call, so nothing else (another batch, a training step)
// can interleave with it.
//
// On Cloudflare Workers every request has its own context: a promise created
// by one request and settled from another's (the one whose timer ran the
// batch) is cancelled with the request that settled it, and the waiting
// request fails as hung. There each call keeps a timer of its own, the
// earliest runs the batch, and each call is settled by its own timer, in its
// own context, from the outcome its batch left behind (at most maxDelayMs
// after it came). Elsewhere one timer serves the queue.
import { ParalensError } from "../engine/errors.ts";
import { platform } from "../engine/platform.ts";
import type { Batching } from "./options.ts";

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  readonly item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  outcome?: Outcome<R>;
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
  private fullSoon = false;
  private timer: { cancel(): void } | undefined;
  private closing: Promise<void> | undefined;
  readonly counts: BatcherCounts = { accepted: 0, refused: 0, batches: 0, items: 0 };

  /** `run` answers a batch, one result per item in order; if it throws, every item of that batch is rejected with the error. */
  constructor(
    private readonly what: string,
    private readonly options: Batching,
    private readonly run: (items: readonly T[]) => readonly R[],
    /** Says what is queued, for the message of a full queue ("rows", "examples"). */
    private readonly noun: string,
    /** Settle each call from its own timer only (see above); the default on Cloudflare Workers. */
    private readonly ownContext = platform() === "workerd",
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
    const waiting: Waiting<T, R> = { item, resolve: () => {}, reject: () => {} };
    const answer = new Promise<R>((resolve, reject) => {
      waiting.resolve = resolve;
      waiting.reject = reject;
    });
    this.queue.push(waiting);
    if (this.queue.length >= maxBatch && !this.fullSoon && !this.ownContext) {
      // a full batch need not wait; a microtask lets calls made in the same loop join it
      this.fullSoon = true;
      queueMicrotask(() => {
        this.fullSoon = false;
        this.drain(false);
      });
    }
    if (this.ownContext) {
      const timer = later(() => {
        if (waiting.outcome === undefined) this.drain(true);
        settle(waiting);
      }, maxDelayMs);
      return answer.finally(() => timer.cancel());
    }
    // one timer for the queue, started by the call that found it empty
    this.timer ??= later(() => {
      this.timer = undefined;
      this.drain(true);
    }, maxDelayMs);
    return answer;
  }

  /** Runs every waiting item, then refuses new calls; resolves when the last batch has answered. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      const pending = [...this.queue];
      this.closing = Promise.resolve().then(() => {
        this.timer?.cancel();
        this.timer = undefined;
        this.drain(true);
        // closing settles every call here (in a Worker, close() belongs to no request anyway)
        for (const w of pending) settle(w);
      });
    }
    return this.closing;
  }

  /** Runs the full batches waiting (and with `all`, the last partial one too). */
  private drain(all: boolean): void {
    const { maxBatch } = this.options;
    while (this.queue.length >= maxBatch || (all && this.queue.length > 0)) {
      this.runBatch(this.queue.splice(0, maxBatch));
    }
  }

  private runBatch(batch: Waiting<T, R>[]): void {
    let results: readonly R[];
    try {
      results = this.run(batch.map((w) => w.item));
      this.counts.batches++;
      this.counts.items += batch.length;
      batch.forEach((w, i) => (w.outcome = { ok: true, value: results[i]! }));
    } catch (error) {
      for (const w of batch) w.outcome = { ok: false, error };
    }
    if (!this.ownContext) for (const w of batch) settle(w);
  }
}

/**
 * Runs `f` after `ms` milliseconds; with 0, once the runtime has handled the I/O that is ready
 * (setImmediate, where there is one): requests read from the network together form one batch,
 * and a lone request waits for nothing.
 */
function later(f: () => void, ms: number): { cancel(): void } {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown; clearImmediate?: (h: unknown) => void });
  if (ms === 0 && immediate.setImmediate !== undefined && immediate.clearImmediate !== undefined) {
    const h = immediate.setImmediate(f);
    return { cancel: () => immediate.clearImmediate!(h) };
  }
  const h = setTimeout(f, ms);
  return { cancel: () => clearTimeout(h) };
}

function settle<R>(w: Waiting<unknown, R>): void {
  const o = w.outcome;
  if (o === undefined) return;
  if (o.ok) w.resolve(o.value);
  else w.reject(o.error);
}
