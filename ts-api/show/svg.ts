// toSVG(model): the string diagram as the papers on parametric lenses draw
// it: boxes left to right, data wires between them, each parameter wire
// entering its box from above, a wire used twice split at a copy dot, an
// addition drawn as a dot. For a learner the loss, the learning rate and the
// optimiser are boxes of their own: the optimiser sits on the parameter wires,
// the loss takes the prediction and the label, the rate closes the loss wire.
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import type { Learner } from "../learner/learner.ts";
import type { RealOps } from "../ops/index.ts";
import { trace } from "./trace.ts";

interface Point {
  x: number;
  y: number;
}

const W = 140;
const GAP = 70;
const TOP = 70;
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const wire = (a: Point, b: Point): string => {
  const mx = (a.x + b.x) / 2;
  return `<path class="wire" d="M${a.x},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}" fill="none" stroke="#222" stroke-width="1.5"/>`;
};
const text = (p: Point, s: string, size = 11, anchor = "middle"): string =>
  `<text x="${p.x}" y="${p.y}" font-family="sans-serif" font-size="${size}" text-anchor="${anchor}">${esc(s)}</text>`;

const LINE = 24;
/** A box's name in at most three lines of LINE characters: the path ("2:") on a line of its own, the name broken after commas and spaces. */
function labelLines(name: string): string[] {
  const colon = /^[\d.]+: /.exec(name);
  const lines = colon ? [colon[0].trim()] : [];
  let rest = colon ? name.slice(colon[0].length) : name;
  while (rest.length > LINE && lines.length < 2) {
    const cut = Math.max(rest.lastIndexOf(" ", LINE), rest.lastIndexOf(",", LINE - 1) + 1);
    const at = cut > 0 ? cut : LINE;
    lines.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  lines.push(rest.length > LINE ? `${rest.slice(0, LINE - 1)}…` : rest);
  return lines;
}

/** The path a box's name begins with ("2" of "2: dense(16 -> 3)"), or "". */
const layerPath = (name: string): string => /^([\d.]+): /.exec(name)?.[1] ?? "";

const isLearner = (m: unknown): m is Learner => typeof m === "object" && m !== null && "lens" in m && "model" in m && typeof (m as Learner).fit === "function";

/**
 * Options of `toSVG`.
 *
 * @category Show
 */
export interface SVGOptions {
  /** How many levels of composites to open (default 1: a box per layer the model was composed of; 2 opens those, dense into linear, bias and activation). */
  depth?: number;
}

/**
 * The string diagram of a model, or of a learner with its loss, rate and
 * optimiser, as an SVG document (a string): a box per layer, named as the
 * layer is. The model is traced once on the float64 reference, so no init()
 * is needed.
 *
 * @example
 * ```ts
 * const svg = show.toSVG(seq(dense(4, 8, "relu"), dense(8, 3)));  // e.g. document.body.innerHTML = svg
 * svg.startsWith("<svg");  // true
 * ```
 *
 * @category Show
 */
export function toSVG(model: Para<Wires, Wires, RealOps> | Learner, options: SVGOptions = {}): string {
  const learner = isLearner(model) ? model : undefined;
  if (!learner) paraArgument("toSVG", model, "the model or learner");
  optionsArgument("toSVG", options);
  const opened = options.depth ?? 1;
  if (!Number.isInteger(opened) || opened < 1) throw new ParalensError(`toSVG: depth must be a whole number >= 1, got ${describe(opened)}`);
  const t = trace(learner ? learner.model : (model as Para<Wires, Wires, RealOps>), opened);
  const out: string[] = [];
  // room above for slanted parameter names
  const top = learner ? TOP + 60 : TOP + (t.lenses.some((l) => l.params.length > 2) ? 50 : 0);
  // columns: a lens sits one column right of the last lens it reads from
  const column = new Map<number, number>();
  const made = new Map<number, number>();
  t.lenses.forEach((l, i) => l.outputs.forEach((v) => made.set(v, i)));
  const depth = t.lenses.map(() => 0);
  t.lenses.forEach((l, i) => {
    depth[i] = 1 + Math.max(0, ...l.inputs.map((v) => (made.has(v) ? depth[made.get(v)!]! : 0)));
  });
  const rows = new Map<number, number>();
  const isAdd = (i: number): boolean => t.lenses[i]!.params.length === 0 && t.lenses[i]!.ops.length === 1 && /^(add|plus)$/.test(t.lenses[i]!.ops[0]!) && t.lenses[i]!.inputs.length === 2;
  const place = t.lenses.map((l, i) => {
    const row = rows.get(depth[i]!) ?? 0;
    rows.set(depth[i]!, row + 1);
    column.set(i, depth[i]!);
    const h = Math.max(30 + 12 * Math.max(l.inputs.length, l.outputs.length, 1), 16 + 13 * labelLines(l.name).length);
    return { x: 60 + (depth[i]! - 1) * (W + GAP), y: top + row * 110, h };
  });
  const width = 60 + Math.max(1, ...depth) * (W + GAP) + (learner ? 2 * (W + GAP) : 0) + 40;
  const height = top + Math.max(1, ...rows.values()) * 110 + 40;

  // ports: where each value leaves its maker, and where each consumer takes it
  const source = new Map<number, Point>();
  t.inputs.forEach((v, k) => source.set(v, { x: 20, y: top + 25 + k * 30 }));
  t.inputs.forEach((v, k) => out.push(text({ x: 16, y: top + 21 + k * 30 }, "x", 11, "end")));
  const pin = (i: number, k: number, n: number, side: "in" | "out"): Point => {
    const p = place[i]!;
    if (isAdd(i)) return { x: p.x + W / 2 + (side === "in" ? -6 : 6), y: p.y + p.h / 2 };
    return { x: side === "in" ? p.x : p.x + W, y: p.y + (p.h * (k + 1)) / (n + 1) };
  };
  t.lenses.forEach((l, i) => l.outputs.forEach((v, k) => source.set(v, pin(i, k, l.outputs.length, "out"))));
  const sinks = new Map<number, Point[]>();
  const take = (v: number, p: Point): void => void (sinks.get(v) ?? sinks.set(v, []).get(v)!).push(p);
  t.lenses.forEach((l, i) => l.inputs.forEach((v, k) => take(v, pin(i, k, l.inputs.length, "in"))));
  const end = 60 + Math.max(1, ...depth) * (W + GAP) - GAP + 30;
  const lossAt = { x: end + 20, y: top, h: 60 };
  t.outputs.forEach((v, k) => take(v, learner ? { x: lossAt.x, y: lossAt.y + 20 } : { x: end, y: (source.get(v)?.y ?? top) + k * 0 }));

  // boxes, and addition as a dot
  t.lenses.forEach((l, i) => {
    const p = place[i]!;
    if (isAdd(i)) {
      out.push(`<circle class="add" cx="${p.x + W / 2}" cy="${p.y + p.h / 2}" r="6" fill="#222"/>`);
      return;
    }
    out.push(`<rect class="box" x="${p.x}" y="${p.y}" width="${W}" height="${p.h}" rx="4" fill="#f4f4f4" stroke="#222" stroke-width="1.5"/>`);
    const lines = labelLines(l.name);
    lines.forEach((line, k) => out.push(text({ x: p.x + W / 2, y: p.y + p.h / 2 + 4 + (k - (lines.length - 1) / 2) * 13 }, line)));
    l.params.forEach((name, k) => {
      const x = p.x + (W * (k + 1)) / (l.params.length + 1);
      const from = learner ? TOP + 30 : p.y - 40;
      out.push(`<path class="param" d="M${x},${from} L${x},${p.y}" stroke="#555" stroke-width="1.5" stroke-dasharray="${learner ? "0" : "0"}"/>`);
      // named within the box's layer ("weight" under "2: dense(...)"), slanted when they are many
      const own = name.startsWith(`${layerPath(l.name)}.`) ? name.slice(layerPath(l.name).length + 1) : name;
      if (!learner && l.params.length <= 2) out.push(text({ x, y: p.y - 44 }, own, 9));
      else if (!learner) out.push(text({ x, y: p.y - 44 }, own, 9, "start").replace("<text ", `<text transform="rotate(-35 ${x} ${p.y - 44})" `));
    });
  });

  // data wires, split at a copy dot where a value is used more than once
  for (const [v, from] of source) {
    const to = sinks.get(v) ?? [];
    if (to.length === 1) out.push(wire(from, to[0]!));
    if (to.length > 1) {
      const dot = { x: from.x + 18, y: from.y };
      out.push(`<path class="wire" d="M${from.x},${from.y} L${dot.x},${dot.y}" stroke="#222" stroke-width="1.5"/>`);
      out.push(`<circle class="copy" cx="${dot.x}" cy="${dot.y}" r="4" fill="#222"/>`);
      // a wire that skips boxes runs below them
      const lane = Math.max(...place.map((q) => q.y + q.h)) + 14;
      for (const p of to) out.push(p.x - dot.x > W + GAP ? `<path class="wire" d="M${dot.x},${dot.y} L${dot.x},${lane} L${p.x - 12},${lane} L${p.x},${p.y}" fill="none" stroke="#222" stroke-width="1.5"/>` : wire(dot, p));
    }
  }

  if (learner) {
    const names = learner.parts;
    const params = t.lenses.flatMap((l, i) => l.params.map(() => place[i]!));
    const left = Math.min(...params.map((p) => p.x), 60);
    const right = Math.max(...params.map((p) => p.x + W), left + W);
    out.push(`<rect class="box optimiser" x="${left}" y="${TOP - 10}" width="${right - left}" height="40" rx="4" fill="#e8eef8" stroke="#222" stroke-width="1.5"/>`);
    out.push(text({ x: (left + right) / 2, y: TOP + 14 }, `optimiser: ${names.optimiser}`));
    out.push(`<rect class="box loss" x="${lossAt.x}" y="${lossAt.y}" width="${W}" height="${lossAt.h}" rx="4" fill="#f8eee8" stroke="#222" stroke-width="1.5"/>`);
    out.push(text({ x: lossAt.x + W / 2, y: lossAt.y + 34 }, `loss: ${names.loss}`));
    const label = { x: 20, y: height - 30 };
    out.push(text({ x: 16, y: label.y - 4 }, "y", 11, "end"));
    out.push(wire(label, { x: lossAt.x, y: lossAt.y + 40 }));
    const rateAt = { x: lossAt.x + W + GAP, y: lossAt.y };
    out.push(wire({ x: lossAt.x + W, y: lossAt.y + 30 }, { x: rateAt.x, y: rateAt.y + 30 }));
    out.push(`<rect class="box rate" x="${rateAt.x}" y="${rateAt.y}" width="${W}" height="${lossAt.h}" rx="4" fill="#eef8e8" stroke="#222" stroke-width="1.5"/>`);
    out.push(text({ x: rateAt.x + W / 2, y: rateAt.y + 34 }, `rate: ${names.rate}`));
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...out,
    "</svg>",
  ].join("\n");
}
