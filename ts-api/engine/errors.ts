/**
 * Every error paralens throws on purpose is a ParalensError; its message names the problem and the values involved.
 *
 *   try { compile(dense(4, 3), { batch: 0 }); } catch (e) { e instanceof ParalensError; }  // true
 */
export class ParalensError extends Error {
  override name = "ParalensError";
}

/** Formats a shape for messages: [64, 28, 28]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Formats a list of wires for messages: [4] x [3], or I (the unit) when empty. */
export function fmtWires(wires: readonly (readonly number[])[]): string {
  return wires.length === 0 ? "I" : wires.map(fmtShape).join(" x ");
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
