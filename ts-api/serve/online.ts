// Learning while serving: learn(x, y) calls that arrive together train as one
// step of the learner, and a predictor on the same learner reads its
// parameters between steps. A step runs synchronously (one batch of the
// batcher), so no prediction ever sees half an update. Every so many steps
// the learner is saved and handed to a checkpoint writer (see
// checkpointFile for one that replaces a file atomically).
import { ParalensError, describe } from "../engine/errors.ts";
import { type LearnerFile, fileFormat, loadedFileFormat } from "../learner/core.ts";
import { Learner } from "../learner/learner.ts";
import { Batcher } from "./batcher.ts";
import { type BatchingOptions, batching } from "./options.ts";
import { checkRow } from "./rows.ts";

/**
 * Where checkpoints go and how often: `write` gets a safetensors file (learner.save()) every `everySteps` steps, and once more at close().
 *
 * @category Serving
 */
export interface CheckpointOptions {
  /** Steps between two checkpoints (a whole number >= 1). */
  everySteps: number;
  /** Stores the bytes; a promise it returns is awaited before the next checkpoint is written (one skipped meanwhile). */
  write: (bytes: Uint8Array) => void | Promise<void>;
}

/**
 * Options of `online`: how examples are gathered into steps, and checkpoints.
 *
 * @category Serving
 */
export interface OnlineOptions extends BatchingOptions {
  /** Where checkpoints go and how often (none by default). */
  checkpoint?: CheckpointOptions;
}

/**
 * What an OnlineLearner has done so far.
 *
 * @category Serving
 */
export interface OnlineStats {
  /** Examples trained. */
  examples: number;
  /** learn() calls refused because the queue was full (bad examples are not counted). */
  refused: number;
  /** Steps taken. */
  steps: number;
  /** The mean loss of the last step (NaN before the first). */
  lastLoss: number;
  /** Checkpoints written. */
  checkpoints: number;
  /** The message of the last checkpoint write that failed, if it has not succeeded since. */
  checkpointError: string | undefined;
  /** Examples waiting now. */
  queued: number;
}

interface Example {
  x: Float32Array;
  y: Float32Array;
}

/**
 * Trains a learner on examples as they come: the learn() calls arriving
 * within maxDelayMs (up to maxBatch) make one step. Make one with
 * `online(learner, options)`.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(2, 1), { loss: mse, rate: 0.1 });
 * const trainer = serve.online(learner, { maxBatch: 16 });
 * const [loss] = await Promise.all([trainer.learn([1, 2], [3]), trainer.learn([0, 1], [1])]);  // one step of 2
 * await trainer.close();
 * learner.dispose();
 * ```
 *
 * @category Serving
 */
export class OnlineLearner {
  private readonly batcher: Batcher<Example, number>;
  private readonly checkpoint: CheckpointOptions | undefined;
  private steps = 0;
  private lastLoss = NaN;
  private sinceCheckpoint = 0;
  private checkpoints = 0;
  private checkpointError: string | undefined;
  private writing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /**
   * The learner file format loading, with a checkpoint. Checkpoints are encoded during the step
   * they save, so the first learn() waits for it (a loop that never yields to the event loop
   * would otherwise never see it load).
   */
  private readonly formatLoaded: Promise<unknown> | undefined;

  constructor(
    private readonly learner: Learner,
    options: OnlineOptions = {},
  ) {
    const settings = batching("online", options, ["checkpoint"]);
    const c = options.checkpoint;
    if (c !== undefined) {
      if (typeof c !== "object" || c === null) throw new ParalensError(`online: checkpoint must be { everySteps, write }, got ${describe(c)}`);
      if (!Number.isInteger(c.everySteps) || c.everySteps < 1) throw new ParalensError(`online: checkpoint.everySteps must be a whole number >= 1, got ${describe(c.everySteps)}`);
      if (typeof c.write !== "function") throw new ParalensError(`online: checkpoint.write must be a function of the bytes, got ${describe(c.write)}`);
    }
    this.checkpoint = c;
    this.formatLoaded = c === undefined ? undefined : fileFormat();
    this.batcher = new Batcher("online", settings, (examples) => this.step(examples), "examples");
  }

