// Reductions and layer normalization, composed on the tape from sums,
// broadcasts and elementwise ops (their reverses come with them).
import { known, range, sizeOf } from "../known.ts";
import type { Tape, Tv } from "../tape.ts";
import { type Rule, live, liveIn, tv } from "./rule.ts";

/** x summed (mean: averaged) over the per-example axes `axes`, kept as size 1. */
function reduceKept(t: Tape, x: Tv, per: readonly number[], axes: readonly number[], mean: boolean): Tv {
  const kept = per.map((d, i) => (axes.includes(i) ? 1 : d));
  const s = t.sumTo(x, x.batched ? [t.n, ...kept] : kept);
  return mean ? t.scale(s, 1 / axes.reduce((p, a) => p * per[a]!, 1)) : s;
}

/** x's largest values over the per-example axes, kept as size 1; the change goes to every value that equals the largest. */
function reduceMaxKept(t: Tape, x: Tv, per: readonly number[], axes: readonly number[]): Tv {
  const o = t.ops;
  const kept = per.map((d, i) => (axes.includes(i) ? 1 : d));
  const y = o.maxTo(x.value, x.batched ? [t.n, ...kept] : kept);
  return t.one([x], y, (dy) => {
    const wins = o.equal(x.value, o.broadcastTo(y, x.shape));
    return [o.select(wins, o.broadcastTo(dy, x.shape), o.zeros(x.shape))];
  });
}

/* @__NO_SIDE_EFFECTS__ */
function reduce(kind: "sum" | "mean" | "max"): Rule {
  return {
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const fromInput = kind === "sum" ? n.opset >= 13 : n.opset >= 18;
      const reduced = (t: Tape, v: Tv, axes: readonly number[]): Tv => (kind === "max" ? reduceMaxKept(t, v, x.shape, axes) : reduceKept(t, v, x.shape, axes, kind === "mean"));
      const given = fromInput ? n.list(xs, 1, "axes") : n.ints("axes")?.slice();
      const full = x.shape.length + (x.batched ? 1 : 0);
      if ((given === undefined || given.length === 0) && n.int("noop_with_empty_axes", 0) === 1) return { outputs: [x], run: (t, [v]) => [tv(t, v)] };
      const axes = (given && given.length > 0 ? given : range(full)).map((a) => n.exampleAxis(a, x, `reduces (${kind})`));
      const keep = n.int("keepdims", 1) === 1;
      const out = x.shape.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
      return {
        outputs: [live(out, x.batched)],
        run: (t, [v]) => [t.reshape(reduced(t, tv(t, v), axes), x.batched ? [t.n, ...out] : out)],
      };
    },
  };
}

/** LayerNormalization (opset 17): over the axes from `axis` on, (x - mean) / sqrt(var + eps) * scale + bias. */
const layerNorm: Rule = {
  live(n, xs) {
    const x = liveIn(n, xs, 0);
    if (n.node.outputs.slice(1).some((o) => o !== "")) n.fail("its mean and inverse deviation outputs are not imported");
    const from = n.exampleAxis(n.int("axis", -1), x, "normalizes");
    const axes = range(x.shape.length).filter((i) => i >= from);
    const eps = known("float", [], [n.float("epsilon", 1e-5)]);
    const normalized = x.shape.slice(from);
    for (const i of [1, 2]) if (xs[i] !== undefined && n.node.inputs[i] !== "" && sizeOf(xs[i]!.shape) !== sizeOf(normalized)) n.fail(`input ${i} should have the normalized shape [${normalized.join(", ")}]`);
    return {
      outputs: [live(x.shape, x.batched)],
      run(t, [xr, sr, br]) {
        const v = tv(t, xr);
        const centred = t.binary("sub", v, reduceKept(t, v, x.shape, axes, true));
        const variance = reduceKept(t, t.unary("square", centred), x.shape, axes, true);
        let y = t.binary("div", centred, t.unary("sqrt", t.binary("add", variance, t.constant(eps))));
        y = t.binary("mul", y, t.reshape(tv(t, sr), normalized));
        if (br !== undefined && n.node.inputs[2] !== "") y = t.binary("add", y, t.reshape(tv(t, br), normalized));
        return [y];
      },
    };
  },
};

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function normRules(): Record<string, Rule> {
  return { ReduceSum: /* @__PURE__ */ reduce("sum"), ReduceMean: /* @__PURE__ */ reduce("mean"), ReduceMax: /* @__PURE__ */ reduce("max"), LayerNormalization: layerNorm };
}
