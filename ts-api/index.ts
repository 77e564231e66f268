/**
 * paralens: deep learning from parametric lenses, models, losses and
 * optimisers as composable Para(Lens) maps on a WebAssembly SIMD core. This
 * file is the one list of its public names: the everyday ones at the root
 * (the engine, composition, the common layers, losses and optimisers, the
 * learner, serving, showing and compiling a model), every public type, and
 * every other value in a namespace: `layers`, `losses`, `optimisers`,
 * `initialisers`, `wires`, `learning`, `serve`, `show` and `backends`, each
 * an object with its own list.
 *
 * @module paralens
 */

// engine
export { Engine, type EngineStats, type SimdMode, type Threads } from "./engine/engine.ts";
export { init, engine, type InitOptions } from "./engine/init.ts";
export { Tensor } from "./engine/tensor.ts";
export { ParalensError } from "./engine/errors.ts";

// the algebra: objects, Para(Lens), composition, reparameterisation
export type { Shape, Wires, WiresAgree, Times } from "./algebra/shapes.ts";
export type { Value, Change, Carrier } from "./algebra/category.ts";
export type { RealOps } from "./ops/index.ts";
export { para, lens, anyShape, type Para, type Lens, type AnyShape, type Layer, type ParamSpec, type ParaSpec } from "./algebra/para.ts";
export type { Parts } from "./algebra/parts.ts";
export { seq, par, type Chain, type Seq, type SeqOf, type ShapeMismatch } from "./algebra/compose.ts";
export { reparam, tie, type Reparameterisation } from "./algebra/reparam.ts";
export { frozen } from "./algebra/input.ts";

// the everyday layers (every layer, these among them, is in `layers`)
export { dense } from "./layers/dense.ts";
export { conv2d, type Conv2dOptions } from "./layers/conv2d.ts";
export { maxPool2d } from "./layers/maxPool2d.ts";
export { flatten } from "./layers/flatten.ts";
export { layerNorm, type LayerNormOptions } from "./layers/layerNorm.ts";
export type { BatchNormOptions } from "./layers/batchNorm.ts";
export { embedding } from "./layers/embedding.ts";
export { attention, type AttentionOptions } from "./layers/attention.ts";
export { residual, transformer, type TransformerOptions } from "./layers/transformer.ts";

// the everyday losses and optimisers (each also in `losses` or `optimisers`)
export { mse, softmaxCrossEntropy, type Loss } from "./losses/losses.ts";
export type { Rate } from "./losses/rates.ts";
export type { Optimiser } from "./optimisers/optimiser.ts";
export { sgd, adam } from "./optimisers/optimisers.ts";
export { adamw } from "./optimisers/transforms.ts";
export type { Initialiser } from "./init/initialisers.ts";

// learning, serving, showing and compiling a model
export {
  supervised, Learner, type SupervisedOptions, type CommonFitOptions, type FitOptions, type History, type EpochReport, type BatchReport, type Evaluation,
} from "./learner/learner.ts";
export type { Data } from "./learner/data.ts";
export { predictor, type PredictorStats, type ModelWithParameters } from "./serve/predictor.ts";
export type { BatchingOptions } from "./serve/options.ts";
export { summary, type Summary, type SummaryRow, type SummaryOptions } from "./show/summary.ts";
export { compile, type Compiled, type CompiledStats, type CompileOptions, type NonFiniteSite } from "./backend/compile.ts";

// the namespaces: every other value, by kind, each namespace a plain object whose file lists
// it. A bundler drops an object a program does not use, and what only that object names; a
// module namespace (`export * as`) in a pre-bundled build (dist/bundle, dist/edge) it keeps.
export { layers } from "./layers/index.ts";
export { losses } from "./losses/index.ts";
export { optimisers } from "./optimisers/index.ts";
export { initialisers } from "./init/index.ts";
export { wires } from "./wires.ts";
export { learning } from "./learning.ts";
export { serve } from "./serve/index.ts";
export { show } from "./show/index.ts";
export { backends } from "./backend/index.ts";

// the types of the namespaces' values; a class's type is here, the class in its namespace
export type { ActivationName } from "./layers/activations.ts";
export type { BinaryName } from "./ops/binary.ts";
export type { Padding, Pair } from "./ops/conv/window.ts";
export type { StateWire } from "./optimisers/optimiser.ts";
export type { Transform } from "./optimisers/chain.ts";
export type { Schedule, StepSize } from "./optimisers/schedules.ts";
export type { ProjectedOptions } from "./optimisers/sign.ts";
export type { Builder, Wire } from "./algebra/diagram.ts";
export type { LearningParts } from "./learner/supervised.ts";
export type { InputOptions } from "./algebra/input.ts";
export type { OnlineOptions, OnlineStats, CheckpointOptions } from "./serve/online.ts";
export type { CheckpointFile } from "./serve/checkpoint-file.ts";
export type { SamplingOptions } from "./cdl/decoder.ts";
export type { SVGOptions } from "./show/svg.ts";
export type { RefTensor } from "./backend/reference.ts";
export type { Rng } from "./init/random.ts";
export type { Predictor } from "./serve/predictor.ts";
export type { OnlineLearner } from "./serve/online.ts";
export type { Decoder } from "./cdl/decoder.ts";
export type { DivergenceError, LossSpikeError } from "./learner/divergence.ts";
export type { Plan } from "./backend/plan.ts";

// Architectures as (co)algebras, Boolean circuits over Z2 and files have their own entry points:
// "paralens/cdl" (ts-api/cdl/index.ts), "paralens/z2" (ts-api/z2/index.ts) and "paralens/io" (ts-api/io/index.ts).
