// Batched values whose batch axis the graph moved. torch's
// nn.MultiheadAttention computes sequence-first: its graph transposes
// [batch, T, d] to [T, batch, d], folds the heads into the batch axis
// ([T, batch*heads, d/heads]) and unfolds them again. On the tape a batched
// value stays batch-first ([batch, ...shape], each example apart); a view says
// how the graph's axes lie over it. Its atoms are the example's axes with the
// batch inserted at `at`, taken in that order; graph axis i spans `groups[i]`
// consecutive atoms. A transpose of the graph's axes is then a permutation of
// one example's axes, and a reshape that merges the batch with its neighbours
// a reshape of one example: no op ever mixes two examples.
import type { Shape } from "../../../algebra/shapes.ts";
import { type Known, type Live, sizeOf } from "./known.ts";

export interface BatchView {
  /** The batch's place among the atoms. */
  readonly at: number;
  /** How many consecutive atoms each graph axis spans. */
  readonly groups: readonly number[];
}

/** A view, or undefined for the plain one (the batch first, every axis its own). */
export function viewOf(at: number, groups: readonly number[]): BatchView | undefined {
  return at === 0 && groups.every((g) => g === 1) ? undefined : { at, groups: [...groups] };
}

const groupsOf = (shape: Shape, view: BatchView | undefined): readonly number[] => view?.groups ?? new Array<number>(shape.length + 1).fill(1);

/** The atoms' indices each graph axis spans. */
function members(shape: Shape, view: BatchView | undefined): number[][] {
  let next = 0;
  return groupsOf(shape, view).map((g) => Array.from({ length: g }, () => next++));
}

/** The example's axes with the batch (NaN) at its place. */
function atoms(shape: Shape, view: BatchView | undefined): number[] {
  const at = view?.at ?? 0;
  return [...shape.slice(0, at), NaN, ...shape.slice(at)];
}

/** The graph's shape of a batched value: NaN for the axis that holds the batch. */
export function graphShape(shape: Shape, view: BatchView | undefined): number[] {
  const a = atoms(shape, view);
  return members(shape, view).map((m) => m.reduce((p, i) => p * a[i]!, 1));
}

/** The graph's full shape of a value: a known value's own, or a batched one's with NaN for the axis that holds the batch. */
export const fullShape = (x: Known | Live): number[] => (x.kind === "live" && x.batched ? graphShape(x.shape, x.view) : [...x.shape]);

export function sameView(a: { shape: Shape; view?: BatchView }, b: { shape: Shape; view?: BatchView }): boolean {
  const [ga, gb] = [groupsOf(a.shape, a.view), groupsOf(b.shape, b.view)];
  return (a.view?.at ?? 0) === (b.view?.at ?? 0) && ga.length === gb.length && ga.every((g, i) => g === gb[i]);
}

/** Whether graph axis i (counted from the end when negative) is one atom that is not the batch: an axis of the example itself. */
export function plainAxis(shape: Shape, view: BatchView | undefined, i: number): number | undefined {
  const m = members(shape, view);
  const g = m[i < 0 ? m.length + i : i];
  const at = view?.at ?? 0;
  if (g === undefined || g.length !== 1 || g[0] === at) return undefined;
  return g[0]! < at ? g[0]! : g[0]! - 1;
}

/** The graph's axes permuted (output axis i is input axis perm[i]): the permutation of one example's axes that does it, and the view after. */
export function permuted(shape: Shape, view: BatchView | undefined, perm: readonly number[]): { perm: number[]; shape: number[]; view: BatchView | undefined } {
  const at = view?.at ?? 0;
  const m = members(shape, view);
  const order = perm.flatMap((p) => m[p]!);
  const example = order.filter((i) => i !== at).map((i) => (i < at ? i : i - 1));
  return { perm: example, shape: example.map((i) => shape[i]!), view: viewOf(order.indexOf(at), perm.map((p) => m[p]!.length)) };
}

/**
 * A reshape of the graph's shape to `target` (whole sizes, NaN for the one
 * axis that holds the batch) as a reshape of one example, or undefined when
 * the batch would not stay whole inside one axis.
 */
export function regrouped(shape: Shape, view: BatchView | undefined, target: readonly number[]): { shape: number[]; view: BatchView | undefined } | undefined {
  const j = target.findIndex((d) => Number.isNaN(d));
  if (j < 0 || target.some((d, i) => i !== j && (Number.isNaN(d) || !Number.isInteger(d) || d < 1))) return undefined;
  const at = view?.at ?? 0;
  const [p, s] = [sizeOf(shape.slice(0, at)), sizeOf(shape.slice(at))];
  const [before, after] = [sizeOf(target.slice(0, j)), sizeOf(target.slice(j + 1))];
  if (p % before !== 0 || s % after !== 0) return undefined;
  // the batch's axis is what is left of the example's axes on either side of it
  const head = [...target.slice(0, j), ...(p / before === 1 ? [] : [p / before])];
  const tail = [...(s / after === 1 ? [] : [s / after]), ...target.slice(j + 1)];
  const groups = [...target.slice(0, j).map(() => 1), 1 + head.length - j + tail.length - (target.length - j - 1), ...target.slice(j + 1).map(() => 1)];
  return { shape: [...head, ...tail], view: viewOf(head.length, groups) };
}

/**
 * The shape on the tape of a value shared by all examples that broadcasts
 * against a batched value's graph axes: one dim per axis of the example, so
 * it broadcasts against [batch, ...shape] as it is; undefined when it would
 * broadcast along the batch or split an axis the view merged.
 */
export function sharedAgainst(shape: Shape, view: BatchView | undefined, other: Shape): number[] | undefined {
  const a = atoms(shape, view);
  const at = view?.at ?? 0;
  const m = members(shape, view);
  if (other.length > m.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) {
    const d = i < m.length - other.length ? 1 : other[i - (m.length - other.length)]!;
    const sizes = m[i]!.filter((k) => k !== at).map((k) => a[k]!);
    if (d === 1) out.push(...sizes.map(() => 1));
    else if (m[i]!.includes(at) || d !== sizeOf(sizes)) return undefined;
    else out.push(...sizes);
  }
  return out;
}

/** The graph's shape of a batched value, as an error shows it: "batch" for the batch, "batch*k" where a view merged k values with it. */
export function describeShape(shape: Shape, view: BatchView | undefined): string {
  const a = atoms(shape, view);
  const at = view?.at ?? 0;
  return `[${members(shape, view).map((m) => {
    const k = m.filter((i) => i !== at).reduce((p, i) => p * a[i]!, 1);
    return !m.includes(at) ? String(k) : k === 1 ? "batch" : `batch*${k}`;
  }).join(", ")}]`;
}
