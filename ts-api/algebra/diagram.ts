// String diagrams written as let-bindings. A gated cell or an unrolled
// recurrence is a diagram: boxes (Para maps) joined by wires, some wires
// copied (used twice), some dropped. Writing it as seq(par(id, f), wire(...))
// by hand is error-prone, so `diagram` records the boxes in the order they
// are applied and builds exactly that composite: before each box, one `wire`
// keeps the wires still needed later and copies the box's arguments next to
// them; then par(id, box). Nothing is evaluated here: the result is an
// ordinary Para made of seq, par and wire, so copies add their changes on
// the way back and dropped wires send back the zero change.
import { par, seqOf } from "./compose.ts";
import { type Layer, type Para, resolve } from "./para.ts";
import { type Parts, inPart } from "./parts.ts";
import { wiresArgument } from "./shapes.ts";
import { type Shape, type Wires, sameWires } from "./shapes.ts";
import { id, wire } from "./structure.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";

/**
 * A wire of a diagram under construction: a handle with the shape it carries.
 *
 * @category Composition
 */
export interface Wire {
  readonly id: number;
  readonly shape: Shape;
}

/**
 * What a diagram's body uses to place boxes.
 *
 * @category Composition
 */
export interface Builder {
  /**
   * Applies a box to some wires (a wire may be used any number of times) and
   * returns its output wires. A label names the box's parameters ("label.name").
   */
  apply(box: Layer, args: readonly Wire[], label?: string): Wire[];
  /** apply for a box with one output wire. */
  apply1(box: Layer, args: readonly Wire[], label?: string): Wire;
}

interface Box {
  f: Para<Wires, Wires>;
  args: number[];
  outs: number[];
  label: string | undefined;
}

/**
 * The Para A -> B drawn by `body`, which gets the input wires and returns the
 * output wires. Parameters are the boxes', in the order the boxes were applied.
 *
 * @example
 * ```ts
 * // a + a * b, with a used twice (copied; its changes add up on the way back)
 * const blend = wires.diagram("blend", [[4], [4]], (d, [a, b]) => [d.apply1(wires.add([4]), [a!, d.apply1(wires.multiply([4]), [a!, b!])])]);
 * ```
 *
 * @category Composition
 */
export function diagram<const A extends Wires, const B extends Wires = Wires>(
  name: string,
  dom: A,
  body: (d: Builder, inputs: Wire[]) => readonly Wire[],
): Para<A, B> {
  if (typeof name !== "string") throw new ParalensError(`diagram: the name must be a string, got ${describe(name)}`);
  wiresArgument("diagram", dom, "dom");
  if (typeof body !== "function") throw new ParalensError(`diagram: the body must be a function (d, inputs) => outputs, got ${describe(body)}`);
  const shapes = new Map<number, Shape>();
  const fresh = (shape: Shape): Wire => {
    const w = { id: shapes.size, shape };
    shapes.set(w.id, shape);
    return w;
  };
  const inputs = dom.map(fresh);
  const boxes: Box[] = [];
  const builder: Builder = {
    apply(box, args, label) {
      for (const a of args) if (shapes.get(a.id) !== a.shape) throw new ParalensError(`${name}: a wire from another diagram was used`);
      const argShapes = args.map((a) => a.shape);
      const f = resolve(box, argShapes);
      if (!sameWires(f.dom, argShapes)) {
        throw new ParalensError(`${name}: ${f.name} takes ${fmtWires(f.dom)} but was given ${fmtWires(argShapes)}`);
      }
      const outs = f.cod.map(fresh);
      boxes.push({ f, args: args.map((a) => a.id), outs: outs.map((o) => o.id), label });
      return outs;
    },
    apply1(box, args, label) {
      const outs = builder.apply(box, args, label);
      if (outs.length !== 1) throw new ParalensError(`${name}: apply1 needs a box with one output, ${resolve(box, args.map((a) => a.shape)).name} has ${outs.length}`);
      return outs[0]!;
    },
  };
  const outputs = body(builder, inputs).map((w) => w.id);

  // its parts are the boxes, in the order they were applied (not the routing between them)
  const parts: Parts = { kind: "diagram", of: boxes.map((b) => b.f), name: "" };
  // Build the composite, keeping only wires that some later box or the output reads.
  const stages: Para<Wires, Wires>[] = [];
  let live = inputs.map((w) => w.id);
  const lastUse = new Map<number, number>();
  boxes.forEach((b, i) => b.args.forEach((w) => lastUse.set(w, i)));
  for (const w of outputs) lastUse.set(w, Infinity);
  boxes.forEach((box, i) => {
    const keep = live.filter((w) => (lastUse.get(w) ?? -1) > i);
    const at = (w: number): number => live.indexOf(w);
    const route = wire(live.map((w) => shapes.get(w)!), [...keep.map(at), ...box.args.map(at)], "route");
    const keepShapes = keep.map((w) => shapes.get(w)!);
    // the box as a part of the diagram, to a backend that asks (Carrier.part)
    const f: Para<Wires, Wires> = { ...box.f, forward: (ops, p, x) => inPart(ops, parts, i, () => box.f.forward(ops, p, x)) };
    stages.push(route, keep.length === 0 ? f : par(id(keepShapes), f));
    live = [...keep, ...box.outs];
  });
  stages.push(wire(live.map((w) => shapes.get(w)!), outputs.map((w) => live.indexOf(w)), "route"));
  const composite = (stages.length === 1 ? stages[0]! : seqOf(stages)) as Para<Wires, Wires>;

  const names = boxes.flatMap((b) => b.f.params.map((p) => (b.label ? `${b.label}.${p.name}` : p.name)));
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ParalensError(`${name}: two parameters are named "${n}"; label the boxes that share a parameter name`);
    seen.add(n);
  }
  return {
    ...composite,
    name,
    dom,
    cod: outputs.map((w) => shapes.get(w)!) as unknown as B,
    params: composite.params.map((p, i) => ({ ...p, name: names[i]! })),
    parts,
  } as Para<A, B>;
}
