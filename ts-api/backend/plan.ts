// What every compiled plan offers, whatever its values are: f32 tensors in
// the arena (compile) or bit-packed Z2 tensors (paralens/z2's compileZ2). A
// Para laid out for one batch size, its forward and reverse passes ready to
// run: write the inputs, run, read the outputs.

/**
 * A plan over tensors of type T, with `S` the statistics its backend reports.
 *
 * @category Backends
 */
export interface Plan<T, S> {
  /** Examples per run: the first axis of every data tensor. */
  readonly batch: number;
  /** The parameter tensors, one per parameter wire, bound or allocated at compile time. */
  readonly params: readonly T[];
  /** Write the batch here before forward() (and, for a plan that recomputes, before reverse()). */
  readonly inputs: readonly T[];
  /** Read the results here after forward(). */
  readonly outputs: readonly T[];
  /** Write the output changes here before reverse(). */
  readonly outputChanges: readonly T[];
  /** After reverse(): the parameter changes (null: zero or not requested). For an update lens these are the new values. */
  readonly paramChanges: readonly (T | null)[];
  /** After reverse(): the input changes (null: zero or not requested). */
  readonly inputChanges: readonly (T | null)[];
  /** Values recorded by tap lenses. */
  readonly observed: ReadonlyMap<string, T>;
  /** Runs the forward pass. */
  forward(): void;
  /** Runs the reverse pass. */
  reverse(): void;
  /** What the backend reports of the plan: its calls or gates, and its memory. */
  readonly stats: S;
  /** Frees the plan's memory (and its parameters, if it allocated them). */
  dispose(): void;
}
