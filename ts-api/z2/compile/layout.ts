// The layout phase of compileZ2: where each wire lives in the arena. Leaves
// and roots are wires of bit tensors (their addresses come from the trace and
// roots phases); the words the prologue hands on (consts) and the
// accumulators of the body get bit tensors of their own; slots live in one
// scratch buffer, `block` words each. The programs are encoded with those
// addresses and copied into the arena, ready for z2Run.
import type { Engine } from "../../engine/engine.ts";
import { ParalensError, describe } from "../../engine/errors.ts";
import { BitTensor } from "../bits.ts";
import { type Phase, type Schedule, Space, type SpaceId, encode } from "../program.ts";

/** A program in the arena. */
export interface Loaded {
  readonly address: number;
  readonly count: number;
}

/** A scheduled pass with its memory: accumulators to zero and fold, and its three programs. */
export interface LaidOutPass {
  readonly schedule: Schedule;
  readonly accs: BitTensor;
  readonly code: readonly [prologue: Loaded, body: Loaded, epilogue: Loaded];
}

/** Allocates a pass's consts and accumulators (pushing them onto `owned`) and loads its programs. */
export function layoutPass(
  e: Engine,
  s: Schedule,
  leafAddress: ReadonlyMap<number, number>,
  rootAddresses: readonly number[],
  owned: BitTensor[],
): LaidOutPass {
  const consts = BitTensor.alloc(e, [s.consts]);
  const accs = BitTensor.alloc(e, [s.accs]);
  owned.push(consts, accs);
  const address = (space: SpaceId, index: number): number =>
    space === Space.LEAF ? leafAddress.get(index)! : space === Space.CONST ? consts.wire(index) : space === Space.ACC ? accs.wire(index) : rootAddresses[index]!;
  const load = (p: Phase): Loaded => {
    const code = encode(p, address);
    const at = e.arena.alloc(code.byteLength, "a z2 program");
    new Uint32Array(e.memory.buffer, at, code.length).set(code);
    return { address: at, count: p.count };
  };
  return { schedule: s, accs, code: [load(s.prologue), load(s.body), load(s.epilogue)] };
}

// The scratch of a block should stay in the core's L2 (512 KiB on Zen 3,
// 1 MiB on Zen 5 and recent Xeons). Larger blocks spread each instruction's
// dispatch over more words, and the loads and stores of wires over longer
// runs of memory: on the benchmark's 1,000-gate circuit (638 slots in
// reverse) a block of 48 words runs both passes about twice as fast as the
// 12 words a 128 KiB budget allowed. Blocks are a multiple of four words,
// the unrolling of the kernel's gate loops.
const SCRATCH_BUDGET = 512 * 1024;
const MAX_BLOCK = 64;

/** Words per block of the batch loop: `requested`, or as many as keep the scratch within budget. */
export function blockFor(passes: readonly LaidOutPass[], words: number, requested?: number): number {
  const slots = Math.max(...passes.map((p) => p.schedule.body.slots), 1);
  const fits = Math.min(MAX_BLOCK, Math.floor(SCRATCH_BUDGET / (slots * 16)));
  const block = requested ?? Math.max(1, Math.min(words, fits >= 4 ? fits & ~3 : fits));
  if (!Number.isInteger(block) || block < 1) throw new ParalensError(`compileZ2: block must be a whole number >= 1, got ${describe(block)}`);
  return block;
}

/** The scratch of a plan: the body's slots at `block` words, and the once-per-pass phases' at one word. */
export function allocScratch(e: Engine, passes: readonly LaidOutPass[], block: number, what: string): number {
  const body = Math.max(...passes.map((p) => p.schedule.body.slots), 1);
  const once = Math.max(...passes.flatMap((p) => [p.schedule.prologue.slots, p.schedule.epilogue.slots]), 1);
  return e.arena.alloc(Math.max(body * block, once) * 16, what);
}

/** Gives a pass's programs back to the arena (its tensors are among the plan's owned ones). */
export function releasePass(e: Engine, p: LaidOutPass): void {
  for (const c of p.code) e.arena.release(c.address);
}
