// The one list of the real base category's primitive operations. The wasm
// planner, the float64 reference, the ONNX exporter and the RealOps type are
// all built from it: an op added here is at once a method of every backend,
// and nowhere else.
//
// Most other ops are in groups that the modules calling them bring:
// convolution, pooling, attention (with embeddings and dropout), batch
// normalization, the
// elementary functions, products of wires, and each optimiser's update. Each module that calls an op
// of a group registers the group when it is loaded (registerOps; a test reads
// the sources to hold every module to it), so a bundle of a program that uses
// none of them carries none of their ops (~4 KB of a web bundle, gzipped).
// The RealOps type has them all; a backend asked for one that no loaded
// module registered says what brings it.
import type { Carrier } from "../algebra/category.ts";
import { ParalensError } from "../engine/errors.ts";
import type { OpsOf } from "./op.ts";
import { loadedOps, registerOps } from "./registry.ts";
import { elementwiseOps } from "./elementwise.ts";
import { activationOps } from "./activations.ts";
import { linearOps } from "./linear.ts";
import { softmaxOps } from "./softmax.ts";
import { lossOps } from "./losses.ts";
import { optimiserOps } from "./optimisers.ts";
import type { convOps } from "./conv/conv2d.ts";
import type { poolOps } from "./conv/pool.ts";
import type { attentionOps } from "./attention.ts";
import type { batchNormOps } from "./batchNorm.ts";
import type { unaryOps } from "./unary.ts";
import { binaryOps } from "./binary.ts";
import type { wireOps } from "./wires.ts";
import type { adagradOps, adamOps, momentumOps, rmspropOps, scheduledSgdOps } from "./optimisers.ts";

/** The ops every backend always has. */
export const primitives = {
  ...elementwiseOps,
  // broadcasting arithmetic: what a lens written by hand reaches for first
  ...binaryOps,
  ...activationOps,
  ...linearOps,
  ...softmaxOps,
  ...lossOps,
  ...optimiserOps,
};

const unary = "the function of the same name";
const wires = "reshape (or flatten, and the products of wires)";
/** The groups, by op name: what a program imports (from "paralens") to have the op. */
const groups = {
  conv2d: "the conv2d layer", conv2dInputGrad: "the conv2d layer", conv2dFilterGrad: "the conv2d layer",
  maxPool2d: "the maxPool2d layer", maxPool2dReverse: "the maxPool2d layer", avgPool2d: "the avgPool2d layer", avgPool2dReverse: "the avgPool2d layer",
  splitHeads: "the attention layer", mergeHeads: "the attention layer", causalSoftmax: "the attention layer",
  gatherRows: "the embedding layer", scatterAddRows: "the embedding layer", setRows: "the transformer decoder (Decoder, decoderMachine)", dropout: "the dropout layer",
  isTraining: "the batchNorm layer", batchNormInference: "the batchNorm layer",
  exp: unary, log: unary, sqrt: unary, rsqrt: unary, neg: unary, abs: unary, square: unary, erf: unary, sign: unary,
  reshape: wires, concatColumns: wires, sliceColumns: wires, gather: wires, scatterAdd: wires,
  scheduledSgdStep: "sgd({ lr })", momentumStep: "momentum (or nesterov)", adagradStep: "adagrad", rmspropStep: "rmsprop",
  adamStep: "adam (or adamw, scaleByAdam)",
} as const satisfies Record<keyof (typeof convOps & typeof poolOps & typeof attentionOps & typeof batchNormOps & typeof unaryOps & typeof wireOps & OptimiserGroups), string>;

registerOps(primitives);
export { registerOps, loadedOps };

/** The ops of Z2Ops (z2/ops.ts) that the reals do not have. */
const z2Only = ["xor", "and", "not", "ones", "pick", "join", "spread", "collect"] as const;

/**
 * `methods` as a backend's RealOps: an op of a group that no loaded module
 * registered is a clear error instead of "not a function" (only a bundle
 * that left its layer out can lack one).
 */
export function backendOps(methods: Record<string, unknown>, backend: string): RealOps {
  const missing = Object.keys(groups).filter((name) => !(name in methods));
  for (const name of missing) {
    methods[name] = () => {
      throw new ParalensError(
        `${backend}: the op ${name} is not loaded: it comes with ${groups[name as keyof typeof groups]}, whose ops are registered when one is made: make one in the program that uses it, before the plan`,
      );
    };
  }
  // a lens over Boolean circuits (paralens/z2) calls these: nothing else marks its carrier
  for (const name of z2Only) {
    if (name in methods) continue;
    methods[name] = () => {
      throw new ParalensError(
        `${backend}: the lens calls ${name}, an op of Boolean circuits (Z2Ops), not of the reals: a lens from paralens/z2 is compiled with compileZ2 (import { compileZ2 } from "paralens/z2"), or run on z2Reference`,
      );
    };
  }
  return methods as unknown as RealOps;
}

/**
 * The base category of the reals: what lenses over it may compute with.
 * Matrices are row-major; a batched value has the batch as its first axis,
 * and row-wise operations (softmax, losses) treat each row as one example.
 *
 * @category Backends
 */
export type RealOps = Carrier &
  OpsOf<typeof primitives & typeof convOps & typeof poolOps & typeof attentionOps & typeof batchNormOps & typeof unaryOps & typeof wireOps & OptimiserGroups>;

/** The optimisers' updates beyond p + d, each its factory's group. */
export type OptimiserGroups = typeof scheduledSgdOps & typeof momentumOps & typeof adagradOps & typeof rmspropOps & typeof adamOps;
