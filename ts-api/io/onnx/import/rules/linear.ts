// Matrix products (Gemm, MatMul) and the row-wise softmaxes.
import { fmtShape } from "../../../../engine/errors.ts";
import { permuteMap, range, sizeOf } from "../known.ts";
import type { Tv } from "../tape.ts";
import { nchw } from "./elementwise.ts";
import { graphShape, plainAxis, sameView } from "../view.ts";
import { type Rule, live, liveIn, tv } from "./rule.ts";
import { broadcastLive } from "./elementwise.ts";

/**
 * Gemm: alpha op(A) op(B) + beta C, with A an example's row (transA = 0) and
 * B shared by all examples; or A rows that hold the batch with other values
 * (torch's attention gives [T*batch, d], a view), each row multiplied alone.
 */
const gemm: Rule = {
  views: true,
  live(n, xs) {
    const a = liveIn(n, xs, 0), b = liveIn(n, xs, 1);
    if (n.int("transA", 0) !== 0 && a.batched) n.fail("transA = 1 on a value with a batch axis would mix the examples");
    if (b.batched) n.fail("its B depends on the model's input; paralens imports Gemm with B a weight or a constant");
    const rowsOfA = a.view === undefined ? a.shape.length === 1 : a.view.groups.length === 2 && plainAxis(a.shape, a.view, 1) !== undefined;
    if (!a.batched || !rowsOfA || b.shape.length !== 2) n.fail(`needs A [batch, k] and B a matrix, got A ${n.shapeOf(a)} and B ${fmtShape(b.shape)}`);
    const transB = n.int("transB", 0) !== 0;
    const [k, m] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (k !== a.shape[a.shape.length - 1]) n.fail(`inner sizes differ: A ${n.shapeOf(a)} and B ${fmtShape(b.shape)}${transB ? "^T" : ""}`);
    const alpha = n.float("alpha", 1), beta = n.float("beta", 1);
    const hasC = xs[2] !== undefined && n.node.inputs[2] !== "";
    const c = hasC ? liveIn(n, xs, 2) : undefined;
    if (c) broadcastLive(n, { shape: [m], batched: true }, c);
    if (c?.batched && a.view !== undefined) n.fail(`its C ${n.shapeOf(c)} depends on the model's input while A ${n.shapeOf(a)} holds the batch with other values`);
    const out = [...a.shape.slice(0, -1), m];
    return {
      outputs: [live(out, true, a.view)],
      run(t, rs) {
        const x = tv(t, rs[0]);
        const rows = sizeOf(x.shape) / k;
        let y = t.scale(t.matmul(t.reshape(x, [rows, k]), tv(t, rs[1]), transB), alpha);
        if (hasC) {
          const cv = tv(t, rs[2]);
          const bias = t.scale(cv, beta);
          // a shared C ([m], [1, m] or a scalar) meets every row; a batched one ([batch, m] or [batch, 1]) its example's
          y = t.binary("add", y, cv.batched ? bias : t.reshape(bias, sizeOf(cv.shape) === 1 ? [1] : [m]));
        }
        return [t.reshape(y, [t.n, ...out])];
      },
    };
  },
};

