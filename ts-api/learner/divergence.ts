// Divergence: a step whose loss or new parameters are not finite. Training
// stops there with an error that names the epoch, the step and where the
// first non-finite value was written, and the learner is left holding the
// last parameters and optimiser state that were finite. Checking the loss
// before the reverse pass is free (it is summed anyway) and catches almost
// every case before anything is written. A step that writes a non-finite
// value from a finite loss is found by replaying from a copy of the state
// taken some steps back: fit replays its own batches (it scans and copies the
// state every 256 steps and at each epoch's end), one-step-at-a-time
// training keeps a journal of its batches (UpdateGuard).
import type { Compiled, NonFiniteSite } from "../backend/compile.ts";
import { ParalensError } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";

/**
 * A training step found to diverge: its position and where its first non-finite value came from.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(1, 1), { loss: mse, rate: 1e30 });
 * try { await learner.fit([[1e20]], [[0]]); } catch (e) { e instanceof learning.DivergenceError; }  // true
 * learner.dispose();
 * ```
 *
 * @category Learners
 */
export class DivergenceError extends ParalensError {
  override name = "DivergenceError";

  constructor(
    readonly epoch: number | undefined,
    /** The step within the epoch (1-based), or the learner's step count for step(). */
    readonly step: number,
    readonly site: NonFiniteSite | undefined,
    what: string,
    restored: string,
  ) {
    const at = epoch === undefined ? `step ${step}` : `epoch ${epoch}, step ${step}`;
    const where = site === undefined ? "" : `: ${site.where} became ${site.value} (kernel ${site.kernel}, ${site.pass} call ${site.call + 1} of ${site.calls})`;
    super(`${what}: training diverged at ${at}${where}. ${restored} Try a smaller learning rate.`);
  }
}

/**
 * A step whose loss, though finite, exceeded `factor` times the best batch loss of the fit so far
 * (fit's `guard` option): a DivergenceError, thrown before the step's update, so the learner holds
 * the parameters and optimiser state from before that step.
 *
 * @example
 * ```ts
 * const learner = supervised(dense(1, 1), { loss: mse, rate: 2 });   // too large: the loss grows 9-fold a step
 * try { await learner.fit([[1], [1], [1], [1]], [[0], [0], [0], [0]], { batchSize: 1, guard: { factor: 10 } }); } catch (e) { e instanceof learning.LossSpikeError; }  // true (at step 3)
 * learner.dispose();
 * ```
 *
 * @category Learners
 */
export class LossSpikeError extends DivergenceError {
  override name = "LossSpikeError";

  constructor(
    epoch: number,
    step: number,
    /** The step's mean loss. */
    readonly loss: number,
    /** The best (lowest) batch loss of the fit before it. */
    readonly best: number,
    readonly factor: number,
  ) {
    super(epoch, step, undefined, "fit", "");
    this.message = `fit: the loss spiked at epoch ${epoch}, step ${step}: ${loss} is over ${factor} times the best batch loss so far (${best}). The learner holds the parameters and optimiser state from before that step. Try a smaller learning rate.`;
  }
}

/** A copy of a learner's state tensors, to return to. */
export class Snapshot {
  private readonly copies: Float32Array[];

  constructor(state: readonly Tensor[]) {
    this.copies = state.map((t) => new Float32Array(t.size));
    this.take(state);
  }

  take(state: readonly Tensor[]): void {
    state.forEach((t, i) => this.copies[i]!.set(t.data));
  }

  restore(state: readonly Tensor[]): void {
    state.forEach((t, i) => t.data.set(this.copies[i]!));
  }
}

/** The name and index of the first non-finite value among named tensors, if any. */
export function firstNonFinite(names: readonly string[], tensors: readonly { readonly data: Float32Array }[]): { name: string; index: number; value: number } | undefined {
  for (let k = 0; k < tensors.length; k++) {
    const data = tensors[k]!.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) return { name: names[k]!, index: i, value: data[i]! };
    }
  }
  return undefined;
}

/** Whether the first `count` values are all finite. */
export function allFinite(a: Float32Array, count = a.length): boolean {
  // x * 0 is 0 for every finite x and NaN otherwise, so the sum is 0 exactly
  // when every value is finite: one add per value and no branch, in four
  // independent sums so that the adds overlap (this runs over every batch and,
  // in fit, over the whole state every few hundred steps)
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const whole = count & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    s0 += a[i]! * 0;
    s1 += a[i + 1]! * 0;
    s2 += a[i + 2]! * 0;
    s3 += a[i + 3]! * 0;
  }
  for (; i < count; i++) s0 += a[i]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** A step as replayed: its plan (looked up again, it may have been recompiled) and copies of its inputs. */
interface Logged {
  readonly epoch: number | undefined;
  readonly step: number;
  readonly plan: () => Compiled;
  readonly inputs: readonly Float32Array[];
}

