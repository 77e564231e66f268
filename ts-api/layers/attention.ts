import type { Value } from "../algebra/category.ts";
import { type AnyShape, anyShape, para } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import type { Initialiser } from "../init/initialisers.ts";
import type { RealOps } from "../ops/index.ts";
import { bringOps } from "../ops/registry.ts";
import { smallNormal } from "./embedding.ts";
import { attentionOps } from "../ops/attention.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps, () => attentionOps];

/**
 * The shape of multi-head attention: the number of heads (dividing the width) and whether a token may attend to later ones.
 *
 * @category Layers
 */
export interface AttentionOptions {
  heads: number;
  /** Position i attends to positions 0..i only (default false). */
  causal?: boolean;
  /** Initialiser of the four [d, d] projections (default normal(0, 0.02)). */
  init?: Initialiser;
}

interface Kept {
  x: Value; q: Value; k: Value; v: Value; p: Value; o: Value;
  w: Value[]; n: number; t: number;
}

/**
 * attention({ heads, causal }): multi-head scaled dot-product self-attention
 * on a sequence [T, d] (Vaswani et al., 2017): q, k, v = x Wq, x Wk, x Wv;
 * per head softmax(q k^T / sqrt(d / heads)) v; the heads side by side, then
 * Wo. Parameters "query", "key", "value", "output", each [d, d] (no biases).
 * Built from batched matrix products (heads are moved into the batch axis),
 * a softmax over each row of scores, and under `causal` the fused causal
 * softmax, whose masked weights are exact zeros. The reverse pass is the
 * parts' reverses: softmax's y (dy - <dy, y>) and the products' transposes.
 *
 * @example
 * ```ts
 * const mix = attention({ heads: 4, causal: true });   // [[T, 64]] -> [[T, 64]]
 * ```
 *
 * @category Layers
 */
export function attention(options: AttentionOptions): AnyShape<true> {
  bringOps(OPS);
  optionsArgument("attention", options);
  const { heads, causal = false } = options;
  if (!Number.isInteger(heads) || heads < 1) throw new ParalensError(`attention: heads must be a whole number >= 1, got ${describe(heads)}`);
  const name = `attention(${heads} heads${causal ? ", causal" : ""})`;
  return anyShape(name, true, (dom) => {
    const shape = dom[0];
    if (dom.length !== 1 || shape?.length !== 2 || shape[1]! % heads !== 0) {
      throw new ParalensError(`${name}: takes one wire [T, d] with d a multiple of ${heads}, got ${fmtWires(dom)}`);
    }
    const [t, d] = shape as [number, number];
    const scale = 1 / Math.sqrt(d / heads);
    const spec = (n: string) => ({ name: n, shape: [d, d], init: options.init ?? smallNormal, role: "parameter" as const });
    const rowsOf = (ops: RealOps, v: Value, n: number): Value => ops.reshape(v, [n * t, d]);
    const seqOf = (ops: RealOps, v: Value, n: number): Value => ops.reshape(v, [n, t, d]);
    const softmaxRows = (ops: RealOps, s: Value, n: number): Value =>
      causal ? ops.causalSoftmax(s) : ops.reshape(ops.softmax(ops.reshape(s, [n * heads * t, t])), [n * heads, t, t]);
    return para<Wires, Wires, Kept>({
      name,
      dom,
      cod: dom,
      params: ["query", "key", "value", "output"].map(spec),
      forward(ops, w, [input]) {
        const n = ops.shape(input!)[0]!;
        const x = rowsOf(ops, input!, n);
        const [q, k, v] = w.slice(0, 3).map((wi) => ops.splitHeads(seqOf(ops, ops.matmul(x, wi!, false, false), n), heads)) as [Value, Value, Value];
        const p = softmaxRows(ops, ops.scale(ops.batchMatmul(q, k, false, true), scale), n);
        const o = rowsOf(ops, ops.mergeHeads(ops.batchMatmul(p, v, false, false), heads), n);
        return [[seqOf(ops, ops.matmul(o, w[3]!, false, false), n)], { x, q, k, v, p, o, w: [...w], n, t }];
      },
      reverse(ops, { x, q, k, v, p, o, w, n }, [dy]) {
        const g = rowsOf(ops, dy!, n);
        const dOut = ops.matmul(o, g, true, false);
        const dO = ops.splitHeads(seqOf(ops, ops.matmul(g, w[3]!, false, true), n), heads);
        const dv = ops.batchMatmul(p, dO, true, false);
        const dp = ops.batchMatmul(dO, v, false, true);
        const ds = ops.scale(ops.reshape(ops.softmaxReverse(ops.reshape(p, [n * heads * t, t]), ops.reshape(dp, [n * heads * t, t])), [n * heads, t, t]), scale);
        const dq = ops.batchMatmul(ds, k, false, false);
        const dk = ops.batchMatmul(ds, q, true, false);
        const joined = [dq, dk, dv].map((dh) => rowsOf(ops, ops.mergeHeads(dh, heads), n));
        const dW = joined.map((dj) => ops.matmul(x, dj, true, false));
        const dx = joined.map((dj, i) => ops.matmul(dj, w[i]!, false, true)).reduce((a, b) => ops.add(a, b));
        return [[...dW, dOut], [seqOf(ops, dx, n)]];
      },
    });
  });
}
