import { linear } from "./linear.ts";
import { bias } from "./bias.ts";
import { dense } from "./dense.ts";
import { sigmoid, tanh, relu, leakyRelu, softmax } from "./activations.ts";
import { exp, log, sqrt, rsqrt, neg, abs, square, erf } from "../ops/unary.ts";
import { elementwise, where } from "../ops/binary.ts";
import { reduceSum, reduceMean, reduceMax } from "../ops/reduce.ts";
import { affine } from "./affine.ts";
import { gelu } from "./gelu.ts";
import { silu } from "./silu.ts";
import { layerNorm } from "./layerNorm.ts";
import { batchNorm } from "./batchNorm.ts";
import { embedding, positionalEmbedding, unembedding } from "./embedding.ts";
import { tokenLinear } from "./tokenLinear.ts";
import { dropout } from "./dropout.ts";
import { attention } from "./attention.ts";
import { residual, transformerBlock, transformer } from "./transformer.ts";
import { conv2d } from "./conv2d.ts";
import { maxPool2d } from "./maxPool2d.ts";
import { avgPool2d } from "./avgPool2d.ts";
import { flatten } from "./flatten.ts";
import { reshape } from "./reshape.ts";

/**
 * Every layer constructor: dense and convolutional layers, activations, the
 * unary, binary and reducing ops that serve as layers, normalisation,
 * embeddings, attention and transformers, pooling and reshaping. Each returns
 * a Para (or a shape-polymorphic layer) to compose with `seq` and `par`.
 *
 * @example
 * ```ts
 * const model = seq(layers.dense(4, 16), layers.gelu, layers.dense(16, 3));
 * model.cod;  // [[3]]
 * ```
 *
 * @namespace
 * @category Layers
 */
export const layers = {
  linear, bias, dense, sigmoid, tanh, relu, leakyRelu, softmax, exp, log, sqrt, rsqrt, neg, abs, square, erf,
  elementwise, where, reduceSum, reduceMean, reduceMax, affine, gelu, silu, layerNorm, batchNorm, embedding,
  positionalEmbedding, unembedding, tokenLinear, dropout, attention, residual, transformerBlock, transformer, conv2d,
  maxPool2d, avgPool2d, flatten, reshape,
} as const;
