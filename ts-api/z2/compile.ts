// Compiling a Z2 Para for a batch size: run its passes once on a tracer,
// schedule the recorded gates into bit-sliced programs (program.ts), and
// lay out inputs, outputs, changes and scratch in the arena. A pass is then
// at most four kernel calls, whatever the size of the circuit: prologue,
// body (the whole batch), fold of the batch sums, epilogue.
import type { Value } from "../algebra/category.ts";
import type { Para } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { type Engine, engine as currentEngine } from "../engine/engine.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { Rng } from "../init/random.ts";
import { BitTensor, wordsFor } from "./bits.ts";
import type { Z2Ops } from "./ops.ts";
import { type Phase, type Root, type Schedule, Space, type SpaceId, encode, schedule } from "./program.ts";
import { Op, Tracer, nodesOf } from "./trace.ts";

/** Options of compileZ2. */
export interface Z2CompileOptions {
  /** Examples per run: every data wire gets this as its first axis. */
  batch: number;
  /** Parameter tensors to bind (shared, not copied). If omitted, they are allocated and initialised from `seed`. */
  params?: readonly BitTensor[];
  /** Seed for initialising parameters that were not given (default 0). */
  seed?: number;
  /** Which changes reverse() produces: "all", "params" (training) or "none" (forward only). Default "all". */
  changes?: "all" | "params" | "none";
  /** The parameter changes are new values (an update lens on the parameter wire): reverse() writes them over the parameters. */
  update?: boolean;
  /** v128 words per block of the batch loop (default: as many as keep the scratch near 128 KiB, at most 32). */
  block?: number;
}

/** The size of one pass of a compiled plan. */
export interface Z2PassStats {
  /** Kernel instructions per block: loads, gates, stores, accumulations. */
  readonly instructions: number;
  /** Gates evaluated per example. */
  readonly gates: number;
  /** Scratch slots of the batch loop. */
  readonly slots: number;
  /** Instructions run once per pass (prologue and epilogue). */
  readonly once: number;
}

/** A Z2 Para compiled for a batch size: bit tensors to fill and read, and the two passes. */
export interface Z2Plan {
  readonly batch: number;
  readonly params: readonly BitTensor[];
  /** Write the batch here before forward() or reverse(). */
  readonly inputs: readonly BitTensor[];
  /** Read the results here after forward(). */
  readonly outputs: readonly BitTensor[];
  /** Write the output changes here before reverse(). */
  readonly outputChanges: readonly BitTensor[];
  /** After reverse(): the parameter changes (null: zero or not requested); with `update`, the parameters themselves. */
  readonly paramChanges: readonly (BitTensor | null)[];
  readonly inputChanges: readonly (BitTensor | null)[];
  /** Values recorded by tap lenses, refreshed by forward() and by reverse(). */
  readonly observed: ReadonlyMap<string, BitTensor>;
  /** Runs the forward pass over the batch. */
  forward(): void;
  /**
   * Runs the reverse pass. It recomputes, block by block, the forward values
   * it needs from the inputs (so nothing per gate is kept between passes),
   * and refreshes the tapped values: a training step is one reverse() call.
   */
  reverse(): void;
  readonly stats: { readonly forward: Z2PassStats; readonly reverse: Z2PassStats; readonly block: number };
  dispose(): void;
}

/** Allocates the parameter tensors of a Z2 Para, initialised from a seeded generator (nonzero values are 1). */
export function initBits(f: Para<Wires, Wires, Z2Ops>, seed = 0, e: Engine = currentEngine()): BitTensor[] {
  const rng = new Rng(seed);
  return f.params.map((p) => {
    checkWire(`parameter "${p.name}" of ${f.name}`, p.shape);
    return BitTensor.alloc(e, p.shape).write(p.init(p.shape, rng));
  });
}

const SCRATCH_BUDGET = 128 * 1024;
const MAX_BLOCK = 32;

