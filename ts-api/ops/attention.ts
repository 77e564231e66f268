// The ops attention and token models need beyond matrix products: moving
// heads in and out of the batch axis (block copies, no arithmetic), the
// causal softmax (fused: masked weights are exact zeros, assembly/attention.ts),
// embedding lookup by token id and its scatter-add reverse, and dropout's
// hashed mask. Each keeps its float64 reference beside its lowering.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";
import { op } from "./op.ts";
import { type RefTensor, mapRef, refTensor, sizeOf } from "./ref-tensor.ts";

/** [n, t, heads, width] of x [n, t, heads * width], checked. */
function headDims(what: string, x: Shape, heads: number): [number, number, number, number] {
  if (x.length !== 3 || !Number.isInteger(heads) || heads < 1 || x[2]! % heads !== 0) {
    throw new ParalensError(`${what}: needs [N, T, heads * width] with heads = ${heads} dividing the last axis, got ${fmtShape(x)}`);
  }
  return [x[0]!, x[1]!, heads, x[2]! / heads];
}

/** [n, t, heads, width] of x [n * heads, t, width], checked. */
function mergedDims(x: Shape, heads: number): [number, number, number, number] {
  if (x.length !== 3 || !Number.isInteger(heads) || heads < 1 || x[0]! % heads !== 0) {
    throw new ParalensError(`mergeHeads: needs [N * heads, T, width] with heads = ${heads} dividing the first axis, got ${fmtShape(x)}`);
  }
  return [x[0]! / heads, x[1]!, heads, x[2]!];
}

/** Element offset of (example e, position i, head h, column j) in the split [n*heads, t, w] and joined [n, t, heads*w] layouts. */
const split = (e: number, i: number, h: number, j: number, t: number, heads: number, w: number): number => ((e * heads + h) * t + i) * w + j;
const joined = (e: number, i: number, h: number, j: number, t: number, heads: number, w: number): number => ((e * t + i) * heads + h) * w + j;

function moveHeads(x: RefTensor, shape: Shape, dims: [number, number, number, number], toSplit: boolean): RefTensor {
  const [n, t, heads, w] = dims;
  const out = refTensor(shape);
  for (let e = 0; e < n; e++) for (let i = 0; i < t; i++) for (let h = 0; h < heads; h++) for (let j = 0; j < w; j++) {
    const [a, b] = [split(e, i, h, j, t, heads, w), joined(e, i, h, j, t, heads, w)];
    if (toSplit) out.data[a] = x.data[b]!;
    else out.data[b] = x.data[a]!;
  }
  return out;
}

function checkScores(what: string, x: Shape): [number, number] {
  const t = x[x.length - 1]!;
  if (x.length < 2 || x[x.length - 2] !== t) throw new ParalensError(`${what}: needs square blocks of scores [..., T, T], got ${fmtShape(x)}`);
  return [sizeOf(x) / t, t];
}

function checkEmbedding(table: Shape, ids: Shape): [number, number, number] {
  if (table.length !== 2) throw new ParalensError(`embedding: the table must be [vocab, d], got ${fmtShape(table)}`);
  return [sizeOf(ids), table[1]!, table[0]!];
}

/** The id a float64 reference reads from a token value: its integer part, or -1 outside [0, vocab). */
const tokenId = (v: number, vocab: number): number => (v >= 0 && v < vocab ? Math.trunc(v) : -1);

