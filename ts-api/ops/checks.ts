// Checks every backend shares, so the planner and the reference refuse the
// same arguments with the same words.
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { sizeOf } from "./ref-tensor.ts";

export function sameSize(what: string, a: Shape, b: Shape): void {
  if (sizeOf(a) !== sizeOf(b)) throw new ParalensError(`${what}: ${fmtShape(a)} and ${fmtShape(b)} differ in size`);
}

/** Losses and their reverses: one value per row of a (its first axis). */
export function oncePerRow(what: string, a: Shape, dl: Shape): void {
  const rows = a.length === 0 ? 1 : a[0]!;
  if (sizeOf(dl) !== rows) throw new ParalensError(`${what}: ${rows} rows but ${sizeOf(dl)} values per row given (${fmtShape(dl)})`);
}
