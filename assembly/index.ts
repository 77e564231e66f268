// The one list of what core.wasm exports (the threaded core adds the kernels
// of threads.ts). Every kernel takes byte offsets into
// linear memory and element counts, and assumes them valid: the TypeScript
// engine checks shapes and sizes before it calls in. No kernel allocates.

/** First free byte after the module's static data: the arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}

export { gemmNN, gemmNT, gemmTN, gemmBatch } from "./gemm";
// a weight packed once for the products of a plan that only predicts
export { gemmPanels } from "./gemm";
// every build tells how much scratch an instance packs its panels in: a page's
// engine starts on one thread with room for the workers' scratch set aside
export { scratchBytes } from "./gemm";
import { KC } from "./gemm";

/** The GEMM's K block: a convolution with K = kh*kw*c up to this needs no im2col scratch in its forward pass. */
export function gemmKBlock(): i32 {
  return KC;
}
export { addRowVector, sumRows } from "./bias";
export { add, addScaled, scale, fill, allFinite } from "./elementwise";
export {
  sigmoid, sigmoidReverse, tanh, tanhReverse, relu, reluReverse, leakyRelu, leakyReluReverse,
} from "./activations";
export { softmax, softmaxReverse, logSoftmax } from "./softmax";
export {
  rowScale, rowDot, mse, mseReverse, crossEntropy, softmaxCrossEntropyReverse,
  binaryCrossEntropy, binaryCrossEntropyReverse, binaryCrossEntropyLabelReverse,
  indexCrossEntropy, indexCrossEntropyReverse,
} from "./losses";
export { sgdStep, momentumStep, adagradStep, rmspropStep, adamCount, adamUpdate } from "./optimisers";

// Products of wires, slices and tying maps (architectures as (co)algebras).
export { copyStrided, gather, scatterAdd } from "./gather";

// (Boolean circuits over Z2 are paralens/z2's: their kernels are a module of
// their own, assembly/z2-module.ts, so this core does not carry them.)
// convolution and pooling (NHWC images, [kh, kw, c, cout] filters)
export { conv2d, conv2dInputGrad, conv2dFilterGrad } from "./conv";
export { maxPool2d, maxPool2dReverse, avgPool2d, avgPool2dReverse } from "./pool";
// elementwise maps layers are composed from (numeric contracts in unary.ts and math.ts)
export { exp, log, sqrtKernel as sqrt, rsqrt, neg, absKernel as abs, square, sign, erf } from "./unary";
// broadcasting arithmetic (op codes in broadcast.ts), reductions along axes, select
export { binary, reduceSum, reduceMax, selectKernel as select } from "./broadcast";
// attention: the causal softmax, embedding lookup and its reverse, dropout's hashed mask
export { causalSoftmax } from "./attention";
export { gatherRows, scatterAddRows, setRows } from "./embedding";
export { dropout } from "./dropout";
// the seeded generator's loop that parameter initialisers draw from
export { uniformFill } from "./random";
