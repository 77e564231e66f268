// The one list of what core.wasm exports. Every kernel takes byte offsets into
// linear memory and element counts, and assumes them valid: the TypeScript
// engine checks shapes and sizes before it calls in. No kernel allocates.

/** First free byte after the module's static data: the arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}

export { gemmNN, gemmNT, gemmTN } from "./gemm";
export { addRowVector, sumRows } from "./bias";
export { add, addScaled, scale, fill, copy } from "./elementwise";
export {
  sigmoid, sigmoidReverse, tanh, tanhReverse, relu, reluReverse, leakyRelu, leakyReluReverse,
} from "./activations";
export { softmax, softmaxReverse, logSoftmax } from "./softmax";
export {
  rowScale, rowDot, mse, mseReverse, crossEntropy, softmaxCrossEntropyReverse,
  binaryCrossEntropy, binaryCrossEntropyReverse, binaryCrossEntropyLabelReverse,
} from "./losses";
export { sgdStep, momentumStep, adagradStep, rmspropStep, adamStep } from "./optimisers";

// benchmarks: the attainable multiply-add rate (not used by the library itself)
export { peakMadd } from "./peak";