/** The journal holds at least this many values (4 MiB) before it is cut short by a new copy of the state. */
const MIN_JOURNAL = 1 << 20;
/** ... and at most this many steps, so that a non-finite value that no loss shows (Adam's second moment, say) is found within them. */
const MAX_JOURNAL_STEPS = 256;

/**
 * The divergence check of a learner that trains one step at a time. After a
 * step's forward pass a non-finite loss stops it before its update is
 * written. An update that writes a non-finite value (seen at a later forward
 * pass, or by settle()) is undone exactly without copying the state every
 * step: the guard keeps a copy of the state from some steps back and a
 * journal of the inputs of the steps since, and replays them from the copy to
 * find the step and the state before it. When the journal holds as many
 * values as the state (at least 4 MiB), or 256 steps, the state is checked
 * and copied afresh and the journal emptied: a step costs a copy of its
 * batch, and a scan and a copy of the state are shared by many steps.
 */
export class UpdateGuard {
  private anchor: Snapshot | undefined;
  private readonly journal: Logged[] = [];
  private journalled = 0;
  private readonly budget: number;
  /** Input copies of an emptied journal, by length, for the next steps to copy into (no garbage per step). */
  private readonly spare = new Map<number, Float32Array[]>();

  constructor(
    private readonly what: string,
    private readonly names: readonly string[],
    private readonly state: readonly Tensor[],
  ) {
    this.budget = Math.max(MIN_JOURNAL, state.reduce((n, t) => n + t.size, 0));
  }

  /**
   * After a step's forward pass on `plan` (its loss the first n values of its "loss" tap): throws a
   * DivergenceError if the loss, or the state an earlier update wrote, is not finite; else
   * journals the step, to be replayed if its update turns out to write a non-finite value.
   * `replan` gives the plan again; `sources`, if given, hold the values of the plan's inputs, and
   * are copied instead of them (a copy out of a threaded engine's shared memory is several times slower).
   */
  beforeUpdate(plan: Compiled, n: number, epoch: number | undefined, step: number, replan: () => Compiled, sources?: readonly Float32Array[]): void {
    if (!allFinite(plan.observed.get("loss")!.data, n)) {
      this.settle();
      throw new DivergenceError(epoch, step, plan.locateNonFinite("forward"), this.what, "The learner holds the parameters and optimiser state from before this step.");
    }
    const size = plan.inputs.reduce((k, t) => k + t.size, 0);
    if (this.anchor === undefined || this.journalled + size > this.budget || this.journal.length >= MAX_JOURNAL_STEPS) {
      this.settle();
      (this.anchor ??= new Snapshot(this.state)).take(this.state);
      this.empty();
    }
    this.journal.push({ epoch, step, plan: replan, inputs: plan.inputs.map((t, i) => this.copy(sources?.[i] ?? t.data)) });
    this.journalled += size;
  }

  /**
   * Throws a DivergenceError if the state is not finite: the journalled step whose update made it
   * so is found by replaying from the copy, and the learner is left with the state from before it.
   */
  settle(): void {
    if (this.anchor === undefined || this.state.every((t) => t.allFinite())) return;
    const anchor = this.anchor;
    const journal = this.journal.splice(0);
    this.journalled = 0;
    anchor.restore(this.state);
    const before = new Snapshot(this.state);
    for (const entry of journal) {
      before.take(this.state);
      const plan = this.rerun(entry);
      plan.reverse();
      const bad = firstNonFinite(this.names, this.state);
      if (bad === undefined) continue;
      // once more with each call of the update checked, for the site
      before.restore(this.state);
      const site = this.rerun(entry).locateNonFinite("reverse");
      before.restore(this.state);
      anchor.take(this.state);
      throw new DivergenceError(entry.epoch, entry.step, site, this.what,
        `Its update made ${bad.name}[${bad.index}] ${bad.value}; the learner holds the parameters and optimiser state from before it.`);
    }
    // not reproduced (steps are deterministic, so the state was changed by other means): the copy it is
    const last = journal[journal.length - 1];
    throw new DivergenceError(last?.epoch, last?.step ?? 0, undefined, this.what, "The learner holds the parameters and optimiser state of the last copy taken before it.");
  }

  /** The state was changed by other means (loaded, set): the copy and the journal are of nothing to return to. */
  forget(): void {
    this.anchor = undefined;
    this.empty();
  }

  private empty(): void {
    // only the last journal's copies are kept: at most as many values as the journal holds
    this.spare.clear();
    for (const entry of this.journal) {
      for (const a of entry.inputs) {
        const list = this.spare.get(a.length);
        if (list === undefined) this.spare.set(a.length, [a]);
        else list.push(a);
      }
    }
    this.journal.length = 0;
    this.journalled = 0;
  }

  private copy(data: Float32Array): Float32Array {
    const a = this.spare.get(data.length)?.pop() ?? new Float32Array(data.length);
    a.set(data);
    return a;
  }

  private rerun(entry: Logged): Compiled {
    const plan = entry.plan();
    plan.inputs.forEach((t, i) => t.data.set(entry.inputs[i]!));
    plan.forward();
    return plan;
  }
}
