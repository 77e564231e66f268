// Circuits as netlists: inputs, then gates (XOR, AND, NOT, constants) that
// read earlier nodes, then a list of output nodes. circuitLens turns one into
// a lens over Z2Ops: the forward pass evaluates the gates on whatever backend
// runs it, the reverse pass is the reverse derivative by the chain rule of
// the category, gate by gate from the outputs back (Wilson & Zanasi 2020,
// section 3): R[XOR](x, y, dz) = (dz, dz), R[AND](x, y, dz) = (y dz, x dz),
// R[NOT](x, dz) = dz, and a node read k times receives the XOR of k changes
// (the reverse of copying). It is the same derivative as composing gate
// lenses with seq, par and copy (tested), without building that tower.
//
// This is the derivative of the circuit's polynomial, which over Z2 can
// differ from flipping input bits (x AND x is the function x, but the
// polynomial x^2 has derivative 2x = 0); see oracle.ts.
import type { Change, Value } from "../algebra/category.ts";
import { type Lens, type Para, type ParamSpec, lens, para } from "../algebra/para.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { countArgument } from "../algebra/shapes.ts";
import { zeros } from "../init/initialisers.ts";
import { Rng } from "../init/random.ts";
import { type Z2Ops, range } from "./ops.ts";

/**
 * Gate operations of a netlist.
 *
 * @example
 * ```ts
 * Gate.XOR;  // 0: the op code of an XOR node in a Circuit
 * ```
 *
 * @category Circuits
 */
export const Gate = { XOR: 0, AND: 1, NOT: 2, ZERO: 3, ONE: 4 } as const;
/**
 * One of Gate's codes.
 *
 * @category Circuits
 */
export type GateOp = (typeof Gate)[keyof typeof Gate];

/**
 * A netlist: nodes 0..inputs-1 are the inputs; gate g is node inputs + g.
 *
 * @category Circuits
 */
export interface Circuit {
  readonly inputs: number;
  readonly ops: readonly GateOp[];
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly outputs: readonly number[];
}

/**
 * Builds a circuit gate by gate; every method returns the new node's id.
 * `circuit(inputs, body)` hands one to its body.
 *
 * @example
 * ```ts
 * const halfAdder = circuit(2, (g: CircuitBuilder, [a, b]) => [g.xor(a, b), g.and(a, b)]);
 * halfAdder.outputs.length;  // 2: the sum bit and the carry bit
 * ```
 *
 * @category Circuits
 */
export class CircuitBuilder {
  /** The gates so far, in order; gate i is node inputs + i. */
  readonly ops: GateOp[] = [];
  /** Each gate's first operand (a node id, -1 for constants). */
  readonly a: number[] = [];
  /** Each gate's second operand. */
  readonly b: number[] = [];
  constructor(readonly inputs: number) {
    countArgument("CircuitBuilder", inputs, "inputs", 1);
  }

  /** Inputs plus gates: the id the next gate gets. */
  get nodes(): number {
    return this.inputs + this.ops.length;
  }
  /** x + y (XOR). */
  xor(x: number, y: number): number {
    return this.gate(Gate.XOR, x, y);
  }
  /** x y (AND). */
  and(x: number, y: number): number {
    return this.gate(Gate.AND, x, y);
  }
  /** x + 1 (NOT). */
  not(x: number): number {
    return this.gate(Gate.NOT, x, x);
  }
  /** The constant 0. */
  zero(): number {
    return this.gate(Gate.ZERO, -1, -1);
  }
  /** The constant 1. */
  one(): number {
    return this.gate(Gate.ONE, -1, -1);
  }
  /** x OR y = x + y + xy */
  or(x: number, y: number): number {
    return this.xor(this.xor(x, y), this.and(x, y));
  }
  /** s ? y : x = x + s(x + y) */
  mux(s: number, x: number, y: number): number {
    return this.xor(x, this.and(s, this.xor(x, y)));
  }
  /** The XOR of many nodes (zero for none). */
  sum(xs: readonly number[]): number {
    if (!Array.isArray(xs)) throw new ParalensError(`circuit: sum needs an array of nodes, got ${describe(xs)}`);
    if (xs.length === 0) return this.zero();
    return xs.reduce((acc, x) => this.xor(acc, x));
  }
  /** The AND of many nodes (one for none). */
  product(xs: readonly number[]): number {
    if (!Array.isArray(xs)) throw new ParalensError(`circuit: product needs an array of nodes, got ${describe(xs)}`);
    if (xs.length === 0) return this.one();
    return xs.reduce((acc, x) => this.and(acc, x));
  }

