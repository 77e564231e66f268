// summary(model): the layers a model is made of, each with its input and
// output shapes and parameter count, the totals, and the arena a compiled plan
// takes at a batch size (what memory a training step needs, all of it). The
// layers are the parts the model was composed of (parts.ts), opened to a depth.
import { type Para, type ParamSpec, paraArgument } from "../algebra/para.ts";
import { partsAt } from "../algebra/parts.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { compile } from "../backend/compile.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import type { RealOps } from "../ops/index.ts";

/**
 * One layer of a summary.
 *
 * @category Show
 */
export interface SummaryRow {
  /** The layer's path in the model and its name: "2: dense(16 -> 3)" (a model of one layer: its name alone). */
  readonly name: string;
  /** Its position among the model's parts ("2"; "0.1" for part 1 of part 0), or "" for a model of one layer. */
  readonly path: string;
  /** The layer's input wires (per example). */
  readonly inputs: readonly Shape[];
  /** The layer's output wires (per example). */
  readonly outputs: readonly Shape[];
  /** Parameters the layer learns (elements, not bytes); running statistics (batchNorm's) are counted apart, in Summary.statistics. */
  readonly parameters: number;
}

/**
 * What `summary(model)` returns: each layer with its shapes and parameter count, the totals, and the plan's arena bytes.
 *
 * @category Show
 */
export interface Summary {
  /** The model's name. */
  readonly model: string;
  /** The layers, in the order they were composed. */
  readonly rows: readonly SummaryRow[];
  /** Parameter count of the whole model (every parameter wire once), running statistics left out. */
  readonly parameters: number;
  /** Values of the model's running statistics (parameters of role "statistic": batchNorm's mean and variance), which training updates but does not learn by gradient. */
  readonly statistics: number;
  /** The batch size `arenaBytes` was measured at. */
  readonly batch: number;
  /** Bytes of wasm memory a compiled training plan (forward and reverse) takes at `batch`. */
  readonly arenaBytes: number;
  /** The summary as a text table. */
  toString(): string;
}

const count = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
/** Values of the wires of `params` whose role is (or, `statistic` false, is not) "statistic". */
const values = (params: readonly ParamSpec[], statistic: boolean): number => params.reduce((n, p) => ((p.role === "statistic") === statistic ? n + count(p.shape) : n), 0);
const show = (shapes: readonly Shape[]): string => shapes.map((s) => `[${s.join(", ")}]`).join(" x ") || "I";

/**
 * Options of `summary`.
 *
 * @category Show
 */
export interface SummaryOptions {
  /** The batch size the arena is measured at (default 32). */
  batch?: number;
  /** How many levels of composites to open (default 1: the layers the model was composed of; 2 opens each of those, dense into linear, bias and activation). */
  depth?: number;
}

/**
 * The layers of `model` (the parts seq and par joined, opened `depth` levels),
 * their shapes and parameter counts, and the arena of its plan at `batch`.
 * Needs `await init()` first, for the plan.
 *
 * @example
 * ```ts
 * console.log(String(summary(seq(dense(784, 128, "relu"), dense(128, 10)), { batch: 64 })));
 * ```
 *
 * @category Show
 */
export function summary(model: Para<Wires, Wires, RealOps>, options: SummaryOptions = {}): Summary {
  paraArgument("summary", model);
  optionsArgument("summary", options);
  const { batch = 32, depth = 1 } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`summary: batch must be a whole number >= 1, got ${describe(batch)}`);
  if (!Number.isInteger(depth) || depth < 1) throw new ParalensError(`summary: depth must be a whole number >= 1, got ${describe(depth)}`);
  const rows: SummaryRow[] = partsAt(model, depth).map(({ path, para, first, end }) => ({
    name: path === "" ? para.name : `${path}: ${para.name}`,
    path,
    inputs: para.dom,
    outputs: para.cod,
    parameters: values(model.params.slice(first, end), false),
  }));
  const plan = compile(model, { batch });
  const arenaBytes = plan.stats.bytes;
  plan.dispose();
  const parameters = values(model.params, false);
  const statistics = values(model.params, true);
  return { model: model.name, rows, parameters, statistics, batch, arenaBytes, toString: () => table(model.name, rows, parameters, statistics, batch, arenaBytes) };
}

function table(name: string, rows: readonly SummaryRow[], parameters: number, statistics: number, batch: number, arenaBytes: number): string {
  const cells = [["layer", "input", "output", "parameters"], ...rows.map((r) => [r.name, show(r.inputs), show(r.outputs), r.parameters.toLocaleString("en")])];
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((c) => c[j]!.length)));
  const line = (c: string[]): string => c.map((x, j) => (j === 3 ? x.padStart(widths[j]!) : x.padEnd(widths[j]!))).join("  ").trimEnd();
  const rule = "-".repeat(line(cells[0]!).length);
  return [
    name, rule, line(cells[0]!), rule, ...cells.slice(1).map(line), rule,
    `parameters: ${parameters.toLocaleString("en")} (${(parameters * 4).toLocaleString("en")} bytes as f32)`,
    ...(statistics === 0 ? [] : [`running statistics: ${statistics.toLocaleString("en")} (${(statistics * 4).toLocaleString("en")} bytes as f32), updated by training, not learned`]),
    `arena at batch ${batch}: ${arenaBytes.toLocaleString("en")} bytes (a training step's forward and reverse plan)`,
  ].join("\n");
}
