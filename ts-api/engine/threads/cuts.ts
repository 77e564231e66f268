// How each kernel of the core is cut across threads, declared for every one.
// The table's type has every kernel of Core as a key, so a kernel added to
// assembly/index.ts (and so to the generated Core) without a line here does
// not compile: adding a kernel means deciding how threads share it. split.ts
// builds the threaded core from this table.
import type { Core } from "../core.ts";

/** How threads share one kernel's calls. */
export type Cut =
  /** Every call runs whole on the calling thread, for the reason given. */
  | { readonly whole: string }
  /** Elementwise: the f32 arrays walked in step (argument positions), and the argument that counts elements. */
  | { readonly elements: readonly number[]; readonly count: number }
  /** Row-wise: the arrays that advance by a row, and the argument that counts rows (columns follow it). */
  | { readonly rows: readonly number[]; readonly at: number }
  /** A cut of its own in split.ts, over what is said. */
  | { readonly own: string };

const unary = { elements: [0, 1], count: 2 } as const;
const unaryReverse = { elements: [0, 1, 2], count: 3 } as const;
const loss = { whole: "a loss reads a batch's outputs once: small beside the products before it" } as const;
const scalar = { whole: "it computes a number, not an array" } as const;

export const cuts: { readonly [K in Exclude<keyof Core, "memory">]: Cut } = {
  heapBase: scalar,
  scratchBytes: scalar,
  gemmKBlock: scalar,
  gemmNN: { own: "a grid of C's column blocks and row runs, rows or columns of C, or K blocks for a small C" },
  gemmNT: { own: "as gemmNN" },
  gemmTN: { own: "as gemmNN" },
  gemmPanels: { own: "as gemmNN, its panels read by every thread (a call that packs them packs them first, with C's first row)" },
  gemmBatch: { own: "the products, or each product as gemmNN when there are fewer than threads" },
  addRowVector: { rows: [0, 1], at: 3 },
  sumRows: { own: "groups of 4 columns (sumRowsPart), each summed over every row in order" },
  add: { elements: [0, 1, 2], count: 3 },
  addScaled: { elements: [0, 1, 2], count: 4 },
  scale: { elements: [0, 1], count: 3 },
  fill: { elements: [0], count: 2 },
  allFinite: { whole: "it answers one yes or no over a batch: a scan bound by memory, a few microseconds" },
  sigmoid: unary,
  sigmoidReverse: unaryReverse,
  tanh: unary,
  tanhReverse: unaryReverse,
  relu: unary,
  reluReverse: unaryReverse,
  leakyRelu: unary,
  leakyReluReverse: unaryReverse,
  softmax: { rows: [0, 1], at: 2 },
  softmaxReverse: { rows: [0, 1, 2], at: 3 },
  logSoftmax: { rows: [0, 1], at: 2 },
  rowScale: loss,
  rowDot: loss,
  mse: loss,
  mseReverse: loss,
  crossEntropy: loss,
  softmaxCrossEntropyReverse: loss,
  binaryCrossEntropy: loss,
  binaryCrossEntropyReverse: loss,
  binaryCrossEntropyLabelReverse: loss,
  indexCrossEntropy: loss,
  indexCrossEntropyReverse: loss,
  sgdStep: { elements: [0, 1], count: 2 },
  momentumStep: { elements: [0, 1, 2], count: 3 },
  adagradStep: { elements: [0, 1, 2], count: 3 },
  rmspropStep: { elements: [0, 1, 2], count: 3 },
  adamCount: { whole: "it advances one step count, before adamUpdate's pieces read it" },
  // (its step count, argument 2, is read by every piece alike)
  adamUpdate: { elements: [0, 1, 3, 4], count: 5 },
  copyStrided: { whole: "a copy between wires, bound by memory" },
  gather: { whole: "a copy between wires, bound by memory" },
  scatterAdd: { whole: "its sums land where the indices say, in their order" },
  conv2d: { own: "whole images, each piece with an im2col block of its own" },
  conv2dInputGrad: { own: "whole images, as conv2d" },
  conv2dFilterGrad: { whole: "its product with a kept im2col matrix is a gemmTN, cut as that; this kernel serves the rest" },
  maxPool2d: { own: "whole images" },
  maxPool2dReverse: { own: "whole images" },
  avgPool2d: { own: "whole images" },
  avgPool2dReverse: { own: "whole images" },
  exp: unary,
  log: unary,
  sqrt: unary,
  rsqrt: unary,
  neg: unary,
  abs: unary,
  square: unary,
  sign: unary,
  erf: unary,
  binary: { whole: "broadcasting: its strides are its own, and a lens written by hand calls it on small tensors" },
  reduceSum: { whole: "a reduction's order is the kernel's" },
  reduceMax: { whole: "a reduction's order is the kernel's" },
  select: { elements: [0, 1, 2, 3], count: 4 },
  causalSoftmax: { own: "whole t x t blocks (a row's mask depends on its row in its block)" },
  gatherRows: { whole: "rows picked by id: a copy, bound by memory" },
  scatterAddRows: { whole: "its sums land where the ids say, in their order" },
  setRows: { whole: "rows written by id, a later one winning" },
  dropout: { whole: "its mask hashes each element's position: cheap beside what it follows" },
  uniformFill: { whole: "a generator's stream is one sequence" },
};