  private gate(op: GateOp, x: number, y: number): number {
    for (const n of op === Gate.ZERO || op === Gate.ONE ? [] : [x, y]) {
      if (!Number.isInteger(n) || n < 0 || n >= this.nodes) throw new ParalensError(`circuit: gate ${this.ops.length} reads node ${describe(n)}, but only nodes 0..${this.nodes - 1} exist`);
    }
    this.ops.push(op);
    this.a.push(x);
    this.b.push(y);
    return this.nodes - 1;
  }
}

/**
 * A circuit from a function that wires gates on a builder and returns the
 * output nodes. Inputs are nodes 0..inputs-1.
 *
 * @example
 * ```ts
 * const fullAdder = circuit(3, (g, [a, b, c]) => [g.xor(g.xor(a!, b!), c!), g.or(g.and(a!, b!), g.and(c!, g.xor(a!, b!)))]);
 * ```
 *
 * @category Circuits
 */
export function circuit(inputs: number, build: (g: CircuitBuilder, x: number[]) => number[]): Circuit {
  countArgument("circuit", inputs, "inputs", 1);
  if (typeof build !== "function") throw new ParalensError(`circuit: build must be a function (g, inputs) => output nodes, got ${describe(build)}`);
  const g = new CircuitBuilder(inputs);
  const outputs: unknown = build(g, range(inputs));
  if (!Array.isArray(outputs)) throw new ParalensError(`circuit: build must return an array of output nodes, got ${describe(outputs)}`);
  for (const o of outputs) {
    if (!Number.isInteger(o) || o < 0 || o >= g.nodes) throw new ParalensError(`circuit: output node ${describe(o)} does not exist (nodes 0..${g.nodes - 1})`);
  }
  if (outputs.length === 0) throw new ParalensError("circuit: needs at least one output");
  return { inputs, ops: g.ops, a: g.a, b: g.b, outputs };
}

/**
 * Throws unless `c` is a Circuit (from circuit, randomCircuit or polynomialCircuit, or written by
 * hand): inputs a whole number >= 1, ops, a and b arrays of one length, each gate reading earlier
 * nodes, and outputs a non-empty array of nodes. Checked before a lens is built from it, so a wrong
 * value is never met as a TypeError.
 */
export function circuitArgument(what: string, c: unknown, name = "the circuit"): asserts c is Circuit {
  const k = c as Partial<Circuit> | null;
  if (typeof c !== "object" || k === null || !Array.isArray(k.ops) || !Array.isArray(k.a) || !Array.isArray(k.b) || !Array.isArray(k.outputs)) {
    throw new ParalensError(`${what}: ${name} must be a Circuit ({ inputs, ops, a, b, outputs }, from circuit(...)), got ${describe(c)}`);
  }
  countArgument(what, k.inputs, `${name}'s inputs`, 1);
  countArgument(what, k.ops.length, `${name}'s gate count`);
  if (k.a.length !== k.ops.length || k.b.length !== k.ops.length) throw new ParalensError(`${what}: ${name} has ${k.ops.length} gates but ${k.a.length} and ${k.b.length} operands`);
  const inputs = k.inputs!;
  for (let g = 0; g < k.ops.length; g++) {
    const op = k.ops[g];
    if (op !== Gate.XOR && op !== Gate.AND && op !== Gate.NOT && op !== Gate.ZERO && op !== Gate.ONE) throw new ParalensError(`${what}: gate ${g} of ${name} has op ${describe(op)}, not one of Gate's codes 0..4`);
    if (op === Gate.ZERO || op === Gate.ONE) continue;
    for (const n of op === Gate.NOT ? [k.a[g]] : [k.a[g], k.b[g]]) {
      if (!Number.isInteger(n) || n! < 0 || n! >= inputs + g) throw new ParalensError(`${what}: gate ${g} of ${name} reads node ${describe(n)}, but only nodes 0..${inputs + g - 1} come before it`);
    }
  }
  if (k.outputs.length === 0) throw new ParalensError(`${what}: ${name} has no output`);
  for (const o of k.outputs) {
    if (!Number.isInteger(o) || o < 0 || o >= inputs + k.ops.length) throw new ParalensError(`${what}: output node ${describe(o)} of ${name} does not exist (nodes 0..${inputs + k.ops.length - 1})`);
  }
}

