// Matrix products (Gemm, MatMul) and the row-wise softmaxes.
import { fmtShape } from "../../../../engine/errors.ts";
import { type Known, permuteMap, range, sizeOf } from "../known.ts";
import type { Tv } from "../tape.ts";
import { nchw } from "./elementwise.ts";
import { type Rule, live, liveIn, tv } from "./rule.ts";
import { broadcastLive, operands } from "./elementwise.ts";

/** Gemm: alpha op(A) op(B) + beta C, with A an example's row (transA = 0) and B shared by all examples. */
const gemm: Rule = {
  live(n, xs) {
    const a = liveIn(n, xs, 0), b = liveIn(n, xs, 1);
    if (n.int("transA", 0) !== 0 && a.batched) n.fail("transA = 1 on a value with a batch axis would mix the examples");
    if (b.batched) n.fail("its B depends on the model's input; paralens imports Gemm with B a weight or a constant");
    if (!a.batched || a.shape.length !== 1 || b.shape.length !== 2) n.fail(`needs A [batch, k] and B a matrix, got A ${n.shapeOf(a)} and B ${fmtShape(b.shape)}`);
    const transB = n.int("transB", 0) !== 0;
    const [k, m] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (k !== a.shape[0]) n.fail(`inner sizes differ: A ${n.shapeOf(a)} and B ${fmtShape(b.shape)}${transB ? "^T" : ""}`);
    const alpha = n.float("alpha", 1), beta = n.float("beta", 1);
    const hasC = xs[2] !== undefined && n.node.inputs[2] !== "";
    if (hasC) broadcastLive(n, { shape: [m], batched: true }, xs[2] as Known);
    return {
      outputs: [live([m], true)],
      run(t, rs) {
        let y = t.scale(t.matmul(tv(t, rs[0]), tv(t, rs[1]), transB), alpha);
        if (hasC) y = t.binary("add", ...operands(t, n, [y, beta === 1 ? rs[2] : t.scale(tv(t, rs[2]), beta)]));
        return [y];
      },
    };
  },
};

/** MatMul of a batched value by a shared matrix (a linear layer), or of two batched stacks of matrices (attention). */
const matmul: Rule = {
  live(n, xs) {
    const a = liveIn(n, xs, 0), b = liveIn(n, xs, 1);
    if (!a.batched) n.fail(`paralens imports MatMul with A depending on the model's input, got A ${n.shapeOf(a)}`);
    if (a.shape.length < 1 || b.shape.length < 2) n.fail(`needs matrices, got ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    const k = a.shape[a.shape.length - 1]!;
    if (b.shape[b.shape.length - 2] !== k) n.fail(`inner sizes differ: ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    const cols = b.shape[b.shape.length - 1]!;
    const out = [...a.shape.slice(0, -1), cols];
    if (!b.batched) {
      if (b.shape.length !== 2) n.fail(`B ${fmtShape(b.shape)} is shared by all examples and must be a matrix`);
      return {
        outputs: [live(out, true)],
        run(t, rs) {
          const x = tv(t, rs[0]);
          const rows = sizeOf(x.shape) / k;
          return [t.reshape(t.matmul(t.reshape(x, [rows, k]), tv(t, rs[1]), false), [t.n, ...out])];
        },
      };
    }
    if (a.shape.length !== b.shape.length || a.shape.length < 2 || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) {
      n.fail(`paralens imports a MatMul of two batched values as stacks of matrices with the same leading axes, got ${n.shapeOf(a)} and ${n.shapeOf(b)}`);
    }
    return {
      outputs: [live(out, true)],
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
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const rank = x.shape.length + (x.batched ? 1 : 0);
      const axis = n.axis(n.int("axis", n.opset >= 13 ? -1 : 1), rank);
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
