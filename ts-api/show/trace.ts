// What a model is made of, read off one forward pass: the model is run once,
// at batch 1, on the float64 reference with every op call recorded, which is
// its dataflow graph, with the parameter wires where they enter. The lenses
// shown are the parts the model was composed of (parts.ts), opened to a
// depth: the composites report each part's calls as they run (Carrier.part).
// A model that remembers no parts (a fold, a reparameterised model) is shown
// by its ops: the groups that read one layer's parameters (the prefix of
// "0.weight", "0.bias") and between them the runs of parameter-free ops.
import type { Value } from "../algebra/category.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import { type Marker, type Parts, partWithin, partsAt } from "../algebra/parts.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { reference, refTensor, type RefTensor } from "../backend/reference.ts";
import type { RealOps } from "../ops/index.ts";

/** One value of the traced pass: its shape without the batch axis when it depends on the input. */
export interface TracedValue {
  readonly id: number;
  readonly shape: Shape;
  readonly batched: boolean;
  /** The parameter it is, if it is one. */
  readonly param?: string;
}

/** A lens of the traced model: its ops, the values it reads and gives, its parameters. */
export interface TracedLens {
  readonly name: string;
  readonly ops: readonly string[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly params: readonly string[];
}

export interface Trace {
  readonly values: readonly TracedValue[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly lenses: readonly TracedLens[];
}

interface Call {
  op: string;
  args: number[];
  results: number[];
  params: string[];
  /** The composites' parts the call ran inside, outermost first. */
  within: readonly Marker[];
}


const isTensor = (v: unknown): v is RefTensor => typeof v === "object" && v !== null && "shape" in v && (v as RefTensor).data instanceof Float64Array;

/** The dataflow of `model`'s forward pass, grouped into lenses: its parts opened `depth` levels (default 1), or its ops if it remembers no parts. */
export function trace(model: Para<Wires, Wires, RealOps>, depth = 1): Trace {
  paraArgument("trace", model);
  const values: TracedValue[] = [];
  const ids = new Map<RefTensor, number>();
  const idOf = (t: RefTensor, batched: boolean, param?: string): number => {
    let id = ids.get(t);
    if (id === undefined) {
      id = values.length;
      ids.set(t, id);
      values.push({ id, shape: batched ? t.shape.slice(1) : [...t.shape], batched, ...(param ? { param } : {}) });
    }
    return id;
  };
  const calls: Call[] = [];
  const stack: Marker[] = [];
  const part = <T>(parts: Parts, index: number, run: () => T): T => {
    stack.push({ parts, index });
    try {
      return run();
    } finally {
      stack.pop();
    }
  };
  const recording = new Proxy(reference, {
    get(target, key, receiver) {
      if (key === "part") return part;
      const f = Reflect.get(target, key, receiver) as unknown;
      if (typeof f !== "function" || key === "shape") return f;
      return (...args: unknown[]) => {
        const result = (f as (...a: unknown[]) => unknown).apply(target, args);
        const inputs = args.flat().filter(isTensor).filter((t) => ids.has(t)).map((t) => ids.get(t)!);
        const batched = inputs.some((i) => values[i]!.batched);
        const outs = (Array.isArray(result) ? result : [result]).filter(isTensor).map((t) => idOf(t, batched));
        const params = [...new Set(inputs.map((i) => values[i]!.param).filter((p): p is string => p !== undefined))];
        calls.push({ op: String(key), args: [...new Set(inputs)], results: outs, params, within: [...stack] });
        return result;
      };
    },
  }) as RealOps;

  const xs = model.dom.map((s) => refTensor([1, ...s]));
  const ps = model.params.map((p) => refTensor(p.shape));
  const inputs = xs.map((t) => idOf(t, true));
  model.params.forEach((p, i) => idOf(ps[i]!, false, p.name));
  const [ys] = model.forward(recording, ps as unknown as Value[], xs as unknown as Value[]);
  const outputs = (ys as unknown as RefTensor[]).map((t) => idOf(t, true));
  const parts = partsAt(model, depth);
  const byPart = parts.length > 1 || parts[0]!.path !== "";
  const layers = byPart ? calls.map((c) => partWithin(c.within, parts)?.path) : sandwiched(calls);
  const names = new Map(parts.map((p) => [p.path, `${p.path}: ${p.para.name}`]));
  return { values, inputs, outputs, lenses: group(calls, layers, byPart ? names : undefined, values, new Set(outputs)) };
}

const layerOf = (param: string): string => (param.includes(".") ? param.slice(0, param.lastIndexOf(".")) : "");

/**
 * Each call's layer: the layer of the parameters it reads, or, for a
 * parameter-free op between two ops of one layer (conv2d's reshape before its
 * bias) or a reshape right after one, that layer.
 */
function sandwiched(calls: readonly Call[]): (string | undefined)[] {
  const layers = calls.map((c) => (c.params.length > 0 ? layerOf(c.params[0]!) : undefined));
  const producer = new Map<number, number>();
  calls.forEach((c, i) => c.results.forEach((r) => producer.set(r, i)));
  for (let changed = true; changed; ) {
    changed = false;
    calls.forEach((c, i) => {
      if (layers[i] !== undefined) return;
      const from = c.args.map((a) => producer.get(a)).filter((p): p is number => p !== undefined).map((p) => layers[p]);
      const to = calls.flatMap((d, j) => (j > i && d.args.some((a) => c.results.includes(a)) ? [layers[j]] : []));
      const layer = from.find((l) => l !== undefined);
      // a reshape right after a layer's op is that layer's bookkeeping (conv2d's rows back to images)
      if (layer !== undefined && (to.includes(layer) || (c.op === "reshape" && from.length === 1))) {
        layers[i] = layer;
        changed = true;
      }
    });
  }
  return layers;
}

/**
 * The calls of one layer (a part, or the ops reading one layer's parameters) form one lens;
 * calls of no layer chain into runs of their own. `names`: how to call each layer, if not by its ops.
 */
function group(
  calls: readonly Call[], layers: readonly (string | undefined)[], names: ReadonlyMap<string, string> | undefined, values: readonly TracedValue[], final: ReadonlySet<number>,
): TracedLens[] {
  interface Open { name: string; layer: string | undefined; ops: string[]; made: Set<number>; read: number[]; params: Set<string> }
  const groups: Open[] = [];
  const maker = new Map<number, Open>();
  calls.forEach((call, c) => {
    const layer = layers[c];
    let g: Open | undefined;
    if (layer !== undefined) g = groups.find((o) => o.layer === layer);
    else {
      // a parameter-free op joins the parameter-free run that made its data input
      const from = call.args.map((a) => maker.get(a)).find((o) => o !== undefined);
      if (from !== undefined && from.layer === undefined && call.args.every((a) => maker.get(a) === from || values[a]!.param !== undefined || !maker.has(a))) g = from;
    }
    if (g === undefined) {
      g = { name: layer ?? "", layer, ops: [], made: new Set(), read: [], params: new Set() };
      groups.push(g);
    }
    g.ops.push(call.op);
    call.params.forEach((p) => g.params.add(p));
    for (const a of call.args) if (!g.made.has(a) && values[a]!.param === undefined && !g.read.includes(a)) g.read.push(a);
    for (const r of call.results) {
      g.made.add(r);
      maker.set(r, g);
    }
  });
  const usedOutside = (g: Open, v: number): boolean => final.has(v) || groups.some((o) => o !== g && o.read.includes(v));
  return groups.map((g) => {
    const ops = [...new Set(g.ops)];
    // reshapes are bookkeeping (conv2d's rows, flatten): named only when nothing else is there
    const shown = ops.filter((o) => o !== "reshape").join(", ") || "reshape";
    const name = g.layer === undefined || g.layer === "" ? shown : names?.get(g.layer) ?? `${g.layer}: ${shown}`;
    const made = [...g.made];
    return { name, ops, inputs: g.read, outputs: made.filter((v) => usedOutside(g, v)), params: [...g.params] };
  });
}
