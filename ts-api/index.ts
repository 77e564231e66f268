// paralens: the one list of public names.

// engine
export { init, engine, Engine, type InitOptions, type SimdMode } from "./engine/engine.ts";
export { Tensor } from "./engine/tensor.ts";
export { ParalensError } from "./engine/errors.ts";

// the algebra: objects, Para(Lens), composition, structure, reparameterisation
export type { Shape, Wires, WiresAgree, Times } from "./algebra/shapes.ts";
export type { Value, Change, Carrier } from "./algebra/category.ts";
export { para, lens, anyShape, resolve, type Para, type Lens, type AnyShape, type Layer, type ParamSpec, type ParaSpec } from "./algebra/para.ts";
export { seq, seqOf, par, type Chain, type Seq } from "./algebra/compose.ts";
export { wire, id, copy, discard, swap, add, tap } from "./algebra/structure.ts";
export { reparam, tie, type Reparameterisation } from "./algebra/reparam.ts";

// the reals: backends and compiled plans
export type { RealOps } from "./ops/index.ts";
export { reference, refTensor, type RefTensor } from "./backend/reference.ts";
export { compile, initParams, type Compiled, type CompileOptions } from "./backend/compile.ts";

// layers
export { linear } from "./layers/linear.ts";
export { bias } from "./layers/bias.ts";
export { dense } from "./layers/dense.ts";
export { sigmoid, tanh, relu, leakyRelu, softmax, type ActivationName } from "./layers/activations.ts";
export { exp, log, sqrt, rsqrt, neg, abs, square, erf } from "./ops/unary.ts";
export { elementwise, where, type BinaryName } from "./ops/binary.ts";
export { reduceSum, reduceMean, reduceMax } from "./ops/reduce.ts";
export { affine } from "./layers/affine.ts";
export { gelu } from "./layers/gelu.ts";
export { silu } from "./layers/silu.ts";
export { layerNorm, type LayerNormOptions } from "./layers/layerNorm.ts";

// convolution and pooling
export { conv2d, type Conv2dOptions } from "./layers/conv2d.ts";
export { maxPool2d } from "./layers/maxPool2d.ts";
export { avgPool2d } from "./layers/avgPool2d.ts";
export { flatten } from "./layers/flatten.ts";
export { reshape } from "./layers/reshape.ts";
export { window2d, type Window2d, type Padding, type Pair } from "./ops/conv/window.ts";

// learning
export { mse, softmaxCrossEntropy, binaryCrossEntropy, dotProduct, type Loss } from "./losses/losses.ts";
export { constantRate, lossScaledRate, type Rate } from "./losses/rates.ts";
export { optimiser, type Optimiser, type StateWire } from "./optimisers/optimiser.ts";
export { sgd, momentum, nesterov, adagrad, rmsprop, adam } from "./optimisers/optimisers.ts";
export { supervisedLens, scoringLens, type LearningParts } from "./learner/supervised.ts";
export {
  supervised, Learner, type SupervisedOptions, type FitOptions, type History, type EpochReport, type BatchReport, type Evaluation,
} from "./learner/learner.ts";
export { oneHot, type Data } from "./learner/data.ts";
export { encodeSafetensors, decodeSafetensors, readTensor, type TensorData, type DecodedTensor, type EncodeOptions } from "./io/safetensors/codec.ts";
export { readSafetensorsHeader, MAX_HEADER_BYTES, type SafetensorsDtype, type SafetensorsEntry, type SafetensorsHeader } from "./io/safetensors/header.ts";
export { floatToHalf, halfToFloat } from "./io/safetensors/dtypes.ts";
export { encodeLearner, decodeLearnerInto } from "./io/learner-file.ts";
export { fromTorch, toTorch, type TorchTensors, type TorchNames } from "./io/torch.ts";

// initialisation
export { Rng } from "./init/random.ts";
export {
  zeros, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal, type Initialiser,
} from "./init/initialisers.ts";

// categorical deep learning: architectures as (co)algebras in Para, weight sharing, equivariance
export { multiply, subtract, concat, split, stack, unstack, sumWires, project } from "./cdl/wires.ts";
export { diagram, type Builder, type Wire } from "./cdl/diagram.ts";
export { share, named, point, zeroPoint, withStart, type SharedCell } from "./cdl/share.ts";
export { fold, type Fold, type ListAlgebra } from "./cdl/fold.ts";
export { elman, gru, lstm } from "./cdl/cells.ts";
export { foldTree, leaf, node, treeShape, flattenTree, type Tree, type TreeAlgebra, type TreeFold } from "./cdl/tree.ts";
export { unfold, type Stream } from "./cdl/unfold.ts";
export { mealy, moore, type Machine } from "./cdl/machines.ts";
export { scaled } from "./cdl/wires.ts";
export {
  cyclicGroup, symmetricGroup, productGroup, shiftAction, permutationAction, translationAction, trivialAction, type Group, type Action,
} from "./cdl/groups.ts";
export { checkEquivariance, type EquivarianceOptions, type EquivarianceReport } from "./cdl/equivariance.ts";
export { perElement, sumPool, meanPool, broadcast, deepSetsLayer, deepSets } from "./cdl/sets.ts";
export { aggregate, messagePassing } from "./cdl/graph.ts";
export { indexMap, tying, circulantIndex, circularConv1d, circularConv2d, type ConvOptions } from "./cdl/circulant.ts";
export { StructuredLearner, type Bucket, type StructuredOptions, type StructuredFitOptions } from "./cdl/learner.ts";

// Boolean and polynomial circuits over Z2: the base category, its backends, circuits, layers, learning
export { type Z2Ops, sumBits } from "./z2/ops.ts";
export { z2Reference, refBits, type RefBits } from "./z2/reference.ts";
export { BitTensor } from "./z2/bits.ts";
export { compileZ2, initBits, type Z2Plan, type Z2CompileOptions, type Z2PassStats } from "./z2/compile.ts";
export {
  circuit, circuitLens, circuitPara, randomCircuit, CircuitBuilder, Gate, type Circuit, type GateOp, type RandomCircuitOptions,
} from "./z2/circuit.ts";
export { xorGate, andGate, notGate, selectBits, splitBits, joinBits, paramGate, randomBits } from "./z2/gates.ts";
export { lut } from "./z2/lut.ts";
export { popcountThreshold, pseudoLinear, maskedMajority, type ThresholdCoefficients } from "./z2/threshold.ts";
export { bruteForceReverse, exampleFunction, exampleReverse, truthTable } from "./z2/oracle.ts";
export {
  polynomial, parsePolynomial, formatPolynomial, polynomialCircuit, type Polynomial, type Monomial, type PolynomialSystem,
} from "./z2/polynomial.ts";
export { xorLoss, identityRate, rdaUpdate, rdaLens, anyBit } from "./z2/learning.ts";
export { rda, RdaLearner, type BitRows, type RdaFitOptions, type RdaHistory } from "./z2/learner.ts";
