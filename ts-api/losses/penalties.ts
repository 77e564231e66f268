// Penalties on an input being learned (deep dreaming): lenses S -> L, one
// number per example, to be added to a loss. Both are squared, so smooth, and
// composed from existing ops: the total variation's neighbour differences are
// two gathers, and their reverse the partner scatter-adds.
import type { Value } from "../algebra/category.ts";
import { type Lens, lens } from "../algebra/para.ts";
import { type Shape, shapeArgument } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { RealOps } from "../ops/index.ts";
import { registerOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";
import { unaryOps } from "../ops/unary.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);
registerOps(() => unaryOps);

const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

function finiteWeight(what: string, weight: unknown): void {
  if (typeof weight !== "number" || !Number.isFinite(weight)) throw new ParalensError(`${what}: the weight must be a finite number, got ${describe(weight)}`);
}

/** Per-example sums of the rows of an [n, m] value, as [n]. */
const rowSums = (ops: RealOps, x: Value, n: number): Value => ops.reshape(ops.sumTo(x, [n, 1]), [n]);

/**
 * weight * sum x^2 per example: S -> [], keeping a dreamed input small.
 * Reverse: dx = 2 weight dl x.
 *
 * @example
 * ```ts
 * const model = seq(flatten, dense(784, 10)).at([28, 28, 1]);
 * seq(wires.copy([28, 28, 1]), par(model, losses.l2Penalty([28, 28, 1], 1e-3)));   // the logits and the penalty
 * ```
 *
 * @category Losses
 */
export function l2Penalty(shape: Shape, weight = 1): Lens<readonly [Shape], readonly [readonly []]> {
  shapeArgument("l2Penalty", shape);
  finiteWeight("l2Penalty", weight);
  const m = sizeOf(shape);
  return lens<readonly [Shape], readonly [readonly []], [Value, number]>({
    name: `l2Penalty(${weight})`,
    dom: [shape],
    cod: [[]],
    forward(ops, [x]) {
      const n = ops.shape(x!)[0]!;
      const flat = ops.reshape(x!, [n, m]);
      return [[ops.scale(rowSums(ops, ops.square(flat), n), weight)], [flat, n]];
    },
    reverse: (ops, [flat, n], [dl]) => [ops.reshape(ops.scale(ops.mul(flat, ops.reshape(dl!, [n, 1])), 2 * weight), [n, ...shape])],
  });
}

/**
 * Squared total variation of images [h, w, c] (NHWC, per example):
 * weight * sum (x[i+1, j] - x[i, j])^2 + (x[i, j+1] - x[i, j])^2, which
 * favours smooth images over high-frequency noise.
 * Reverse: scatter-add of 2 weight dl (differences) to both ends of each pair.
 *
 * @example
 * ```ts
 * losses.totalVariation([28, 28, 1], 0.05)   // [28, 28, 1] -> [] per example
 * ```
 *
 * @category Losses
 */
export function totalVariation(shape: Shape, weight = 1): Lens<readonly [Shape], readonly [readonly []]> {
  shapeArgument("totalVariation", shape);
  finiteWeight("totalVariation", weight);
  if (shape.length !== 3) throw new ParalensError(`totalVariation: takes images [h, w, c], got ${fmtShape(shape)}`);
  const [h, w, c] = shape as [number, number, number];
  // each pair: the flat offsets (within one example) of a pixel and its lower or right neighbour
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let k = 0; k < c; k++) {
        const at = (i * w + j) * c + k;
        if (i + 1 < h) (first.push(at), second.push(at + w * c));
        if (j + 1 < w) (first.push(at), second.push(at + c));
      }
    }
  }
  const pairs = first.length;
  const size = h * w * c;
  const tables = new Map<number, [Int32Array, Int32Array]>();
  // the tables cover the whole batch (gather reads flat values), so one pair per batch size
  const indices = (n: number): [Int32Array, Int32Array] => {
    let t = tables.get(n);
    if (t === undefined) {
      const a = new Int32Array(n * pairs);
      const b = new Int32Array(n * pairs);
      for (let e = 0; e < n; e++) {
        for (let q = 0; q < pairs; q++) (a[e * pairs + q] = e * size + first[q]!), (b[e * pairs + q] = e * size + second[q]!);
      }
      t = [a, b];
      tables.set(n, t);
    }
    return t;
  };
  return lens<readonly [Shape], readonly [readonly []], [Value, number]>({
    name: `totalVariation(${weight})`,
    dom: [shape],
    cod: [[]],
    forward(ops, [x]) {
      const n = ops.shape(x!)[0]!;
      const [a, b] = indices(n);
      const diff = ops.sub(ops.gather(x!, b, [n, pairs]), ops.gather(x!, a, [n, pairs]));
      return [[ops.scale(rowSums(ops, ops.square(diff), n), weight)], [diff, n]];
    },
    reverse(ops, [diff, n], [dl]) {
      const [a, b] = indices(n);
      const g = ops.scale(ops.mul(diff, ops.reshape(dl!, [n, 1])), 2 * weight);
      return [ops.sub(ops.scatterAdd(g, b, [n, ...shape]), ops.scatterAdd(g, a, [n, ...shape]))];
    },
  });
}
