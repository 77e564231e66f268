// Compiling a Z2 Para for a batch size, in four phases, each in compile/:
// trace (run the lens's passes on a tracer), roots (what results each pass
// must produce, and where they go), schedule (which gates each phase of a
// pass evaluates, in what order, in which slots) and layout (where every
// wire lives in the arena; the programs loaded). A pass is then at most four
// kernel calls, whatever the size of the circuit: prologue, body (the whole
// batch), fold of the batch sums, epilogue.
import type { Plan } from "../backend/plan.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { Engine } from "../engine/engine.ts";
import { engine as currentEngine } from "../engine/init.ts";
import { ParalensError, describe, fmtShape, optionsArgument } from "../engine/errors.ts";
import { Rng, checkSeed } from "../init/random.ts";
import { BitTensor, wordsFor } from "./bits.ts";
import { type LaidOutPass, allocScratch, blockFor, layoutPass, releasePass } from "./compile/layout.ts";
import { findRoots } from "./compile/roots.ts";
import { schedule } from "./compile/schedule.ts";
import { traceLens } from "./compile/trace.ts";
import type { Z2Ops } from "./ops.ts";
import type { Schedule } from "./program.ts";
import { z2Kernels } from "./kernels.ts";

/**
 * Options of compileZ2.
 *
 * @category Backends
 */
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
  /** v128 words per block of the batch loop (default: as many as keep the scratch near 512 KiB, at most 64, a multiple of 4). */
  block?: number;
}

/**
 * The size of one pass of a compiled plan.
 *
 * @category Backends
 */
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

/**
 * A Z2 Para compiled for a batch size: bit tensors to fill and read, and the
 * two passes. Its reverse() recomputes, block by block, the forward values it
 * needs from the inputs (so nothing per gate is kept between passes) and
 * refreshes the tapped values: a training step is one reverse() call.
 *
 * @category Backends
 */
export type Z2Plan = Plan<BitTensor, Z2PlanStats>;

/**
 * Gates and memory of each pass of a Z2 plan, and the block size the passes are cut into.
 *
 * @category Backends
 */
export interface Z2PlanStats {
  readonly forward: Z2PassStats;
  readonly reverse: Z2PassStats;
  readonly block: number;
}

/**
 * Allocates the parameter tensors of a Z2 Para, initialised from a seeded generator (nonzero values are 1).
 *
 * @example
 * ```ts
 * const [table] = initBits(lut(2, 1), 7);   // lut(2 -> 1) has one parameter, 4 bits
 * table.dispose();
 * ```
 *
 * @category Backends
 */
export function initBits(f: Para<Wires, Wires, Z2Ops>, seed = 0, e: Engine = currentEngine()): BitTensor[] {
  paraArgument("initBits", f);
  checkSeed("initBits", seed);
  if (!(e instanceof Engine)) throw new ParalensError(`initBits: the engine must be an Engine (engine(), after init()), got ${describe(e)}`);
  const rng = new Rng(seed);
  return f.params.map((p) => {
    checkWire(`parameter "${p.name}" of ${f.name}`, p.shape);
    return BitTensor.alloc(e, p.shape).write(p.init(p.shape, rng));
  });
}

/**
 * Compiles a Z2 Para for a batch size into bit-sliced programs.
 *
 * @example
 * ```ts
 * const plan = compileZ2(polynomial("x0*x1 + x2"), { batch: 1000 });
 * plan.inputs[0]!.write(Array.from({ length: 3000 }, (_, i) => i % 2)); plan.forward(); plan.outputs[0]!.read().length;  // 1000
 * plan.dispose();
 * ```
 *
 * @category Backends
 */
export function compileZ2(f: Para<Wires, Wires, Z2Ops>, options: Z2CompileOptions): Z2Plan {
  const e = currentEngine();
  paraArgument("compileZ2", f);
  optionsArgument("compileZ2", options);
  const { batch, update = false } = options;
  const changes = options.changes ?? "all";
  if (!Number.isInteger(batch) || batch < 1) throw new ParalensError(`compileZ2: batch must be a whole number >= 1, got ${describe(batch)}`);
  if (changes !== "all" && changes !== "params" && changes !== "none") throw new ParalensError(`compileZ2: changes must be "all", "params" or "none", got ${describe(changes)}`);
  const given = options.params;
  if (given !== undefined && !(Array.isArray(given) && given.every((t) => t instanceof BitTensor))) {
    throw new ParalensError(`compileZ2: params must be an array of bit tensors (initBits(...), a learner's params), got ${describe(given)}`);
  }
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

  const inputs = f.dom.map((s) => BitTensor.alloc(e, [batch, s[0]!]));
  const outputChanges = changes === "none" ? [] : f.cod.map((s) => BitTensor.alloc(e, [batch, s[0]!]));
  const owned: BitTensor[] = [...inputs, ...outputChanges];
  const traced = traceLens(f, params, inputs, changes === "none" ? null : outputChanges);
  const { destinations, forward, reverse } = findRoots(e, f, traced, { batch, params, changes, update }, owned);
  const passes = [forward, reverse].map(({ roots, addresses }) =>
    layoutPass(e, schedule(traced.tracer.graph, roots), traced.leafAddress, addresses, owned),
  );
  const words = wordsFor(batch);
  const block = blockFor(passes, words, options.block);
  const scratch = allocScratch(e, passes, block, `the scratch of ${f.name}`);
  let disposed = false;

  const run = ({ schedule: s, accs, code: [pro, body, epi] }: LaidOutPass): void => {
    if (disposed) throw new ParalensError(`compiled ${f.name}: used after dispose()`);
    // (looked up as they run: a page's engine moves onto a new memory when its threads arrive)
    if (pro.count > 0) z2Kernels(e).z2Run(pro.address, pro.count, scratch, 1, 1, 128);
    if (s.accs > 0) accs.u32.fill(0);
    if (body.count > 0) z2Kernels(e).z2Run(body.address, body.count, scratch, block, words, batch);
    if (s.accs > 0) z2Kernels(e).z2Fold(accs.offset, s.accs);
    if (epi.count > 0) z2Kernels(e).z2Run(epi.address, epi.count, scratch, 1, 1, 128);
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
    ...destinations,
    outputChanges,
    forward: () => run(passes[0]!),
    reverse: () => run(passes[1]!),
    stats: { forward: stats(passes[0]!.schedule), reverse: stats(passes[1]!.schedule), block },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) t.dispose();
      for (const p of passes) releasePass(e, p);
      e.arena.release(scratch);
      if (ownsParams) for (const t of params) t.dispose();
    },
  };
}

function checkWire(what: string, shape: Shape): void {
  if (shape.length !== 1) throw new ParalensError(`compileZ2: ${what} is ${fmtShape(shape)}; Z2 wires are bit vectors [n]`);
}
