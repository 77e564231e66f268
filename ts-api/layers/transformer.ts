import { type AnyShape, type Para, anyShape, layerArgument, resolve } from "../algebra/para.ts";
import { par, seq, seqOf } from "../algebra/compose.ts";
import { tie } from "../algebra/reparam.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { add, copy, id } from "../algebra/structure.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import { attention } from "./attention.ts";
import { dropout } from "./dropout.ts";
import { embedding, positionalEmbedding, smallNormal, unembedding } from "./embedding.ts";
import { gelu } from "./gelu.ts";
import { layerNorm } from "./layerNorm.ts";
import { tokenLinear } from "./tokenLinear.ts";

/**
 * residual(f): x + f(x), drawn as the paper draws it: copy ; (f x id) ; add.
 * The copy's reverse adds the change through f to the change around it.
 *
 * @example
 * ```ts
 * const skip = residual(seq(layerNorm(), attention({ heads: 4, causal: true })));
 * ```
 *
 * @category Layers
 */
export function residual(f: AnyShape<boolean> | Para<Wires, Wires>): AnyShape<true> {
  layerArgument("residual", f);
  return anyShape(`residual(${f.name})`, true, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`residual(${f.name}): acts on one wire, got ${fmtWires(dom)}`);
    const x = dom[0]!;
    // one layer named for what it does, which opens into the copy, f beside the identity, and the sum
    return { ...(seqOf([copy(x), par(resolve(f, dom), id(x)), add(x)]) as Para<Wires, Wires>), name: `residual(${f.name})` };
  });
}

/**
 * The size of a decoder-only transformer: vocabulary, context, width, heads and blocks.
 *
 * @category Layers
 */
export interface TransformerOptions {
  vocab: number;
  /** Sequence length T the model reads (and the positional table's rows). */
  context: number;
  /** Width d of the residual stream. */
  dim: number;
  heads: number;
  layers: number;
  /** Hidden width of each MLP as a multiple of dim (default 4). */
  expansion?: number;
  /** Dropout after each attention and MLP, in training plans only (default 0). */
  dropout?: number;
  /** Seeds the dropout masks (default 0). */
  seed?: number;
  /** Tie the output projection to the embedding table (default true). */
  tied?: boolean;
}

/**
 * transformerBlock(d, heads): the pre-norm block of GPT-2 (Radford et al.,
 * 2019): x + attn(ln(x)), then x + mlp(ln(x)), each a residual(), the
 * attention causal and the MLP tokenLinear(d, 4d) ; gelu ; tokenLinear(4d, d).
 *
 * @example
 * ```ts
 * const block = layers.transformerBlock(64, 4);   // [[T, 64]] -> [[T, 64]]
 * ```
 *
 * @category Layers
 */
export function transformerBlock(d: number, heads: number, options: { expansion?: number; dropout?: number; seed?: number } = {}): AnyShape<false> {
  optionsArgument("transformerBlock", options);
  if (!Number.isInteger(d) || d < 1) throw new ParalensError(`transformerBlock: d must be a whole number >= 1, got ${describe(d)}`);
  const { expansion = 4, dropout: rate = 0, seed = 0 } = options;
  if (typeof expansion !== "number" || !(expansion > 0) || !Number.isFinite(expansion)) {
    throw new ParalensError(`transformerBlock: expansion must be a finite number > 0, got ${describe(expansion)}`);
  }
  const hidden = Math.round(d * expansion);
  const after = (k: number): AnyShape<true>[] => (rate > 0 ? [dropout(rate, seed * 2 + k)] : []);
  const attend = seq(layerNorm(), attention({ heads, causal: true }), ...after(0));
  const mlp = seq(layerNorm(), tokenLinear(d, hidden, { init: smallNormal }), gelu, tokenLinear(hidden, d, { init: smallNormal }), ...after(1));
  return seq(residual(attend), residual(mlp));
}

/**
 * transformer({ vocab, context, dim, heads, layers }): a decoder-only
 * character model [T] (token ids) -> [T, vocab] (logits of the next token at
 * every position): embedding ; positionalEmbedding ; blocks ; layerNorm ;
 * unembedding, with the output projection tied to the embedding table by
 * `tie` (one parameter "0.table"; its change is the sum of both uses'),
 * unless `tied` is false.
 *
 * @example
 * ```ts
 * const model = transformer({ vocab: 65, context: 64, dim: 64, heads: 4, layers: 2 });
 * ```
 *
 * @category Layers
 */
export function transformer(options: TransformerOptions): Para<Wires, Wires> {
  optionsArgument("transformer", options);
  const { vocab, context, dim, heads, layers, expansion, dropout: rate, seed = 0, tied = true } = options;
  if (!Number.isInteger(layers) || layers < 0) throw new ParalensError(`transformer: layers must be a whole number >= 0, got ${describe(layers)}`);
  const input: Shape = [context];
  const blocks = Array.from({ length: layers }, (_, i) => transformerBlock(dim, heads, { expansion, dropout: rate, seed: seed * 1000 + i }));
  const untied = seqOf([
    resolve(embedding(vocab, dim), [input]),
    positionalEmbedding(context, dim),
    ...blocks,
    layerNorm(),
    unembedding(vocab, dim),
  ]) as Para<Wires, Wires>;
  const out = `${layers + 3}.weight`;
  return { ...(tied ? tie(untied, [["0.table", out]]) : untied), name: `transformer(${layers} x ${dim}, ${heads} heads, vocab ${vocab}, context ${context})` };
}
