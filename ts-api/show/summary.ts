// summary(model): the lenses a model is made of, each with its input and
// output shapes and parameter count, the totals, and the arena a compiled plan
// takes at a batch size (what memory a training step needs, all of it).
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { compile } from "../backend/compile.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import type { RealOps } from "../ops/index.ts";
import { trace } from "./trace.ts";

/** One lens of a summary. */
export interface SummaryRow {
  /** The layer's parameter prefix and its ops ("0: matmul, addRowVector"), or the ops of a parameter-free lens ("relu"). */
  readonly name: string;
  /** The lens's input wires (per example). */
  readonly inputs: readonly Shape[];
  /** The lens's output wires (per example). */
  readonly outputs: readonly Shape[];
  /** Parameters the lens holds (elements, not bytes). */
  readonly parameters: number;
}

/** What `summary(model)` returns: each lens with its shapes and parameter count, the totals, and the plan's arena bytes. */
export interface Summary {
  /** The model's name. */
  readonly model: string;
  /** The lenses in the order the forward pass runs them. */
  readonly rows: readonly SummaryRow[];
  /** Parameter count of the whole model (every parameter wire once). */
  readonly parameters: number;
  /** The batch size `arenaBytes` was measured at. */
  readonly batch: number;
  /** Bytes of wasm memory a compiled training plan (forward and reverse) takes at `batch`. */
  readonly arenaBytes: number;
  /** The summary as a text table. */
  toString(): string;
}

const count = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
const show = (shapes: readonly Shape[]): string => shapes.map((s) => `[${s.join(", ")}]`).join(" x ") || "I";

/**
 * The lenses of `model` (read off one traced forward pass), their shapes and
 * parameter counts, and the arena of its plan at `batch` (default 32). Needs
 * `await init()` first, for the plan.
 *
 *   console.log(String(summary(seq(dense(784, 128, "relu"), dense(128, 10)), { batch: 64 })));
 */
export function summary(model: Para<Wires, Wires, RealOps>, options: { batch?: number } = {}): Summary {
  paraArgument("summary", model);
  optionsArgument("summary", options);
  const batch = options.batch ?? 32;
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`summary: batch must be a whole number >= 1, got ${describe(batch)}`);
  const t = trace(model);
  const sizes = new Map(model.params.map((p) => [p.name, count(p.shape)]));
  const rows: SummaryRow[] = t.lenses.map((l) => ({
    name: l.name,
    inputs: l.inputs.map((v) => t.values[v]!.shape),
    outputs: l.outputs.map((v) => t.values[v]!.shape),
    parameters: l.params.reduce((n, p) => n + (sizes.get(p) ?? 0), 0),
  }));
  const plan = compile(model, { batch });
  const arenaBytes = plan.stats.bytes;
  plan.dispose();
  const parameters = [...sizes.values()].reduce((a, b) => a + b, 0);
  return { model: model.name, rows, parameters, batch, arenaBytes, toString: () => table(model.name, rows, parameters, batch, arenaBytes) };
}

function table(name: string, rows: readonly SummaryRow[], parameters: number, batch: number, arenaBytes: number): string {
  const cells = [["lens", "input", "output", "parameters"], ...rows.map((r) => [r.name, show(r.inputs), show(r.outputs), r.parameters.toLocaleString("en")])];
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((c) => c[j]!.length)));
  const line = (c: string[]): string => c.map((x, j) => (j === 3 ? x.padStart(widths[j]!) : x.padEnd(widths[j]!))).join("  ").trimEnd();
  const rule = "-".repeat(line(cells[0]!).length);
  return [
    name, rule, line(cells[0]!), rule, ...cells.slice(1).map(line), rule,
    `parameters: ${parameters.toLocaleString("en")} (${(parameters * 4).toLocaleString("en")} bytes as f32)`,
    `arena at batch ${batch}: ${arenaBytes.toLocaleString("en")} bytes (a training step's forward and reverse plan)`,
  ].join("\n");
}
