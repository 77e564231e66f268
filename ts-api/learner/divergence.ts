// Divergence: a step whose loss or new parameters are not finite. Training
// stops there with an error that names the epoch, the step and where the
// first non-finite value was written, and the learner is left holding the
// last parameters and optimiser state that were finite. Checking the loss
// before the reverse pass is free (it is summed anyway) and catches almost
// every case before anything is written; state is scanned once per epoch and
// copied every few hundred steps, so a step that writes a non-finite
// parameter is found by replaying from that copy.
import type { NonFiniteSite } from "../backend/compile.ts";
import { ParalensError } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";

/** A training step found to diverge: its position and where its first non-finite value came from. */
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
export function firstNonFinite(names: readonly string[], tensors: readonly Tensor[]): { name: string; index: number; value: number } | undefined {
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

/**
 * The divergence check of a learner that trains one step at a time: after a
 * step's forward pass, a non-finite loss stops it before its update is
 * written; a finite one has the state copied (a memcpy, well under 1% of a
 * step) before the update, so an update that writes a non-finite value, seen
 * at the next forward pass or by settle(), is undone exactly.
 */
export class UpdateGuard {
  private before: Snapshot | undefined;

  constructor(
    private readonly what: string,
    private readonly names: readonly string[],
    private readonly state: readonly Tensor[],
  ) {}

  /** After a step's forward pass: throws a DivergenceError if its loss (the first n values) is not finite, else copies the state for its update. */
  beforeUpdate(losses: Float32Array, n: number, epoch: number | undefined, step: number, locate: () => NonFiniteSite | undefined): void {
    if (allFinite(losses, n)) {
      (this.before ??= new Snapshot(this.state)).take(this.state);
      return;
    }
    this.settle(epoch, step - 1);
    throw new DivergenceError(epoch, step, locate(), this.what, "The learner holds the parameters and optimiser state from before this step.");
  }

  /** Throws a DivergenceError naming `step` if the state is not finite, after undoing that step's update (the last one). */
  settle(epoch: number | undefined, step: number): void {
    const bad = firstNonFinite(this.names, this.state);
    if (bad === undefined || this.before === undefined) return;
    this.before.restore(this.state);
    throw new DivergenceError(epoch, step, undefined, this.what,
      `Its update made ${bad.name}[${bad.index}] ${bad.value}; the learner holds the parameters and optimiser state from before it.`);
  }

  /** The state was changed by other means (loaded, set): the copy is of nothing to return to. */
  forget(): void {
    this.before = undefined;
  }
}
