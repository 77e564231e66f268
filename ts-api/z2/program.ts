// Scheduling a traced graph into bit-sliced programs for assembly/z2.ts.
//
// A plan runs in three phases: the prologue computes, once, what is the same
// for every example (gates on parameters and constants); the body runs over
// the batch block by block (per-example gates, loads of input wires, stores
// of outputs, and ACC of the changes a parameter collects); the epilogue
// computes, once, what follows the batch reduction (an update p ^ dp). Each
// phase is a straight list of instructions over numbered slots; slots are
// reused as soon as a value is dead, so the scratch of a block stays small.
import { Op, type Graph } from "./trace.ts";

/** Kernel op codes (assembly/z2.ts). */
export const K = { LOAD: 0, LOADC: 1, STORE: 2, ACC: 3, ZERO: 4, ONE: 5, NOT: 6, XOR: 7, AND: 8, ANDXOR: 9 } as const;

/** Where a memory operand lives: a leaf's tensor, a prologue result, an accumulator, or a root's destination. */
export const Space = { LEAF: 0, CONST: 1, ACC: 2, ROOT: 3 } as const;
export type SpaceId = (typeof Space)[keyof typeof Space];

/** One instruction before slots and addresses are assigned: d, a, b, c are node ids (-1: none). */
interface Sym {
  op: number;
  d: number;
  a: number;
  b: number;
  c: number;
  space: SpaceId;
  index: number;
}

/** A phase with slots assigned; memory operands still symbolic. */
export interface Phase {
  readonly ops: Int32Array; // per instruction: op, d, a, b, c, space, index (7 ints)
  readonly count: number;
  readonly slots: number;
}

/** A value the plan must produce: node `node` stored to root `index`, per example (batched) or once. */
export interface Root {
  readonly node: number;
  readonly batched: boolean;
}

export interface Schedule {
  readonly prologue: Phase;
  readonly body: Phase;
  readonly epilogue: Phase;
  /** Words the prologue writes for the other phases. */
  readonly consts: number;
  /** Accumulator words the body XORs changes into (zero them before, fold after). */
  readonly accs: number;
  /** Gates evaluated per example in the body (loads, stores and accumulations not counted). */
  readonly gates: number;
}

export function schedule(g: Graph, roots: readonly Root[]): Schedule {
  const needed = new Uint8Array(g.size);
  const stack = roots.map((r) => r.node);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (needed[n]) continue;
    needed[n] = 1;
    const op = g.op[n]!;
    if (op === Op.NOT || op === Op.COLLECT) stack.push(g.a[n]!);
    else if (op === Op.XOR || op === Op.AND) stack.push(g.a[n]!, g.b[n]!);
  }
  const isGate = (n: number): boolean => g.op[n]! >= Op.NOT && g.op[n]! <= Op.AND;
  const computed: number[][] = [[], [], []];
  for (let n = 0; n < g.size; n++) if (needed[n] && isGate(n)) computed[g.level[n]!]!.push(n);

  // prologue results the later phases read: each gets a const word
  const constOf = new Map<number, number>();
  const exportConst = (n: number): void => {
    if (g.level[n] === 0 && isGate(n) && !constOf.has(n)) constOf.set(n, constOf.size);
  };
  for (const n of [...computed[1]!, ...computed[2]!]) {
    exportConst(g.a[n]!);
    if (g.op[n] !== Op.NOT) exportConst(g.b[n]!);
  }
  for (const r of roots) exportConst(r.node);
  const accOf = new Map<number, number>();
  for (let n = 0; n < g.size; n++) if (needed[n] && g.op[n] === Op.COLLECT) accOf.set(n, accOf.size);

  const imported = (n: number): Sym => {
    const op = g.op[n]!;
    if (op === Op.ZERO || op === Op.ONE) return sym(op === Op.ZERO ? K.ZERO : K.ONE, n);
    if (op === Op.INPUT) return sym(K.LOAD, n, -1, -1, -1, Space.LEAF, n);
    if (op === Op.PARAM) return sym(K.LOADC, n, -1, -1, -1, Space.LEAF, n);
    if (op === Op.COLLECT) return sym(K.LOADC, n, -1, -1, -1, Space.ACC, accOf.get(n)!);
    return sym(K.LOADC, n, -1, -1, -1, Space.CONST, constOf.get(n)!);
  };

  const rootsAt = (level: number): Map<number, Sym[]> => {
    const at = new Map<number, Sym[]>();
    roots.forEach((r, i) => {
      if ((level === 1) !== r.batched) return;
      const list = at.get(r.node) ?? [];
      list.push(sym(K.STORE, -1, r.node, -1, -1, Space.ROOT, i));
      at.set(r.node, list);
    });
    return at;
  };

  const prologueAfter = new Map<number, Sym[]>();
  for (const [n, k] of constOf) prologueAfter.set(n, [sym(K.STORE, -1, n, -1, -1, Space.CONST, k)]);
  const bodyAfter = rootsAt(1);
  for (const [n, k] of accOf) {
    const src = g.a[n]!;
    bodyAfter.set(src, [...(bodyAfter.get(src) ?? []), sym(K.ACC, -1, src, -1, -1, Space.ACC, k)]);
  }

  return {
    prologue: phase(g, computed[0]!, imported, prologueAfter, false, false),
    body: phase(g, computed[1]!, imported, bodyAfter, true, false),
    epilogue: phase(g, computed[2]!, imported, rootsAt(2), false, true),
    consts: constOf.size,
    accs: accOf.size,
    gates: computed[1]!.length,
  };
}

function sym(op: number, d: number, a = -1, b = -1, c = -1, space: SpaceId = Space.LEAF, index = -1): Sym {
  return { op, d, a, b, c, space, index };
}

