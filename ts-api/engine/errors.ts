/**
 * Every error paralens throws on purpose is a ParalensError; its message names the problem and the values involved.
 *
 * @example
 * ```ts
 * try { compile(dense(4, 3), { batch: 0 }); } catch (e) { e instanceof ParalensError; }  // true
 * ```
 *
 * @category Engine
 */
export class ParalensError extends Error {
  override name = "ParalensError";
}

/**
 * A short, printable form of any value for messages: a string is quoted (so "4" is not read as 4)
 * and cut, an array or object named by its kind.
 *
 * @example
 * ```ts
 * describe("4");  // '"4" (a string)'
 * ```
 */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}...` : v) + " (a string)";
  if (Array.isArray(v)) return v.length === 0 ? "[] (an empty array)" : `an array of ${v.length}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return ArrayBuffer.isView(v) ? `a ${v.constructor.name}` : `an object (${v.constructor?.name ?? "no prototype"})`;
  if (typeof v === "number") return String(v);
  if (typeof v === "function") return `a function (${v.name || "anonymous"})`;
  return `${String(v)} (a ${typeof v})`;
}

/**
 * Throws unless `options` is an object (not null, an array or a number): destructuring anything else
 * fails as a TypeError, or reads nothing and silently takes every default.
 *
 * @example
 * ```ts
 * optionsArgument("attention", { heads: 2 });  // fine; optionsArgument("attention", 2) throws
 * ```
 */
export function optionsArgument(what: string, options: unknown, name = "options"): asserts options is object {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new ParalensError(`${what}: ${name} must be an object, got ${describe(options)}`);
}

/** Formats a shape for messages: [64, 28, 28] (what is not a shape is described, so a message about a bad shape can show it). */
export function fmtShape(shape: readonly number[]): string {
  if (!Array.isArray(shape)) return describe(shape);
  return `[${shape.map((d: unknown) => (typeof d === "number" ? String(d) : describe(d))).join(", ")}]`;
}

/** Formats a list of wires for messages: [4] x [3], or I (the unit) when empty. */
export function fmtWires(wires: readonly (readonly number[])[]): string {
  if (!Array.isArray(wires)) return describe(wires);
  return wires.length === 0 ? "I" : wires.map(fmtShape).join(" x ");
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
