// paralens: the one list of public names.

// engine
export { init, engine, Engine, type InitOptions, type SimdMode } from "./engine/engine.ts";
export { Tensor } from "./engine/tensor.ts";
export { ParalensError } from "./engine/errors.ts";

// the algebra: objects, Para(Lens), composition, structure, reparameterisation
export type { Shape, Wires, WiresAgree, Times } from "./algebra/shapes.ts";
export type { Value, Change, Carrier } from "./algebra/category.ts";
export { para, lens, poly, type Para, type Lens, type Poly, type Layer, type ParamSpec, type ParaSpec } from "./algebra/para.ts";
export { seq, par, type Chain, type Seq } from "./algebra/compose.ts";
export { wire, id, copy, discard, swap, add, tap } from "./algebra/structure.ts";
export { reparam, tie, type Reparameterisation } from "./algebra/reparam.ts";

// the reals: backends and compiled plans
export type { RealOps, Activation } from "./backend/ops.ts";
export { reference, refTensor, type RefTensor } from "./backend/reference.ts";
export { compile, initParams, type Compiled, type CompileOptions } from "./backend/compile.ts";

// layers
export { linear } from "./layers/linear.ts";
export { bias } from "./layers/bias.ts";
export { dense } from "./layers/dense.ts";
export { sigmoid, tanh, relu, leakyRelu, softmax, type ActivationName } from "./layers/activations.ts";

// convolution and pooling
export { conv2d, type Conv2dOptions } from "./layers/conv2d.ts";
export { maxPool2d } from "./layers/maxPool2d.ts";
export { avgPool2d } from "./layers/avgPool2d.ts";
export { flatten } from "./layers/flatten.ts";
export { reshape } from "./layers/reshape.ts";
export { window2d, type Window2d, type Padding, type Pair } from "./backend/conv/window.ts";

// learning
export { mse, softmaxCrossEntropy, binaryCrossEntropy, dotProduct, type Loss } from "./losses/losses.ts";
export { constantRate, lossScaledRate, type Rate } from "./losses/rates.ts";
export { optimiser, type Optimiser, type StateWire } from "./optimisers/optimiser.ts";
export { sgd, momentum, nesterov, adagrad, rmsprop, adam } from "./optimisers/optimisers.ts";
export { supervisedLens, type LearningParts } from "./learner/supervised.ts";
export {
  supervised, Learner, type SupervisedOptions, type FitOptions, type History, type EpochReport, type BatchReport, type Evaluation,
} from "./learner/learner.ts";
export { oneHot, type Data } from "./learner/data.ts";

// initialisation
export { Rng } from "./init/random.ts";
export {
  zeros, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal, type Initialiser,
} from "./init/initialisers.ts";