/**
 * Emits the gates `nodes` (in topological order), bringing in other nodes
 * with `imported`, and after each node the instructions `after` lists for
 * it. In the epilogue, stores wait until the end: an update may overwrite a
 * parameter that other gates still read.
 */
function phase(
  g: Graph,
  nodes: readonly number[],
  imported: (n: number) => Sym,
  after: Map<number, Sym[]>,
  fuse: boolean,
  deferStores: boolean,
): Phase {
  // per-node tables, indexed by node id
  const inPhase = new Uint8Array(g.size);
  for (const n of nodes) inPhase[n] = 1;
  const uses = new Int32Array(g.size);
  for (const n of nodes) {
    uses[g.a[n]!]!++;
    if (g.op[n] !== Op.NOT) uses[g.b[n]!]!++;
  }
  for (const [n, list] of after) uses[n]! += list.length;
  // x ^ (a & b) with an AND used only there becomes one ANDXOR
  const fusedInto = new Int32Array(g.size).fill(-1);
  if (fuse) {
    for (const n of nodes) {
      if (g.op[n] !== Op.XOR) continue;
      for (const x of [g.a[n]!, g.b[n]!]) {
        if (g.op[x] === Op.AND && inPhase[x] && uses[x] === 1 && fusedInto[x] === -1) {
          fusedInto[x] = n;
          break;
        }
      }
    }
  }
  const out: Sym[] = [];
  const deferred: Sym[] = [];
  const ready = new Uint8Array(g.size);
  const finish = (n: number): void => {
    ready[n] = 1;
    for (const s of after.get(n) ?? []) (deferStores && s.op === K.STORE ? deferred : out).push(s);
  };
  const ensure = (n: number): void => {
    if (ready[n] || fusedInto[n]! >= 0) return;
    if (inPhase[n]) throw new Error(`z2 schedule: node ${n} used before it is computed`);
    out.push(imported(n));
    finish(n);
  };
  for (const n of nodes) {
    if (fusedInto[n]! >= 0) continue;
    const op = g.op[n]!;
    const [a, b] = [g.a[n]!, g.b[n]!];
    if (op === Op.NOT) {
      ensure(a);
      out.push(sym(K.NOT, n, a));
    } else {
      const and = fusedInto[a] === n ? a : fusedInto[b] === n ? b : -1;
      if (op === Op.XOR && and >= 0) {
        const other = and === a ? b : a;
        ensure(g.a[and]!);
        ensure(g.b[and]!);
        ensure(other);
        out.push(sym(K.ANDXOR, n, g.a[and]!, g.b[and]!, other));
      } else {
        ensure(a);
        ensure(b);
        out.push(sym(op === Op.XOR ? K.XOR : K.AND, n, a, b));
      }
    }
    finish(n);
  }
  // roots and accumulations of nodes no gate here used (an input passed straight through, a constant)
  for (const n of after.keys()) ensure(n);
  return allocate([...out, ...deferred], g.size);
}

/** Assigns slots by a linear scan: a slot is free again after the last read of its value. */
function allocate(list: readonly Sym[], size: number): Phase {
  const last = new Int32Array(size).fill(-1);
  list.forEach((s, i) => {
    if (s.a >= 0) last[s.a] = i;
    if (s.b >= 0) last[s.b] = i;
    if (s.c >= 0) last[s.c] = i;
  });
  const slotOf = new Int32Array(size);
  const free: number[] = [];
  let slots = 0;
  const ops = new Int32Array(list.length * 7);
  list.forEach((s, i) => {
    const [a, b, c] = [s.a < 0 ? 0 : slotOf[s.a]!, s.b < 0 ? 0 : slotOf[s.b]!, s.c < 0 ? 0 : slotOf[s.c]!];
    // each operand's slot is freed once, after its last read (an operand may appear twice)
    if (s.a >= 0 && last[s.a] === i) free.push(a);
    if (s.b >= 0 && s.b !== s.a && last[s.b] === i) free.push(b);
    if (s.c >= 0 && s.c !== s.a && s.c !== s.b && last[s.c] === i) free.push(c);
    let d = 0;
    if (s.d >= 0) {
      d = free.length > 0 ? free.pop()! : slots++;
      slotOf[s.d] = d;
      // a value nothing reads (cannot happen for scheduled gates) frees its slot at once
      if (last[s.d] === -1) free.push(d);
    }
    const at = i * 7;
    ops[at] = s.op;
    ops[at + 1] = d;
    ops[at + 2] = a;
    ops[at + 3] = b;
    ops[at + 4] = c;
    ops[at + 5] = s.space;
    ops[at + 6] = s.index;
  });
  return { ops, count: list.length, slots };
}

/**
 * The kernel's encoding of a phase, four u32 per instruction
 * [op | c << 8, d, a, b], with memory operands resolved to addresses.
 */
export function encode(p: Phase, address: (space: SpaceId, index: number) => number): Uint32Array {
  const code = new Uint32Array(p.count * 4);
  for (let i = 0; i < p.count; i++) {
    const [op, d, a, b, c, space, index] = p.ops.subarray(i * 7, i * 7 + 7) as unknown as number[];
    const w = i * 4;
    code[w] = op! | (c! << 8);
    if (op === K.LOAD || op === K.LOADC) {
      code[w + 1] = d!;
      code[w + 2] = address(space as SpaceId, index!);
    } else if (op === K.STORE || op === K.ACC) {
      code[w + 1] = address(space as SpaceId, index!);
      code[w + 2] = a!;
    } else {
      code[w + 1] = d!;
      code[w + 2] = a!;
      code[w + 3] = b!;
    }
  }
  return code;
}
