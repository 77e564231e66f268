// The schedule phase of compileZ2: which gates each phase of a pass
// evaluates (prologue, body, epilogue, by the level the tracer gave each
// node), what crosses between phases (const words out of the prologue,
// accumulators out of the body), which gates fuse (x ^ (a & b) into one
// ANDXOR), and the order and slots of each phase's instructions
// (order.ts, slots.ts).
import { K, type Phase, type Root, type Schedule, Space, type Sym, sym } from "../program.ts";
import { Op, type Graph } from "../trace.ts";
import { lowPressureOrder } from "./order.ts";
import { assignSlots } from "./slots.ts";

/** The programs of one pass: the gates that produce `roots`, in three phases. */
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
  // what each instruction reads: a fused XOR reads its AND's operands
  const operands = (n: number): number[] => {
    if (g.op[n] === Op.NOT) return [g.a[n]!];
    const [a, b] = [g.a[n]!, g.b[n]!];
    const and = fusedInto[a] === n ? a : fusedInto[b] === n ? b : -1;
    return [...new Set(and >= 0 ? [g.a[and]!, g.b[and]!, and === a ? b : a] : [a, b])];
  };
  // one phase's instructions, its gates in `order`
  const emit = (order: readonly number[]): Phase => {
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
    for (const n of order) {
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
    return assignSlots([...out, ...deferred], g.size);
  };
  // the greedy order usually needs far fewer slots than the traced one, but
  // not always (a reverse pass walks a chain backwards whatever the order):
  // keep whichever needs fewer
  const gates = nodes.filter((n) => fusedInto[n]! < 0);
  const [traced, greedy] = [emit(gates), emit(lowPressureOrder(g, gates, operands))];
  return greedy.slots <= traced.slots ? greedy : traced;
}