/** MatMul of a batched value by a shared matrix (a linear layer), or of two batched stacks of matrices (attention). */
const matmul: Rule = {
  views: true,
  live(n, xs) {
    const a = liveIn(n, xs, 0), b = liveIn(n, xs, 1);
    if (!a.batched) n.fail(`paralens imports MatMul with A depending on the model's input, got A ${n.shapeOf(a)}`);
    if (a.shape.length < 1 || b.shape.length < 2) n.fail(`needs matrices, got ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    const k = a.shape[a.shape.length - 1]!;
    if (b.shape[b.shape.length - 2] !== k) n.fail(`inner sizes differ: ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    const cols = b.shape[b.shape.length - 1]!;
    const out = [...a.shape.slice(0, -1), cols];
    // with the batch axis moved, A's rows may hold it but its last axis may not
    if (a.view !== undefined && plainAxis(a.shape, a.view, -1) === undefined) n.fail(`multiplies along an axis of ${n.shapeOf(a)} that holds the batch`);
    if (!b.batched) {
      if (b.shape.length !== 2) n.fail(`B ${fmtShape(b.shape)} is shared by all examples and must be a matrix`);
      return {
        outputs: [live(out, true, a.view)],
        run(t, rs) {
          const x = tv(t, rs[0]);
          const rows = sizeOf(x.shape) / k;
          return [t.reshape(t.matmul(t.reshape(x, [rows, k]), tv(t, rs[1]), false), [t.n, ...out])];
        },
      };
    }
    const stacked = sameView(a, b) && [-1, -2].every((i) => plainAxis(a.shape, a.view, i) !== undefined && plainAxis(b.shape, b.view, i) !== undefined);
    if (!stacked || a.shape.length !== b.shape.length || a.shape.length < 2 || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) {
      n.fail(`paralens imports a MatMul of two batched values as stacks of matrices with the same leading axes, got ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    }
    return {
      outputs: [live(out, true, a.view)],
      run(t, rs) {
        const [x, y] = [tv(t, rs[0]), tv(t, rs[1])];
        const count = (t.n * sizeOf(a.shape)) / (a.shape[a.shape.length - 2]! * k);
        const r = t.batchMatmul(t.reshape(x, [count, a.shape[a.shape.length - 2]!, k]), t.reshape(y, [count, k, cols]));
        return [t.reshape(r, [t.n, ...out])];
      },
    };
  },
};

/** Softmax or LogSoftmax along one axis (opset 13+), or over the axes from `axis` on (before 13). */
/* @__NO_SIDE_EFFECTS__ */
function rowwise(kind: "softmax" | "logSoftmax"): Rule {
  return {
    views: true,
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const rank = x.batched ? graphShape(x.shape, x.view).length : x.shape.length;
      const axis = n.axis(n.int("axis", n.opset >= 13 ? -1 : 1), rank);
      // with the batch axis moved, only the last axis, when it is one of the example's own
      if (x.view !== undefined) {
        if (axis !== rank - 1 || plainAxis(x.shape, x.view, -1) === undefined) n.fail(`along axis ${axis} of ${n.shapeOf(x)}, whose batch axis the graph moved; paralens imports it along the last axis then`);
        return { outputs: [live(x.shape, true, x.view)], run: (t, [r]) => [t.rows(kind, tv(t, r))] };
      }
      const at = x.batched ? axis - 1 : axis;
      if (at < 0) n.fail("along the batch axis, which paralens keeps apart");
      const last = x.shape.length - 1;
      return {
        outputs: [live(x.shape, x.batched)],
        run(t, [r]) {
          const v = nchw(t, tv(t, r));
          // before opset 13 the axes from `axis` on are one row
          if (n.opset < 13 || at === last) {
            const width = sizeOf(x.shape.slice(at));
            const lead = v.shape.slice(0, v.shape.length - x.shape.length + at);
            return [t.reshape(t.rows(kind, t.reshape(v, [...lead, width])), v.shape)];
          }
          // another axis: moved last and back
          const perm = [...range(x.shape.length).filter((i) => i !== at), at];
          const [there, moved] = permuteMap(x.shape, perm);
          const [back] = permuteMap(moved, range(x.shape.length).map((i) => perm.indexOf(i)));
          return [t.indexMap(t.rows(kind, t.indexMap(v, there, moved) as Tv), back, x.shape)];
        },
      };
    },
  };
}

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function linearRules(): Record<string, Rule> {
  return { Gemm: gemm, MatMul: matmul, Softmax: /* @__PURE__ */ rowwise("softmax"), LogSoftmax: /* @__PURE__ */ rowwise("logSoftmax") };
}
