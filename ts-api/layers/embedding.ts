import type { Value } from "../algebra/category.ts";
import { type AnyShape, type Para, anyShape, para } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, fmtWires, optionsArgument } from "../engine/errors.ts";
import { type Initialiser, normal } from "../init/initialisers.ts";
import { parameterised } from "../ops/binary.ts";
import { positive } from "./linear.ts";
import { bringOps } from "../ops/registry.ts";
import { attentionOps } from "../ops/attention.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps, () => attentionOps];

/** GPT-2's initial spread for embeddings and projections (Radford et al., 2019). */
export const smallNormal: Initialiser = normal(0, 0.02);

/**
 * embedding(vocab, d): a sequence of token ids [T] (whole numbers as floats)
 * to their rows of a learned table [vocab, d], giving [T, d]. Forward is a
 * gather; reverse a scatter-add into the table's change (a token used twice
 * gets both changes). The ids get no change: they are indices, not
 * quantities. An id outside [0, vocab) reads a zero row.
 *
 * @example
 * ```ts
 * const embed = embedding(65, 32);   // [[16]] -> [[16, 32]] at seq length 16; parameter "table" [65, 32]
 * ```
 *
 * @category Layers
 */
export function embedding(vocab: number, d: number, options: { init?: Initialiser } = {}): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("embedding", options);
  positive("embedding", vocab, d);
  return anyShape(`embedding(${vocab}, ${d})`, false, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`embedding(${vocab}, ${d}): takes one wire of token ids, got ${fmtWires(dom)}`);
    return para<Wires, Wires, Value>({
      name: `embedding(${vocab}, ${d})`,
      dom,
      cod: [[...dom[0]!, d]],
      params: [{ name: "table", shape: [vocab, d], init: options.init ?? smallNormal, role: "parameter" }],
      forward: (ops, [table], [ids]) => [[ops.gatherRows(table!, ids!)], ids!],
      reverse: (ops, ids, [dy]) => [[ops.scatterAddRows(dy!, ids, vocab)], [null]],
    });
  });
}

/**
 * positionalEmbedding(context, d): adds a learned row per position to a
 * sequence [T, d] (T = context), parameter "table" [context, d]. It is the
 * parameterised addition, so its reverse sums the change over the batch.
 *
 * @example
 * ```ts
 * const model = seq(embedding(65, 32).at([16]), layers.positionalEmbedding(16, 32));
 * ```
 *
 * @category Layers
 */
export function positionalEmbedding(context: number, d: number, options: { init?: Initialiser } = {}): Para<Wires, Wires> {
  bringOps(OPS);
  optionsArgument("positionalEmbedding", options);
  positive("positionalEmbedding", context, d);
  const shape: Shape = [context, d];
  const f = parameterised("add", shape, { name: "table", shape, init: options.init ?? smallNormal, role: "parameter" }).at([shape]);
  return { ...f, name: `positionalEmbedding(${context}, ${d})` };
}

/**
 * unembedding(vocab, d): [..., d] -> [..., vocab], x W^T with W [vocab, d]:
 * the output projection whose weight has the embedding table's shape, so
 * `tie` can make the two one parameter (Press and Wolf, 2017).
 * Reverse: dx = dy W and dW = dy^T x, summed over every row.
 *
 * @example
 * ```ts
 * const logits = layers.unembedding(65, 32);   // parameter "weight" [65, 32]
 * ```
 *
 * @category Layers
 */
export function unembedding(vocab: number, d: number, options: { init?: Initialiser } = {}): AnyShape<false> {
  bringOps(OPS);
  optionsArgument("unembedding", options);
  positive("unembedding", vocab, d);
  return anyShape(`unembedding(${vocab}, ${d})`, false, (dom) => {
    const shape = dom[0];
    if (dom.length !== 1 || shape === undefined || shape[shape.length - 1] !== d) {
      throw new ParalensError(`unembedding(${vocab}, ${d}): takes one wire [..., ${d}], got ${fmtWires(dom)}`);
    }
    const cod = [...shape.slice(0, -1), vocab];
    return para<Wires, Wires, { x: Value; w: Value; n: number }>({
      name: `unembedding(${vocab}, ${d})`,
      dom,
      cod: [cod],
      params: [{ name: "weight", shape: [vocab, d], init: options.init ?? smallNormal, role: "parameter" }],
      forward(ops, [w], [x]) {
        const n = ops.shape(x!)[0]!;
        const rows = ops.reshape(x!, [ops.shape(x!).reduce((a, b) => a * b, 1) / d, d]);
        return [[ops.reshape(ops.matmul(rows, w!, false, true), [n, ...cod])], { x: rows, w: w!, n }];
      },
      reverse(ops, { x, w, n }, [dy]) {
        const g = ops.reshape(dy!, [ops.shape(x)[0]!, vocab]);
        return [[ops.matmul(g, x, true, false)], [ops.reshape(ops.matmul(g, w, false, false), [n, ...shape])]];
      },
    });
  });
}