/** Dropout's hash (assembly/dropout.ts), in 32-bit integer arithmetic: the top 24 bits. */
export function dropoutBits(seed: number, step: number, i: number): number {
  let h = (seed ^ Math.imul(step, 0x85ebca6b) ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 8;
}

/** [ids, row length, table rows] of setRows, or a ParalensError naming the shapes that do not fit. */
function checkSetRows(table: Shape, rows: Shape, ids: Shape): [number, number, number] {
  const n = sizeOf(ids);
  const d = table[table.length - 1] ?? 0;
  if (table.length !== 2 || sizeOf(rows) !== n * d) {
    throw new ParalensError(`setRows: a table [rows, d] and one row of d values per id, got a table ${fmtShape(table)}, rows ${fmtShape(rows)} and ids ${fmtShape(ids)}`);
  }
  return [n, d, table[0]!];
}

/** Token ids (f32 whole numbers) as the int64 indices ONNX's Gather and ScatterND read. */
function int64Ids(g: OnnxContext, ids: OnnxValue): OnnxValue {
  return g.node("Cast", [ids], ids.shape, { to: { int: 7 } }, "int64");
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new ParalensError(`dropout: rate must be in [0, 1), got ${describe(rate)}`);
  return Math.ceil(rate * 2 ** 24);
}

export const attentionOps = {
  /** x [N, T, heads * w] -> [N * heads, T, w]: head h of example e becomes matrix e * heads + h. */
  splitHeads: op<[x: Value, heads: number]>({
    plan(p, x, heads) {
      const [n, t, hs, w] = headDims("splitHeads", x.shape, heads);
      const y = p.out([n * hs, t, w]);
      const run = (): void => {
        for (let e = 0; e < n; e++) for (let h = 0; h < hs; h++) {
          p.core.copyStrided(y.offset + 4 * (e * hs + h) * t * w, w, x.offset + 4 * (e * t * hs * w + h * w), hs * w, t, w);
        }
      };
      p.emit("splitHeads", run, [x], [y]);
      return y;
    },
    reference(x, heads) {
      const dims = headDims("splitHeads", x.shape, heads);
      return moveHeads(x, [dims[0] * dims[2], dims[1], dims[3]], dims, true);
    },
    // [N, T, heads, w] -> [N, heads, T, w]
    onnx(g, x, heads) {
      const [n, t, hs, w] = headDims("splitHeads", x.shape, heads);
      return g.reshape(g.transpose(g.reshape(x, [n, t, hs, w]), [0, 2, 1, 3]), [n * hs, t, w]);
    },
  }),

  /** The inverse of splitHeads: [N * heads, T, w] -> [N, T, heads * w]. */
  mergeHeads: op<[x: Value, heads: number]>({
    plan(p, x, heads) {
      const [n, t, hs, w] = mergedDims(x.shape, heads);
      const y = p.out([n, t, hs * w]);
      const run = (): void => {
        for (let e = 0; e < n; e++) for (let h = 0; h < hs; h++) {
          p.core.copyStrided(y.offset + 4 * (e * t * hs * w + h * w), hs * w, x.offset + 4 * (e * hs + h) * t * w, w, t, w);
        }
      };
      p.emit("mergeHeads", run, [x], [y]);
      return y;
    },
    reference(x, heads) {
      const dims = mergedDims(x.shape, heads);
      return moveHeads(x, [dims[0], dims[1], dims[2] * dims[3]], dims, false);
    },
    onnx(g, x, heads) {
      const [n, t, hs, w] = mergedDims(x.shape, heads);
      return g.reshape(g.transpose(g.reshape(x, [n, hs, t, w]), [0, 2, 1, 3]), [n, t, hs * w]);
    },
  }),

  /** Softmax of each row of square blocks [..., T, T], row i seeing columns 0..i; exact zeros elsewhere. Reverse: softmaxReverse. */
  causalSoftmax: op<[x: Value]>({
    plan(p, x) {
      const [rows, t] = checkScores("causalSoftmax", x.shape);
      const y = p.out(x.shape);
      p.emit("causalSoftmax", () => p.core.causalSoftmax(y.offset, x.offset, rows, t), [x], [y]);
      return y;
    },
    reference(x) {
      const [rows, t] = checkScores("causalSoftmax", x.shape);
      const y = refTensor(x.shape);
      for (let r = 0; r < rows; r++) {
        const n = (r % t) + 1;
        const row = x.data.subarray(r * t, r * t + n);
        const m = Math.max(...row);
        const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
        for (let j = 0; j < n; j++) y.data[r * t + j] = Math.exp(row[j]! - m) / s;
      }
      return y;
    },
    // the mask as an additive constant: -Infinity above the diagonal, whose weights are then exact zeros
    onnx(g, x) {
      const [rows, t] = checkScores("causalSoftmax", x.shape);
      const mask = g.floats(Float32Array.from({ length: t * t }, (_, k) => (k % t > Math.floor(k / t) ? -Infinity : 0)), [t, t]);
      const masked = g.node("Add", [x, mask], x.shape);
      return g.reshape(g.node("Softmax", [g.reshape(masked, [rows, t])], [rows, t], { axis: { int: 1 } }), x.shape);
    },
  }),

  /** Rows of table [vocab, d] picked by token ids (any shape, f32 whole numbers): ids.shape + [d]. An id outside [0, vocab) gives a zero row. */
  gatherRows: op<[table: Value, ids: Value]>({
    plan(p, table, ids) {
      const [n, d, vocab] = checkEmbedding(table.shape, ids.shape);
      const y = p.out([...ids.shape, d]);
      p.emit("gatherRows", () => p.core.gatherRows(y.offset, table.offset, ids.offset, n, d, vocab), [table, ids], [y]);
      return y;
    },
    reference(table, ids) {
      const [n, d, vocab] = checkEmbedding(table.shape, ids.shape);
      const y = refTensor([...ids.shape, d]);
      for (let t = 0; t < n; t++) {
        const id = tokenId(ids.data[t]!, vocab);
        if (id >= 0) y.data.set(table.data.subarray(id * d, (id + 1) * d), t * d);
      }
      return y;
    },
    // (ONNX's Gather refuses an id outside the table, where the plan gives a zero row)
    onnx(g, table, ids) {
      const [, d] = checkEmbedding(table.shape, ids.shape);
      return g.node("Gather", [table, int64Ids(g, ids)], [...ids.shape, d], { axis: { int: 0 } });
    },
  }),

  /** The reverse of gatherRows in the table: [vocab, d] zeros, then row ids[t] += dy[t] for every t in order. */
  scatterAddRows: op<[dy: Value, ids: Value, vocab: number]>({
    plan(p, dy, ids, vocab) {
      const n = sizeOf(ids.shape);
      const d = dy.size / n;
      if (!Number.isInteger(d)) throw new ParalensError(`scatterAddRows: ${fmtShape(dy.shape)} is not one row per id of ${fmtShape(ids.shape)}`);
      const out = p.out([vocab, d]);
      p.emit("scatterAddRows", () => p.core.scatterAddRows(out.offset, vocab, d, dy.offset, ids.offset, n), [dy, ids], [out]);
      return out;
    },
    reference(dy, ids, vocab) {
      const n = ids.data.length;
      const d = dy.data.length / n;
      const out = refTensor([vocab, d]);
      for (let t = 0; t < n; t++) {
        const id = tokenId(ids.data[t]!, vocab);
        for (let j = 0; id >= 0 && j < d; j++) out.data[id * d + j] = out.data[id * d + j]! + dy.data[t * d + j]!;
      }
      return out;
    },
  }),

  /**
   * table [rows, d] with row ids[t] set to rows[t] (ids: f32 whole numbers, n of them; rows [n, d]), a
   * later t winning; an id outside [0, rows) sets nothing. A compiled plan writes the table in place and
   * returns it (a decoder's cache takes one position's keys and values without being copied), so it
   * is for a table nothing reads afterwards as it was; the float64 reference returns a new table.
   */
  setRows: op<[table: Value, rows: Value, ids: Value]>({
    plan(p, table, rows, ids) {
      const [n, d, count] = checkSetRows(table.shape, rows.shape, ids.shape);
      p.emit("setRows", () => p.core.setRows(table.offset, count, d, rows.offset, ids.offset, n), [table, rows, ids], [table], true);
      return table;
    },
    reference(table, rows, ids) {
      const [n, d, count] = checkSetRows(table.shape, rows.shape, ids.shape);
      const y = refTensor(table.shape, table.data.slice());
      for (let t = 0; t < n; t++) {
        const id = tokenId(ids.data[t]!, count);
        if (id >= 0) y.data.set(rows.data.subarray(t * d, (t + 1) * d), id * d);
      }
      return y;
    },
    // a new table, as ONNX writes it (ScatterND; it refuses an id outside the table, which the plan skips)
    onnx(g, table, rows, ids) {
      const [n, d] = checkSetRows(table.shape, rows.shape, ids.shape);
      return g.node("ScatterND", [table, int64Ids(g, g.reshape(ids, [n, 1])), g.reshape(rows, [n, d])], table.shape);
    },
  }),

  /**
   * Dropout in a training plan: [y, mask] with mask[i] = 1/(1 - rate) or 0
   * (dropped with probability rate, from a hash of seed, step and i) and
   * y = x mask. A plan draws a new mask each time its forward pass runs
   * (step 0, 1, ...). A forward-only plan (`compile(..., { changes: "none" })`)
   * has no training: there it returns null and the layer is the identity. The
   * float64 reference evaluates as a training plan's first step.
   */
  dropout: op<[x: Value, rate: number, seed: number], [y: Value, mask: Value] | null>({
    plan(p, x, rate, seed) {
      const threshold = checkRate(rate);
      if (!p.training) return null;
      const [y, mask] = [p.out(x.shape), p.out(x.shape)];
      const scale = 1 / (1 - rate);
      let step = 0;
      p.emit("dropout", () => p.core.dropout(y.offset, mask.offset, x.offset, x.size, threshold, scale, seed | 0, step++), [x], [y, mask]);
      return [y, mask];
    },
    reference(x, rate, seed) {
      const threshold = checkRate(rate);
      const mask = mapRef(x, (_, i) => (dropoutBits(seed | 0, 0, i) >= threshold ? 1 / (1 - rate) : 0));
      return [mapRef(x, (v, i) => v * mask.data[i]!), mask];
    },
  }),
};
