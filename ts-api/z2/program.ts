// The program format between the scheduler (compile/schedule.ts) and the
// bit-sliced kernel (assembly/z2.ts).
//
// A plan runs in three phases: the prologue computes, once, what is the same
// for every example (gates on parameters and constants); the body runs over
// the batch block by block (per-example gates, loads of input wires, stores
// of outputs, and ACC of the changes a parameter collects); the epilogue
// computes, once, what follows the batch reduction (an update p ^ dp). Each
// phase is a straight list of instructions over numbered slots; slots are
// reused as soon as a value is dead, so the scratch of a block stays small.

/** Kernel op codes (assembly/z2.ts). */
export const K = { LOAD: 0, LOADC: 1, STORE: 2, ACC: 3, ZERO: 4, ONE: 5, NOT: 6, XOR: 7, AND: 8, ANDXOR: 9 } as const;

/** Where a memory operand lives: a leaf's tensor, a prologue result, an accumulator, or a root's destination. */
export const Space = { LEAF: 0, CONST: 1, ACC: 2, ROOT: 3 } as const;
export type SpaceId = (typeof Space)[keyof typeof Space];

/** One instruction before slots and addresses are assigned: d, a, b, c are node ids (-1: none). */
export interface Sym {
  op: number;
  d: number;
  a: number;
  b: number;
  c: number;
  space: SpaceId;
  index: number;
}

/** An instruction; unused operands are -1. */
export function sym(op: number, d: number, a = -1, b = -1, c = -1, space: SpaceId = Space.LEAF, index = -1): Sym {
  return { op, d, a, b, c, space, index };
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
