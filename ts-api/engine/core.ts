// The exports of core.wasm as TypeScript sees them: one line per kernel of
// assembly/index.ts. Pointers are byte offsets into the engine's memory.

type Ptr = number;

export interface Core {
  readonly memory: WebAssembly.Memory;
  heapBase(): Ptr;

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

  /** Benchmarks only: `rounds` x 26 independent f32x4 multiply-adds, no memory traffic. */
  peakMadd(rounds: number, seed: number): number;
}

/** The kernel names, for checking an instantiated module against this interface. */
export const kernelNames: readonly (keyof Core)[] = [
  "heapBase", "gemmNN", "gemmNT", "gemmTN", "addRowVector", "sumRows",
  "add", "addScaled", "scale", "fill", "copy",
  "sigmoid", "sigmoidReverse", "tanh", "tanhReverse", "relu", "reluReverse", "leakyRelu", "leakyReluReverse",
  "softmax", "softmaxReverse", "logSoftmax",
  "rowScale", "rowDot", "mse", "mseReverse", "crossEntropy", "softmaxCrossEntropyReverse",
  "binaryCrossEntropy", "binaryCrossEntropyReverse", "binaryCrossEntropyLabelReverse",
  "sgdStep", "momentumStep", "adagradStep", "rmspropStep", "adamStep",
  "peakMadd",
];
