// The tracer: a Z2 backend that computes nothing and records a graph of
// gates instead, one node per bit (the batch is implicit: every node stands
// for one bit of every example). compileZ2 runs a lens's passes on a tracer
// and schedules the graph into bit-sliced programs for the wasm kernel.
//
// Nodes are hash-consed and simplified as they are made (x ^ 0 = x,
// x & x = x, ...). That only changes how values are computed, never which
// values: derivatives are not taken from the graph but built by the lenses'
// reverse passes out of the same operations.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { type Z2Ops, batchOf, checkIndices, checkSame, joinedShape, width } from "./ops.ts";

/** Node operations. Leaves: INPUT (a batched wire bit), PARAM (an unbatched word), ZERO, ONE. */
export const Op = { INPUT: 0, PARAM: 1, ZERO: 2, ONE: 3, NOT: 4, XOR: 5, AND: 6, COLLECT: 7 } as const;

/**
 * Where a node can be computed: 0 the same for every example (parameters,
 * constants: computed once), 1 per example (in the batch loop), 2 after the
 * batch has been reduced (collect: computed once, after the loop).
 */
export type Level = 0 | 1 | 2;

/** A recorded value: its shape and one node per bit of an example. */
export interface Traced {
  readonly shape: Shape;
  readonly nodes: Int32Array;
}

const T = (v: Value): Traced => v as unknown as Traced;
const V = (t: Traced): Value => t as unknown as Value;

/** The recorded graph: parallel arrays indexed by node. */
export class Graph {
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly level: Level[] = [];
  private readonly memo = new Map<number, number>();
  readonly ZERO: number;
  readonly ONE: number;

  constructor() {
    this.ZERO = this.make(Op.ZERO, 0, 0, 0);
    this.ONE = this.make(Op.ONE, 0, 0, 0);
  }

  get size(): number {
    return this.op.length;
  }

  /** A new leaf (INPUT or PARAM): never shared. */
  leaf(op: typeof Op.INPUT | typeof Op.PARAM): number {
    return this.make(op, 0, 0, op === Op.INPUT ? 1 : 0);
  }

  not(x: number): number {
    if (x === this.ZERO) return this.ONE;
    if (x === this.ONE) return this.ZERO;
    if (this.op[x] === Op.NOT) return this.a[x]!;
    return this.shared(Op.NOT, x, 0);
  }

  xor(x: number, y: number): number {
    if (x === this.ZERO) return y;
    if (y === this.ZERO) return x;
    if (x === y) return this.ZERO;
    if (x === this.ONE) return this.not(y);
    if (y === this.ONE) return this.not(x);
    if (this.complements(x, y)) return this.ONE;
    return this.shared(Op.XOR, Math.min(x, y), Math.max(x, y));
  }

  and(x: number, y: number): number {
    if (x === this.ZERO || y === this.ZERO) return this.ZERO;
    if (x === this.ONE) return y;
    if (y === this.ONE || x === y) return x;
    if (this.complements(x, y)) return this.ZERO;
    return this.shared(Op.AND, Math.min(x, y), Math.max(x, y));
  }

  /** The XOR over a batch of `batch` examples of node x. */
  collect(x: number, batch: number): number {
    const level = this.level[x]!;
    // a node that is the same in every example sums to itself an odd number of times
    if (level === 0) return batch % 2 === 1 ? x : this.ZERO;
    if (level === 2) throw new ParalensError("collect: the value was already reduced over the batch");
    return this.make(Op.COLLECT, x, 0, 2);
  }

  private complements(x: number, y: number): boolean {
    return (this.op[x] === Op.NOT && this.a[x] === y) || (this.op[y] === Op.NOT && this.a[y] === x);
  }