/** Evaluates a circuit on k; values[n] is node n's value, each [batch, 1]. */
function evaluate(ops: Z2Ops, c: Circuit, x: Value): Value[] {
  const batch = ops.shape(x)[0]!;
  const values: Value[] = range(c.inputs).map((i) => ops.pick(x, [i]));
  c.ops.forEach((op, g) => {
    const [a, b] = [values[c.a[g]!]!, values[c.b[g]!]!];
    values.push(
      op === Gate.XOR ? ops.xor(a, b) : op === Gate.AND ? ops.and(a, b) : op === Gate.NOT ? ops.not(a) : op === Gate.ONE ? ops.ones([batch, 1]) : ops.zeros([batch, 1]),
    );
  });
  return values;
}

/** The reverse derivative of a circuit at `values` for output change dy, as input changes [batch, inputs]. */
function reverse(ops: Z2Ops, c: Circuit, values: readonly Value[], dy: Value): Value {
  const batch = ops.shape(dy)[0]!;
  const adj: Change[] = values.map(() => null);
  const give = (n: number, d: Value): void => {
    const prev = adj[n];
    adj[n] = prev == null ? d : ops.xor(prev, d);
  };
  c.outputs.forEach((o, j) => give(o, ops.pick(dy, [j])));
  for (let g = c.ops.length - 1; g >= 0; g--) {
    const dz = adj[c.inputs + g];
    if (dz == null) continue;
    const [a, b] = [c.a[g]!, c.b[g]!];
    const op = c.ops[g];
    if (op === Gate.XOR) {
      give(a, dz);
      give(b, dz);
    } else if (op === Gate.AND) {
      give(a, ops.and(values[b]!, dz));
      give(b, ops.and(values[a]!, dz));
    } else if (op === Gate.NOT) {
      give(a, dz);
    }
  }
  return ops.join(range(c.inputs).map((i) => adj[i] ?? ops.zeros([batch, 1])));
}

/**
 * A circuit as a lens [[inputs]] -> [[outputs]] over Z2.
 *
 * @example
 * ```ts
 * truthTable(circuitLens(circuit(2, (g, [a, b]) => [g.and(a, b)])));  // Uint8Array [0, 0, 0, 1]
 * ```
 *
 * @category Circuits
 */
export function circuitLens(c: Circuit, name?: string): Lens<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  circuitArgument("circuitLens", c);
  if (name !== undefined && typeof name !== "string") throw new ParalensError(`circuitLens: name must be a string, got ${describe(name)}`);
  name ??= `circuit(${c.inputs} -> ${c.outputs.length}, ${c.ops.length} gates)`;
  return lens<readonly [readonly [number]], readonly [readonly [number]], Value[], Z2Ops>({
    name,
    dom: [[c.inputs]],
    cod: [[c.outputs.length]],
    forward(ops, [x]) {
      const values = evaluate(ops, c, x!);
      return [[ops.join(c.outputs.map((o) => values[o]!))], values];
    },
    reverse: (ops, values, [dy]) => [reverse(ops, c, values, dy!)],
  });
}

/**
 * A circuit whose first `params` inputs are a parameter wire: a Para
 * [[inputs - params]] -> [[outputs]] with parameter [params]. The parameter
 * is copied to every example (spread); its change is the XOR of the
 * examples' changes (collect), the reverse of that copy.
 *
 * @example
 * ```ts
 * // node 0 is the parameter p: x -> p AND x
 * const gated = circuitPara(circuit(2, (g, [p, x]) => [g.and(p, x)]), { params: 1 });
 * gated.params.length;  // 1
 * ```
 *
 * @category Circuits
 */
export function circuitPara(
  c: Circuit,
  spec: { params: number; name?: string; paramName?: string; init?: ParamSpec["init"] },
): Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  circuitArgument("circuitPara", c);
  optionsArgument("circuitPara", spec, "spec");
  const np = spec.params;
  if (!Number.isInteger(np) || np < 1 || np >= c.inputs) throw new ParalensError(`circuitPara: params must be in 1..${c.inputs - 1}, got ${describe(np)}`);
  const n = c.inputs - np;
  return para<readonly [readonly [number]], readonly [readonly [number]], Value[], Z2Ops>({
    name: spec.name ?? `circuit(${np} params, ${n} -> ${c.outputs.length})`,
    dom: [[n]],
    cod: [[c.outputs.length]],
    params: [{ name: spec.paramName ?? "bits", shape: [np], init: spec.init ?? zeros, role: "parameter" }],
    forward(ops, [p], [x]) {
      const batch = ops.shape(x!)[0]!;
      const values = evaluate(ops, c, ops.join([ops.spread(p!, batch), x!]));
      return [[ops.join(c.outputs.map((o) => values[o]!))], values];
    },
    reverse(ops, values, [dy]) {
      const d = reverse(ops, c, values, dy!);
      return [[ops.collect(ops.pick(d, range(np)))], [ops.pick(d, range(n, np))]];
    },
  });
}

