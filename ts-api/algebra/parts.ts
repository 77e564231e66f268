// What a composite was made of. seq and par keep their parts on the Para they
// return (the composite is still one Para: the parts are only remembered), so
// tools can speak of a model in the user's terms: summary lists its layers,
// messages name the layer a parameter belongs to. A layer built from a
// composite and given its own name (dense is linear ; bias ; activation) keeps
// the parts under its name: it is one layer, which opens into them.
import type { Carrier } from "./category.ts";
import type { Para } from "./para.ts";
import type { Wires } from "./shapes.ts";

/**
 * The parts of a composite: how they were joined, the parts in order, and the name the combinator gave it.
 *
 * @category Types
 */
export interface Parts<K extends Carrier = any> {
  /** Joined one after another, side by side, or as the boxes of a diagram (in the order they were applied). */
  readonly kind: "seq" | "par" | "diagram";
  readonly of: readonly Para<Wires, Wires, K>[];
  /** The composite's name as its combinator made it: a composite that still has it is not a named layer. */
  readonly name: string;
}

/** Runs a part's forward pass, telling the backend which part it is (Carrier.part) if it asks. */
export function inPart<T>(ops: Carrier, parts: Parts, index: number, run: () => T): T {
  return ops.part ? ops.part(parts, index, run) : run();
}

/** A part of a model at some depth: its path ("2", "0.1"), the Para, and which of the model's parameter wires it holds. */
export interface Part {
  readonly path: string;
  readonly para: Para<Wires, Wires, any>;
  /** The composites it lies in from the model down, and its index in each: what Carrier.part reports around its calls. */
  readonly chain: readonly Marker[];
  /** Its parameter wires are the model's from `first` (inclusive) to `end` (exclusive). */
  readonly first: number;
  readonly end: number;
}

/** The parts of `f`, if it remembers any whose parameter wires add up to its own (a reparameterised Para does not). */
function partsOf(f: Para<Wires, Wires, any>): Parts | undefined {
  const parts = f.parts;
  if (parts === undefined) return undefined;
  let n = 0;
  for (const p of parts.of) n += p.params.length;
  return n === f.params.length ? parts : undefined;
}

/** Whether `f` is a composite nobody named: seq(a, b) rather than dense(4 -> 3). */
const anonymous = (f: Para<Wires, Wires, any>): boolean => partsOf(f) !== undefined && f.parts!.name === f.name;

/**
 * The parts of `model` opened `depth` levels deep (1: the parts seq or par
 * joined; 2: their parts too; ...). A part with no parts of its own is a leaf
 * at any depth; a model with no parts is its own one part. Composites that
 * nobody named (a seq inside a seq) open without counting as a level.
 */
export function partsAt(model: Para<Wires, Wires, any>, depth: number): Part[] {
  const out: Part[] = [];
  const open = (f: Para<Wires, Wires, any>, path: string, chain: Part["chain"], first: number, levels: number): void => {
    const parts = levels > 0 ? partsOf(f) : undefined;
    if (parts === undefined) {
      out.push({ path, para: f, chain, first, end: first + f.params.length });
      return;
    }
    let at = first;
    parts.of.forEach((p, i) => {
      const inner = path === "" ? String(i) : `${path}.${i}`;
      open(p, inner, [...chain, { parts, index: i }], at, anonymous(p) ? levels : levels - 1);
      at += p.params.length;
    });
  };
  open(model, "", [], 0, depth);
  return out;
}

/**
 * For each parameter of `model`, how messages name it: the layer it belongs
 * to and its name there, "2: dense(16 -> 3).weight". Parameters of a model
 * with no parts keep their names.
 */
export function parameterLabels(model: Para<Wires, Wires, any>): Map<string, string> {
  const labels = new Map<string, string>();
  for (const part of partsAt(model, 1)) {
    for (let i = part.first; i < part.end; i++) {
      const name = model.params[i]!.name;
      labels.set(name, part.path === "" ? name : `${part.path}: ${part.para.name}.${part.para.params[i - part.first]!.name}`);
    }
  }
  return labels;
}

/** Which composite's part a call ran in, as Carrier.part reported it. */
export interface Marker {
  readonly parts: Parts;
  readonly index: number;
}

/** The part among `parts` (partsAt's) that calls inside `markers` belong to: the deepest whose every composite and index they were inside. */
export function partWithin(markers: readonly Marker[], parts: readonly Part[]): Part | undefined {
  let best: Part | undefined;
  for (const p of parts) {
    const inside = p.chain.every((m) => markers.some((w) => w.parts === m.parts && w.index === m.index));
    if (inside && (best === undefined || p.chain.length > best.chain.length)) best = p;
  }
  return best;
}