  private shared(op: number, x: number, y: number): number {
    const key = (op * 0x1000000 + x) * 0x1000000 + y;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const lx = this.level[x]!;
    const ly = op === Op.NOT ? 0 : this.level[y]!;
    if ((lx === 1 && ly === 2) || (lx === 2 && ly === 1)) {
      throw new ParalensError(
        "z2 compile: a per-example value meets a value reduced over the batch (collect) in one pass; a plan cannot run the batch twice",
      );
    }
    const node = this.make(op, x, y, Math.max(lx, ly) as Level);
    this.memo.set(key, node);
    return node;
  }

  private make(op: number, x: number, y: number, level: Level): number {
    this.op.push(op);
    this.a.push(x);
    this.b.push(y);
    this.level.push(level);
    return this.op.length - 1;
  }
}

/** Z2Ops that record a graph. Values are Traced. */
export class Tracer implements Z2Ops {
  readonly graph = new Graph();
  /** Values handed to observe() by tap lenses, by name. */
  readonly observed = new Map<string, Value>();

  /** A value of fresh leaves: an input wire (batched) or a parameter (unbatched). */
  leaves(op: typeof Op.INPUT | typeof Op.PARAM, shape: Shape): Value {
    const nodes = new Int32Array(width(shape));
    for (let i = 0; i < nodes.length; i++) nodes[i] = this.graph.leaf(op);
    return V({ shape: [...shape], nodes });
  }

  shape(v: Value): Shape {
    return T(v).shape;
  }

  observe(name: string, v: Value): void {
    this.observed.set(name, v);
  }

  add(a: Value, b: Value): Value {
    return this.zip("add", a, b, (x, y) => this.graph.xor(x, y));
  }

  xor(a: Value, b: Value): Value {
    return this.zip("xor", a, b, (x, y) => this.graph.xor(x, y));
  }

  and(a: Value, b: Value): Value {
    return this.zip("and", a, b, (x, y) => this.graph.and(x, y));
  }

  not(a: Value): Value {
    const { shape, nodes } = T(a);
    return V({ shape, nodes: nodes.map((x) => this.graph.not(x)) });
  }

  zeros(shape: Shape): Value {
    return V({ shape: [...shape], nodes: new Int32Array(width(shape)).fill(this.graph.ZERO) });
  }

  ones(shape: Shape): Value {
    return V({ shape: [...shape], nodes: new Int32Array(width(shape)).fill(this.graph.ONE) });
  }

  pick(v: Value, indices: readonly number[]): Value {
    const { shape, nodes } = T(v);
    checkIndices("pick", indices, nodes.length);
    const picked = Int32Array.from(indices, (i) => nodes[i]!);
    return V({ shape: shape.length === 2 ? [shape[0]!, indices.length] : [indices.length], nodes: picked });
  }

  join(vs: readonly Value[]): Value {
    const shape = joinedShape("join", vs.map((v) => T(v).shape));
    const nodes = new Int32Array(width(shape));
    let at = 0;
    for (const v of vs) {
      nodes.set(T(v).nodes, at);
      at += T(v).nodes.length;
    }
    return V({ shape, nodes });
  }

  spread(p: Value, batch: number): Value {
    const { shape, nodes } = T(p);
    if (shape.length !== 1) throw new ParalensError(`spread: takes an unbatched value [n], got ${fmtShape(shape)}`);
    return V({ shape: [batch, nodes.length], nodes });
  }

  collect(d: Value): Value {
    const { shape, nodes } = T(d);
    const batch = batchOf(shape);
    if (batch === null) throw new ParalensError(`collect: takes a batched value [batch, n], got ${fmtShape(shape)}`);
    return V({ shape: [nodes.length], nodes: nodes.map((x) => this.graph.collect(x, batch)) });
  }

  private zip(what: string, a: Value, b: Value, f: (x: number, y: number) => number): Value {
    const [ta, tb] = [T(a), T(b)];
    checkSame(what, ta.shape, tb.shape);
    return V({ shape: ta.shape, nodes: ta.nodes.map((x, i) => f(x, tb.nodes[i]!)) });
  }
}

/** The nodes of a traced value. */
export function nodesOf(v: Value): Int32Array {
  return T(v).nodes;
}
