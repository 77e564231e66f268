// Activations ONNX names that paralens composes from its own ops: LeakyRelu
// (its kernel pair), Clip, HardSigmoid, HardSwish, Softplus and Gelu (opset
// 20), and the variadic Sum.
import { known } from "../known.ts";
import type { Tape, Tv } from "../tape.ts";
import { type Ctx, type In, type Rule, type RunIn, live, liveIn, tv } from "./rule.ts";
import { broadcastLive, operands } from "./elementwise.ts";

const scalar = (t: Tape, v: number): Tv => t.constant(known("float", [], [v]));

/** A rule for a function of one input, composed on the tape (constants read at import from `read`). */
/* @__NO_SIDE_EFFECTS__ */
function composed<C>(read: (n: Ctx, xs: readonly In[]) => C, f: (t: Tape, x: Tv, c: C) => Tv, layout = true): Rule {
  return {
    layout,
    views: true,
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const c = read(n, xs);
      return { outputs: [live(x.shape, x.batched, x.view)], run: (t, [v]) => [f(t, tv(t, v), c)] };
    },
  };
}

const clip = (t: Tape, x: Tv, lo: number | undefined, hi: number | undefined): Tv => {
  let y = x;
  if (lo !== undefined) y = t.binary("max", y, scalar(t, lo), x.nhwc);
  if (hi !== undefined) y = t.binary("min", y, scalar(t, hi), x.nhwc);
  return y;
};

const hardSigmoid = (t: Tape, x: Tv, alpha: number, beta: number): Tv => clip(t, t.binary("add", t.scale(x, alpha), scalar(t, beta), x.nhwc), 0, 1);

// relu(x) + log(1 + e^-|x|): log(1 + e^x) without overflow for large x
const softplus = (t: Tape, x: Tv): Tv => t.binary("add", t.unary("relu", x), t.unary("log", t.binary("add", t.unary("exp", t.unary("neg", t.unary("abs", x))), scalar(t, 1), x.nhwc)), x.nhwc);

function gelu(t: Tape, x: Tv, tanh: boolean): Tv {
  // 0.5 x (1 + erf(x / sqrt 2)), or its tanh approximation 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  const inner = tanh
    ? t.unary("tanh", t.scale(t.binary("add", x, t.scale(t.binary("mul", t.unary("square", x), x, x.nhwc), 0.044715), x.nhwc), Math.sqrt(2 / Math.PI)))
    : t.unary("erf", t.scale(x, Math.SQRT1_2));
  return t.scale(t.binary("mul", x, t.binary("add", inner, scalar(t, 1), x.nhwc), x.nhwc), 0.5);
}

const leakyRelu = (): Rule => composed(
  (n) => n.float("alpha", 0.01),
  (t, x, alpha) => t.one([x], t.ops.leakyRelu(x.value, alpha), (dy) => [t.ops.leakyReluReverse(x.value, dy, alpha)], x.nhwc),
);

const clipRule = (): Rule => composed(
  (n, xs) => (n.opset >= 11 ? [n.list(xs, 1, "min")?.[0], n.list(xs, 2, "max")?.[0]] : [n.float("min", -Infinity), n.float("max", Infinity)]),
  (t, x, [lo, hi]) => clip(t, x, lo, hi),
);

const sum: Rule = {
  live(n, xs) {
    let shape: { shape: readonly number[]; batched: boolean } = liveIn(n, xs, 0);
    for (let i = 1; i < xs.length; i++) {
      const [s, b] = broadcastLive(n, shape, xs[i]!.kind === "known" ? { shape: xs[i]!.shape, batched: false } : liveIn(n, xs, i));
      shape = { shape: s, batched: b };
    }
    return {
      outputs: [live(shape.shape, shape.batched)],
      run: (t, rs: readonly RunIn[]) => [rs.slice(1).reduce<Tv>((acc, r) => t.binary("add", ...operands(t, n, [acc, r])), tv(t, rs[0]))],
    };
  },
};

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function activationRules(): Record<string, Rule> {
  return {
  LeakyRelu: leakyRelu(),
  Clip: clipRule(),
  HardSigmoid: /* @__PURE__ */ composed((n) => [n.float("alpha", 0.2), n.float("beta", 0.5)] as const, (t, x, [a, b]) => hardSigmoid(t, x, a, b)),
  HardSwish: /* @__PURE__ */ composed(() => null, (t, x) => t.binary("mul", x, hardSigmoid(t, x, 1 / 6, 0.5), x.nhwc)),
  Softplus: /* @__PURE__ */ composed(() => null, softplus),
  Gelu: /* @__PURE__ */ composed((n) => n.string("approximate", "none") === "tanh", gelu),
  Sum: sum,
};
}
