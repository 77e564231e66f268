/**
 * paralens: deep learning from parametric lenses, models, losses and
 * optimisers as composable Para(Lens) maps on a WebAssembly SIMD core. This
 * file is the one list of its public names: layers, composition, losses,
 * optimisers, learners, initialisers, serving, showing a model, the engine
 * and its backends, by category.
 *
 * @module paralens
 */

// engine
export { init, engine, Engine, type EngineStats, type InitOptions, type SimdMode, type Threads } from "./engine/engine.ts";
export { Tensor } from "./engine/tensor.ts";
export { ParalensError } from "./engine/errors.ts";

// the algebra: objects, Para(Lens), composition, structure, reparameterisation
export type { Shape, Wires, WiresAgree, Times } from "./algebra/shapes.ts";
export type { Value, Change, Carrier } from "./algebra/category.ts";
export { para, lens, anyShape, resolve, type Para, type Lens, type AnyShape, type Layer, type ParamSpec, type ParaSpec } from "./algebra/para.ts";
export type { Parts } from "./algebra/parts.ts";
export { seq, seqOf, par, type Chain, type Seq, type SeqOf, type ShapeMismatch } from "./algebra/compose.ts";
export { wire, id, copy, discard, swap, add, tap } from "./algebra/structure.ts";
export { reparam, tie, type Reparameterisation } from "./algebra/reparam.ts";
export { inputAsParameter, learnInput, frozen, type InputOptions } from "./algebra/input.ts";

// the reals: backends and compiled plans
export type { RealOps } from "./ops/index.ts";
export { reference, refTensor, type RefTensor } from "./backend/reference.ts";
export { compile, initParams, type Compiled, type CompiledStats, type CompileOptions, type NonFiniteSite } from "./backend/compile.ts";
export type { Plan } from "./backend/plan.ts";

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

// sequences and attention
export { embedding, positionalEmbedding, unembedding } from "./layers/embedding.ts";
export { tokenLinear } from "./layers/tokenLinear.ts";
export { dropout } from "./layers/dropout.ts";
export { attention, type AttentionOptions } from "./layers/attention.ts";
export { residual, transformerBlock, transformer, type TransformerOptions } from "./layers/transformer.ts";
export { tokenCrossEntropy } from "./layers/tokenCrossEntropy.ts";
export { decoderMachine, Decoder, sampleToken, type SamplingOptions } from "./cdl/decoder.ts";

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
export { l2Penalty, totalVariation } from "./losses/penalties.ts";
export { optimiser, type Optimiser, type StateWire } from "./optimisers/optimiser.ts";
export { sgd, momentum, nesterov, adagrad, rmsprop, adam } from "./optimisers/optimisers.ts";
export { chain, transform, type Transform } from "./optimisers/chain.ts";
export { clipByGlobalNorm, weightDecay, scaleByAdam, adamw, partition } from "./optimisers/transforms.ts";
export {
  constantSchedule, linearWarmup, cosineDecay, stepDecay, exponentialDecay, joinSchedules, type Schedule, type StepSize,
} from "./optimisers/schedules.ts";
export { ascend } from "./optimisers/ascend.ts";
export { signGradient, projectedSignGradient, type ProjectedOptions } from "./optimisers/sign.ts";
export { clipParameters } from "./optimisers/clip.ts";
export { supervisedLens, scoringLens, type LearningParts } from "./learner/supervised.ts";
export {
  supervised, Learner, type SupervisedOptions, type CommonFitOptions, type FitOptions, type History, type EpochReport, type BatchReport, type Evaluation,
} from "./learner/learner.ts";
export { oneHot, type Data } from "./learner/data.ts";
export { DivergenceError, LossSpikeError } from "./learner/divergence.ts";

// serving
export { predictor, Predictor, type PredictorStats, type ModelWithParameters } from "./serve/predictor.ts";
export type { BatchingOptions } from "./serve/options.ts";
export { online, OnlineLearner, type OnlineOptions, type OnlineStats, type CheckpointOptions } from "./serve/online.ts";
export { checkpointFile, type CheckpointFile } from "./serve/checkpoint-file.ts";
// files and other libraries' formats have their own entry point: "paralens/io" (ts-api/io/index.ts)

// initialisation
export { Rng } from "./init/random.ts";
export {
  zeros, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal, type Initialiser,
} from "./init/initialisers.ts";

// string diagrams and products of wires (gated cells, unrolled sequences, blocks are drawn with them)
export { diagram, type Builder, type Wire } from "./algebra/diagram.ts";
export { multiply, subtract, concat, split, stack, unstack, sumWires, scaled } from "./ops/wire-lenses.ts";

// showing a model: its lenses with shapes and sizes, and its string diagram
export { summary, type Summary, type SummaryRow, type SummaryOptions } from "./show/summary.ts";
export { toSVG, type SVGOptions } from "./show/svg.ts";

// Architectures as (co)algebras and Boolean circuits over Z2 have their own entry points:
// "paralens/cdl" (ts-api/cdl/index.ts) and "paralens/z2" (ts-api/z2/index.ts).