/**
 * Compiles a Z2 Para for a batch size into bit-sliced programs.
 *
 *   const plan = compileZ2(polynomial("x0*x1 + x2"), { batch: 1000 });
 *   plan.inputs[0]!.write(rows); plan.forward(); plan.outputs[0]!.read();
 */
export function compileZ2(f: Para<Wires, Wires, Z2Ops>, options: Z2CompileOptions): Z2Plan {
  const e = currentEngine();
  const { batch, update = false } = options;
  const changes = options.changes ?? "all";
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`compileZ2: batch must be a whole number >= 1, got ${batch}`);
  for (const s of [...f.dom, ...f.cod]) checkWire(`a wire of ${f.name}`, s);
  const ownsParams = options.params === undefined;
  const params = options.params ? [...options.params] : initBits(f, options.seed, e);
  if (params.length !== f.params.length) throw new ParalensError(`compileZ2: ${f.name} has ${f.params.length} parameter(s), got ${params.length} tensor(s)`);
  f.params.forEach((spec, i) => {
    const t = params[i]!;
    if (t.batch !== null || t.width !== spec.shape[0]) {
      throw new ParalensError(`compileZ2: parameter "${spec.name}" of ${f.name} is ${fmtShape(spec.shape)}, got a bit tensor ${fmtShape(t.shape)}`);
    }
  });

  // trace both passes
  const tracer = new Tracer();
  const leafAddress = new Map<number, number>();
  const bind = (v: Value, t: BitTensor): Value => {
    nodesOf(v).forEach((n, i) => leafAddress.set(n, t.wire(i)));
    return v;
  };
  const pv = params.map((t) => bind(tracer.leaves(Op.PARAM, t.shape), t));
  const inputs = f.dom.map((s) => BitTensor.alloc(e, [batch, s[0]!]));
  const xv = inputs.map((t) => bind(tracer.leaves(Op.INPUT, t.shape), t));
  const [ys, residual] = f.forward(tracer, pv, xv);
  const observedValues = new Map(tracer.observed);
  const outputChanges = changes === "none" ? [] : f.cod.map((s) => BitTensor.alloc(e, [batch, s[0]!]));
  const [dp, dx] = changes === "none" ? [[], []] : f.reverse(tracer, residual, outputChanges.map((t) => bind(tracer.leaves(Op.INPUT, t.shape), t)));

  // destinations
  const owned: BitTensor[] = [...inputs, ...outputChanges];
  const fresh = (v: Value): BitTensor => {
    const t = BitTensor.alloc(e, tracer.shape(v));
    owned.push(t);
    return t;
  };
  const outputs = ys.map(fresh);
  const observed = new Map([...observedValues].map(([name, v]) => [name, fresh(v)] as const));
  const paramChanges = f.params.map((spec, i) => {
    const d = changes === "none" ? null : dp[i] ?? null;
    if (d === null) return null;
    expectShape(`the change of parameter "${spec.name}"`, tracer.shape(d), spec.shape);
    return update ? params[i]! : fresh(d);
  });
  const inputChanges = f.dom.map((s, i) => {
    const d = changes === "all" ? dx[i] ?? null : null;
    if (d === null) return null;
    expectShape(`the change of input ${i}`, tracer.shape(d), [batch, s[0]!]);
    return fresh(d);
  });
  ys.forEach((y, i) => expectShape(`output ${i}`, tracer.shape(y), [batch, f.cod[i]![0]!]));

  const rootsOf = (pairs: [Value | null, BitTensor | null][]): { roots: Root[]; addresses: number[] } => {
    const roots: Root[] = [];
    const addresses: number[] = [];
    for (const [v, t] of pairs) {
      if (v === null || t === null) continue;
      nodesOf(v).forEach((node, i) => {
        roots.push({ node, batched: t.batch !== null });
        addresses.push(t.wire(i));
      });
    }
    return { roots, addresses };
  };
  const taps = [...observedValues].map(([name, v]) => [v, observed.get(name)!] as [Value, BitTensor]);
  const fwd = rootsOf([...ys.map((y, i) => [y, outputs[i]!] as [Value, BitTensor]), ...taps]);
  const rev = rootsOf(
    changes === "none"
      ? []
      : [...taps, ...paramChanges.map((t, i) => [dp[i] ?? null, t] as [Value | null, BitTensor | null]), ...inputChanges.map((t, i) => [dx[i] ?? null, t] as [Value | null, BitTensor | null])],
  );

  const passes = [fwd, rev].map(({ roots, addresses }) => {
    const s = schedule(tracer.graph, roots);
    const consts = BitTensor.alloc(e, [s.consts]);
    const accs = BitTensor.alloc(e, [s.accs]);
    owned.push(consts, accs);
    const address = (space: SpaceId, index: number): number =>
      space === Space.LEAF ? leafAddress.get(index)! : space === Space.CONST ? consts.wire(index) : space === Space.ACC ? accs.wire(index) : addresses[index]!;
    return { s, consts, accs, code: [s.prologue, s.body, s.epilogue].map((p) => load(e, p, address)) };
  });
  const bodySlots = Math.max(...passes.map((p) => p.s.body.slots), 1);
  const words = wordsFor(batch);
  const block = options.block ?? Math.max(1, Math.min(MAX_BLOCK, words, Math.floor(SCRATCH_BUDGET / (bodySlots * 16))));
  if (!Number.isInteger(block) || block < 1) throw new ParalensError(`compileZ2: block must be a whole number >= 1, got ${block}`);
  const onceSlots = Math.max(...passes.flatMap((p) => [p.s.prologue.slots, p.s.epilogue.slots]), 1);
  const scratch = e.arena.alloc(Math.max(bodySlots * block, onceSlots) * 16, `the scratch of ${f.name}`);
  const core = e.core;
  let disposed = false;

  const run = ({ s, accs, code }: (typeof passes)[number]): void => {
    if (disposed) throw new ParalensError(`compiled ${f.name}: used after dispose()`);
    const [pro, body, epi] = code as [Loaded, Loaded, Loaded];
    if (pro.count > 0) core.z2Run(pro.address, pro.count, scratch, 1, 1, 128);
    if (s.accs > 0) accs.u32.fill(0);
    if (body.count > 0) core.z2Run(body.address, body.count, scratch, block, words, batch);
    if (s.accs > 0) core.z2Fold(accs.offset, s.accs);
    if (epi.count > 0) core.z2Run(epi.address, epi.count, scratch, 1, 1, 128);
  };
  const stats = (s: Schedule): Z2PassStats => ({
    instructions: s.body.count,
    gates: s.gates,
    slots: s.body.slots,
    once: s.prologue.count + s.epilogue.count,
  });

  return {
    batch,
    params,
    inputs,
    outputs,
    outputChanges,
    paramChanges,
    inputChanges,
    observed,
    forward: () => run(passes[0]!),
    reverse: () => run(passes[1]!),
    stats: { forward: stats(passes[0]!.s), reverse: stats(passes[1]!.s), block },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) t.dispose();
      for (const p of passes) for (const c of p.code) e.arena.release(c.address);
      e.arena.release(scratch);
      if (ownsParams) for (const t of params) t.dispose();
    },
  };
}

interface Loaded {
  readonly address: number;
  readonly count: number;
}

function load(e: Engine, p: Phase, address: (space: SpaceId, index: number) => number): Loaded {
  const code = encode(p, address);
  const at = e.arena.alloc(code.byteLength, "a z2 program");
  new Uint32Array(e.memory.buffer, at, code.length).set(code);
  return { address: at, count: p.count };
}

function checkWire(what: string, shape: Shape): void {
  if (shape.length !== 1) throw new ParalensError(`compileZ2: ${what} is ${fmtShape(shape)}; Z2 wires are bit vectors [n]`);
}

function expectShape(what: string, got: Shape, want: Shape): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new ParalensError(`compileZ2: ${what} has shape ${fmtShape(got)}, expected ${fmtShape(want)}`);
  }
}
