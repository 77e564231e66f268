// The exports of core.wasm as TypeScript sees them: one line per kernel of
// assembly/index.ts. Pointers are byte offsets into the engine's memory.

type Ptr = number;

export interface Core {
  readonly memory: WebAssembly.Memory;
  heapBase(): Ptr;
  /** The GEMM's K block (floats): conv2d's forward pass packs from the image, without scratch, for K up to this. */
  gemmKBlock(): number;

  gemmNN(c: Ptr, a: Ptr, b: Ptr, m: number, n: number, k: number, accumulate: number): void;
  gemmNT(c: Ptr, a: Ptr, b: Ptr, m: number, n: number, k: number, accumulate: number): void;
  gemmTN(c: Ptr, a: Ptr, b: Ptr, m: number, n: number, k: number, accumulate: number): void;

  addRowVector(y: Ptr, x: Ptr, b: Ptr, rows: number, cols: number): void;
  sumRows(out: Ptr, x: Ptr, rows: number, cols: number): void;

  add(c: Ptr, a: Ptr, b: Ptr, n: number): void;
  addScaled(c: Ptr, a: Ptr, b: Ptr, s: number, n: number): void;
  scale(c: Ptr, a: Ptr, s: number, n: number): void;
  fill(c: Ptr, value: number, n: number): void;
  copy(c: Ptr, a: Ptr, n: number): void;

  sigmoid(y: Ptr, x: Ptr, n: number): void;
  sigmoidReverse(dx: Ptr, y: Ptr, dy: Ptr, n: number): void;
  tanh(y: Ptr, x: Ptr, n: number): void;
  tanhReverse(dx: Ptr, y: Ptr, dy: Ptr, n: number): void;
  relu(y: Ptr, x: Ptr, n: number): void;
  reluReverse(dx: Ptr, x: Ptr, dy: Ptr, n: number): void;
  leakyRelu(y: Ptr, x: Ptr, n: number, alpha: number): void;
  leakyReluReverse(dx: Ptr, x: Ptr, dy: Ptr, n: number, alpha: number): void;

  softmax(y: Ptr, x: Ptr, rows: number, cols: number): void;
  softmaxReverse(dx: Ptr, y: Ptr, dy: Ptr, rows: number, cols: number): void;
  logSoftmax(lp: Ptr, x: Ptr, rows: number, cols: number): void;

  rowScale(out: Ptr, a: Ptr, dl: Ptr, s: number, rows: number, cols: number): void;
  rowDot(l: Ptr, a: Ptr, b: Ptr, rows: number, cols: number): void;
  mse(l: Ptr, y: Ptr, t: Ptr, rows: number, cols: number): void;
  mseReverse(dy: Ptr, y: Ptr, t: Ptr, dl: Ptr, rows: number, cols: number): void;
  crossEntropy(l: Ptr, lp: Ptr, t: Ptr, rows: number, cols: number): void;
  softmaxCrossEntropyReverse(dz: Ptr, lp: Ptr, t: Ptr, dl: Ptr, rows: number, cols: number): void;
  binaryCrossEntropy(l: Ptr, p: Ptr, t: Ptr, rows: number, cols: number): void;
  binaryCrossEntropyReverse(dp: Ptr, p: Ptr, t: Ptr, dl: Ptr, rows: number, cols: number): void;
  binaryCrossEntropyLabelReverse(dt: Ptr, p: Ptr, dl: Ptr, rows: number, cols: number): void;

  sgdStep(p: Ptr, d: Ptr, n: number): void;
  momentumStep(s: Ptr, p: Ptr, d: Ptr, n: number, gamma: number): void;
  adagradStep(g: Ptr, p: Ptr, d: Ptr, n: number, lr: number, delta: number): void;
  rmspropStep(v: Ptr, p: Ptr, d: Ptr, n: number, lr: number, rho: number, delta: number): void;
  adamStep(m: Ptr, v: Ptr, t: Ptr, p: Ptr, d: Ptr, n: number, lr: number, b1: number, b2: number, delta: number): void;

  // products of wires, slices and tying maps (architectures as (co)algebras)
  mul(c: Ptr, a: Ptr, b: Ptr, n: number): void;
  copyStrided(dst: Ptr, dstStride: number, src: Ptr, srcStride: number, rows: number, cols: number): void;
  gather(out: Ptr, x: Ptr, index: Ptr, n: number): void;
  scatterAdd(out: Ptr, size: number, d: Ptr, index: Ptr, n: number): void;
  // Boolean circuits over Z2 (assembly/z2.ts)
  z2Run(code: Ptr, count: number, scratch: Ptr, block: number, words: number, batch: number): void;
  z2Fold(words: Ptr, n: number): void;
  z2Count(wire: Ptr, words: number, batch: number): number;
  // convolution and pooling of NHWC images; the window is n, h, w, c (input), kh, kw (kernel),
  // sh, sw (strides), pt, pl (top and left padding), oh, ow (output)
  conv2d(y: Ptr, x: Ptr, f: Ptr, scratch: Ptr, blockRows: number, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, cout: number, keep: number): void;
  conv2dInputGrad(dx: Ptr, dy: Ptr, f: Ptr, scratch: Ptr, blockRows: number, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, cout: number): void;
  conv2dFilterGrad(df: Ptr, x: Ptr, dy: Ptr, scratch: Ptr, blockRows: number, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, cout: number): void;
  maxPool2d(y: Ptr, arg: Ptr, x: Ptr, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number): void;
  maxPool2dReverse(dx: Ptr, arg: Ptr, dy: Ptr, inSize: number, outSize: number): void;
  avgPool2d(y: Ptr, x: Ptr, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number): void;
  avgPool2dReverse(dx: Ptr, dy: Ptr, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number): void;
  /** Benchmarks only: `rounds` x 26 independent f32x4 multiply-adds, no memory traffic. */
  peakMadd(rounds: number, seed: number): number;
}

/** The kernel names, for checking an instantiated module against this interface. */
export const kernelNames: readonly (keyof Core)[] = [
  "heapBase", "gemmKBlock", "gemmNN", "gemmNT", "gemmTN", "addRowVector", "sumRows",
  "add", "addScaled", "scale", "fill", "copy",
  "sigmoid", "sigmoidReverse", "tanh", "tanhReverse", "relu", "reluReverse", "leakyRelu", "leakyReluReverse",
  "softmax", "softmaxReverse", "logSoftmax",
  "rowScale", "rowDot", "mse", "mseReverse", "crossEntropy", "softmaxCrossEntropyReverse",
  "binaryCrossEntropy", "binaryCrossEntropyReverse", "binaryCrossEntropyLabelReverse",
  "sgdStep", "momentumStep", "adagradStep", "rmspropStep", "adamStep",
  // products of wires, slices and tying maps
  "mul", "copyStrided", "gather", "scatterAdd",
  // Boolean circuits over Z2
  "z2Run", "z2Fold", "z2Count",
  "conv2d", "conv2dInputGrad", "conv2dFilterGrad", "maxPool2d", "maxPool2dReverse", "avgPool2d", "avgPool2dReverse",
  "peakMadd",
];