  /**
   * Queues one example: its input row and its label (a row shaped like the model's output, or a
   * class index where the learner takes them). Resolves with the mean loss of the step that
   * trained it; rejects only this call if the example is not valid, the queue is full or after close().
   */
  learn(x: ArrayLike<number>, y: ArrayLike<number> | number): Promise<number> {
    let example: Example;
    try {
      if (this.closing !== undefined) throw new ParalensError("online: closed; no new calls are taken after close()");
      example = { x: checkRow("learn x", x, this.learner.model.dom[0]!), y: this.label(y) };
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.formatLoaded !== undefined && loadedFileFormat() === undefined) return this.formatLoaded.then(() => this.batcher.submit(example));
    return this.batcher.submit(example);
  }

  /** What has been trained so far and what waits now. */
  stats(): OnlineStats {
    const c = this.batcher.counts;
    return { examples: c.items, refused: c.refused, steps: this.steps, lastLoss: this.lastLoss, checkpoints: this.checkpoints, checkpointError: this.checkpointError, queued: this.batcher.queued };
  }

  /** Trains what waits, writes a last checkpoint (if any are written) and waits for it; then refuses new calls. */
  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(async () => {
      await this.writing;
      if (this.checkpoint !== undefined && this.sinceCheckpoint > 0) {
        this.save();
        await this.writing;
      }
    });
    return this.closing;
  }

  private label(y: unknown): Float32Array {
    // the learner's own check of labels (shape and range, from its loss), for one example
    const labels = (this.learner as unknown as { labels(what: string, y: unknown, count: number): Float32Array }).labels;
    return labels.call(this.learner, "learn y", [y], 1);
  }

  private step(examples: readonly Example[]): number[] {
    const n = examples.length;
    const xs = new Float32Array(n * examples[0]!.x.length);
    const ys = new Float32Array(n * examples[0]!.y.length);
    examples.forEach((e, i) => {
      xs.set(e.x, i * e.x.length);
      ys.set(e.y, i * e.y.length);
    });
    const loss = this.learner.step(xs, ys);
    this.steps++;
    this.lastLoss = loss;
    this.sinceCheckpoint++;
    if (this.checkpoint !== undefined && this.sinceCheckpoint >= this.checkpoint.everySteps && this.writing === undefined) this.save();
    return examples.map(() => loss);
  }

  /** Hands the learner's state to checkpoint.write; a write still running when the next is due makes that one wait for the following step. */
  private save(): void {
    const bytes = (this.learner as unknown as { encode(file: LearnerFile, options: object): Uint8Array }).encode(loadedFileFormat()!, {});
    this.sinceCheckpoint = 0;
    const done = (): void => {
      this.checkpoints++;
      this.checkpointError = undefined;
    };
    const failed = (err: unknown): void => {
      this.checkpointError = err instanceof Error ? err.message : String(err);
    };
    try {
      const r = this.checkpoint!.write(bytes);
      if (r instanceof Promise) {
        this.writing = r.then(done, failed).finally(() => (this.writing = undefined));
      } else done();
    } catch (err) {
      failed(err);
    }
  }
}

/**
 * An OnlineLearner for `learner`. Options: maxBatch (default 32), maxDelayMs
 * (default 0), maxQueue (default 1024) and checkpoint ({ everySteps, write }).
 *
 * @example
 * ```ts
 * const learner = supervised(dense(2, 3), { loss: softmaxCrossEntropy, labels: "indices" });
 * const saved: Uint8Array[] = [];
 * const trainer = serve.online(learner, { maxDelayMs: 0, checkpoint: { everySteps: 1, write: (b) => void saved.push(b) } });
 * await trainer.learn([0.5, 1], 2);
 * await trainer.close();
 * saved.length;  // 1
 * learner.dispose();
 * ```
 *
 * @category Serving
 */
export function online(learner: Learner, options: OnlineOptions = {}): OnlineLearner {
  if (!(learner instanceof Learner)) throw new ParalensError(`online: expected a Learner (supervised(model, options)), got ${describe(learner)}`);
  return new OnlineLearner(learner, options);
}
