import { summary } from "./summary.ts";
import { toSVG } from "./svg.ts";

/**
 * Showing a model: its lenses with shapes and sizes as a table, and its
 * string diagram as SVG.
 *
 * @example
 * ```ts
 * const svg = show.toSVG(seq(dense(4, 8, "relu"), dense(8, 3)));
 * ```
 *
 * @namespace
 * @category Show
 */
export const show = {
  summary, toSVG,
} as const;
