// The options of a predictor (and of online learning), each checked by name
// with the value given: a server reads them from its configuration, where a
// typo ("maxbatch") or a string ("8") is easy to make and hard to see.
import { ParalensError, describe } from "../engine/errors.ts";

/**
 * How a predictor gathers rows into batches and how much it lets wait.
 *
 * @category Serving
 */
export interface BatchingOptions {
  /** The most rows one forward pass runs (default 32). */
  maxBatch?: number;
  /**
   * How long the first row of a batch waits for others, in milliseconds. Default 0: until the
   * runtime has handled the I/O that is ready, so the requests read from the network together
   * form one batch and a lone request waits for nothing. A longer wait makes larger batches when
   * requests trickle in, and costs a lone request that long.
   */
  maxDelayMs?: number;
  /** The most rows waiting at once; a call beyond it is refused rather than queued (default 1024). */
  maxQueue?: number;
}

export interface Batching {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;
}

/** The largest batch a predictor compiles a plan for: beyond it, waiting for rows costs more latency than a larger pass saves. */
export const MAX_BATCH_LIMIT = 4096;

/** Options with their defaults, each checked; an unknown name is refused (it is most likely a misspelt one). */
export function batching(what: string, options: unknown, extra: readonly string[] = []): Batching {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new ParalensError(`${what}: options must be an object, got ${describe(options)}`);
  const known = ["maxBatch", "maxDelayMs", "maxQueue", ...extra];
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new ParalensError(`${what}: unknown option "${name}"; the options are ${known.join(", ")}`);
  }
  const { maxBatch = 32, maxDelayMs = 0, maxQueue = 1024 } = options as BatchingOptions;
  const must = (name: string, ok: boolean, expected: string, v: unknown): void => {
    if (!ok) throw new ParalensError(`${what}: ${name} must be ${expected}, got ${describe(v)}`);
  };
  must("maxBatch", Number.isInteger(maxBatch) && maxBatch >= 1 && maxBatch <= MAX_BATCH_LIMIT, `a whole number from 1 to ${MAX_BATCH_LIMIT}`, maxBatch);
  // setTimeout holds at most 2^31 - 1 ms; an hour is already far beyond any use
  must("maxDelayMs", typeof maxDelayMs === "number" && maxDelayMs >= 0 && maxDelayMs <= 3_600_000, "a number of milliseconds from 0 to 3600000", maxDelayMs);
  must("maxQueue", Number.isInteger(maxQueue) && maxQueue >= 1 && maxQueue <= 2 ** 24, "a whole number from 1 to 16777216", maxQueue);
  return { maxBatch, maxDelayMs, maxQueue };
}