/**
 * Options of randomCircuit.
 *
 * @category Circuits
 */
export interface RandomCircuitOptions {
  inputs: number;
  gates: number;
  /** Relative frequencies of XOR, AND, NOT (default 45, 45, 10). */
  mix?: readonly [number, number, number];
  /** Output nodes: "sinks" (every node nothing reads: no gate is dead), or a count of the last nodes. Default "sinks". */
  outputs?: "sinks" | number;
  /**
   * AND only nodes whose inputs are disjoint sets of circuit inputs, so the
   * circuit's polynomial has no squared variable and its derivative is that
   * of the Boolean function it computes. Default false.
   */
  multilinear?: boolean;
}

/**
 * A random circuit: each gate reads earlier nodes chosen uniformly.
 *
 * @example
 * ```ts
 * randomCircuit(new initialisers.Rng(1), { inputs: 4, gates: 12 }).inputs;  // 4
 * ```
 *
 * @category Circuits
 */
export function randomCircuit(rng: Rng, o: RandomCircuitOptions): Circuit {
  if (!(rng instanceof Rng)) throw new ParalensError(`randomCircuit: rng must be an Rng (new Rng(seed)), got ${describe(rng)}`);
  optionsArgument("randomCircuit", o);
  countArgument("randomCircuit", o.inputs, "inputs", 1);
  countArgument("randomCircuit", o.gates, "gates");
  const mix = o.mix ?? [45, 45, 10];
  if (!Array.isArray(mix) || mix.length !== 3 || !mix.every((w) => typeof w === "number" && Number.isFinite(w) && w >= 0) || mix[0] + mix[1] <= 0) {
    throw new ParalensError(`randomCircuit: mix must be three finite weights >= 0 for XOR, AND, NOT (XOR + AND > 0), got ${describe(o.mix)}`);
  }
  if (o.outputs !== undefined && o.outputs !== "sinks") countArgument("randomCircuit", o.outputs, "outputs", 1);
  const [wx, wa, wn] = mix as readonly [number, number, number];
  const g = new CircuitBuilder(o.inputs);
  const support: bigint[] = range(o.inputs).map((i) => 1n << BigInt(i));
  const read = new Uint8Array(o.inputs + o.gates);
  // Once no two nodes have disjoint supports, none ever will (a new node's support is a union of
  // old ones), so a multilinear AND can no longer be made: with no other gate to make, say so.
  let andImpossible = false;
  while (g.ops.length < o.gates) {
    // with a single node there is no second operand yet: start with a NOT
    const r = g.nodes < 2 ? wx + wa : rng.uniform() * (wx + wa + wn);
    const x = rng.int(g.nodes);
    // distinct operands: x ^ x and x & x would fold away
    let y = rng.int(Math.max(1, g.nodes - 1));
    if (y >= x && g.nodes > 1) y++;
    if (r >= wx + wa) {
      g.not(x);
      support.push(support[x]!);
    } else if (r < wx) {
      g.xor(x, y);
      support.push(support[x]! | support[y]!);
    } else {
      if (o.multilinear) {
        let tries = 0;
        while ((support[x]! & support[y]!) !== 0n && tries++ < 20) y = rng.int(g.nodes);
        if (y === x) continue;
        if ((support[x]! & support[y]!) !== 0n) {
          andImpossible ||= !support.some((s, i) => support.some((t, j) => j > i && (s & t) === 0n));
          if (andImpossible && wx + wn === 0) {
            throw new ParalensError(`randomCircuit: a multilinear circuit of only AND gates on ${o.inputs} input(s) has no two nodes left with disjoint inputs after ${g.ops.length} gate(s), so ${o.gates} cannot be made; give XOR or NOT a weight in mix, or ask for fewer gates`);
          }
          continue;
        }
      }
      g.and(x, y);
      support.push(support[x]! | support[y]!);
    }
    read[x] = 1;
    if (r < wx + wa) read[y] = 1;
  }
  const last = g.nodes;
  const outputs =
    o.outputs === undefined || o.outputs === "sinks"
      ? range(o.gates, o.inputs).filter((n) => !read[n])
      : range(Math.min(o.outputs, last), last - Math.min(o.outputs, last));
  return { inputs: o.inputs, ops: g.ops, a: g.a, b: g.b, outputs };
}
