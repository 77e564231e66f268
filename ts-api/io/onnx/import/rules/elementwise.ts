// Elementwise ops: activations, arithmetic with ONNX's broadcasting, Where,
// Cast, and the ops that are the identity at inference (Identity, Dropout).
import { type Known, type Live, broadcast, broadcastMap, foldBinary, isFloat, known } from "../known.ts";
import { type Binary, type Tape, type Tv, type Unary } from "../tape.ts";
import { type Ctx, type In, type Rule, type RunIn, type Step, live, liveIn, tv } from "./rule.ts";
import { sameView, sharedAgainst } from "../view.ts";
import type { Shape } from "../../../../algebra/shapes.ts";

const F64: Record<Unary, (x: number) => number> = {
  relu: (x) => Math.max(x, 0), sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: (x) => Math.tanh(x), exp: (x) => Math.exp(x), log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x), neg: (x) => -x, abs: (x) => Math.abs(x), erf: (x) => erf(x), square: (x) => x * x, reciprocal: (x) => 1 / x,
};

// Abramowitz and Stegun 7.1.26 is too coarse for folding; a series and a continued fraction would do,
// but folded erf only meets constants, so the plain Taylor series to convergence is enough
function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x, sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/* @__NO_SIDE_EFFECTS__ */
function unary(kind: Unary): Rule {
  return {
    layout: true,
    views: true,
    fold: (_n, [x]) => [known(x!.dtype, x!.shape, Array.from(x!.data, F64[kind]))],
    live: (n, xs) => {
      const x = liveIn(n, xs, 0);
      return { outputs: [live(x.shape, x.batched, x.view)], run: (t, [v]) => [t.unary(kind, tv(t, v))] };
    },
  };
}

const FOLD: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y, Div: (x, y) => x / y, Pow: (x, y) => x ** y,
  Max: (x, y) => Math.max(x, y), Min: (x, y) => Math.min(x, y), Equal: (x, y) => (x === y ? 1 : 0), Less: (x, y) => (x < y ? 1 : 0),
  Greater: (x, y) => (x > y ? 1 : 0), LessOrEqual: (x, y) => (x <= y ? 1 : 0), GreaterOrEqual: (x, y) => (x >= y ? 1 : 0),
  Mod: (x, y) => x - y * Math.floor(x / y), And: (x, y) => (x && y ? 1 : 0), Or: (x, y) => (x || y ? 1 : 0),
};
const COMPARE = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or"];

/* @__NO_SIDE_EFFECTS__ */
function foldOp(op: string): Rule["fold"] {
  return (n, [a, b]) => {
    const cmp = COMPARE.includes(op);
    const int = !isFloat(a!.dtype) && op === "Div";
    const f = FOLD[op]!;
    const out = foldBinary(a!, b!, cmp ? "bool" : a!.dtype, int ? (x, y) => Math.trunc(x / y) : f);
    return [out ?? n.fail(`cannot broadcast ${n.shapeOf(live(a!.shape, false))} with ${n.shapeOf(live(b!.shape, false))}`)];
  };
}

/**
 * The shape of a broadcast of two values, one or both per example. A value
 * shared by all examples broadcasts over them; two batched values must have
 * the same rank (otherwise the batch axis would meet another).
 */
export function broadcastLive(n: Ctx, a: Known | { readonly shape: readonly number[]; readonly batched: boolean }, b: typeof a): [shape: number[], batched: boolean, dropA: boolean, dropB: boolean] {
  const ba = "batched" in a && a.batched, bb = "batched" in b && b.batched;
  let [sa, sb] = [a.shape, b.shape];
  let [dropA, dropB] = [false, false];
  const msg = (): string => `cannot broadcast ${n.shapeOf({ shape: a.shape, batched: ba })} with ${n.shapeOf({ shape: b.shape, batched: bb })}`;
  if (ba && bb && sa.length !== sb.length) n.fail(`${msg()}: two values with a batch axis must have the same rank`);
  // a shared value with the rank of the batched one must be 1 along the batch axis
  if (ba && !bb && sb.length === sa.length + 1) [sb, dropB] = sb[0] === 1 ? [sb.slice(1), true] : n.fail(`${msg()}: it would broadcast along the batch axis`);
  if (bb && !ba && sa.length === sb.length + 1) [sa, dropA] = sa[0] === 1 ? [sa.slice(1), true] : n.fail(`${msg()}: it would broadcast along the batch axis`);
  if ((ba && !bb && sb.length > sa.length) || (bb && !ba && sa.length > sb.length)) n.fail(`${msg()}: it would broadcast along the batch axis`);
  const shape = broadcast(sa, sb) ?? n.fail(msg());
  return [[...shape], ba || bb, dropA, dropB];
}

/** Tape values a, b of a broadcast, with a shared operand's leading 1 dropped where it met the batch axis. */
export function operands(t: Tape, n: Ctx, xs: readonly RunIn[]): [Tv, Tv] {
  let [a, b] = [tv(t, xs[0]), tv(t, xs[1])];
  // images kept channels-last stay so only when both are
  if (a.nhwc !== b.nhwc || (a.nhwc && !b.batched) || (b.nhwc && !a.batched)) [a, b] = [nchw(t, a), nchw(t, b)];
  if (a.batched && !b.batched && b.shape.length === a.shape.length) b = t.reshape(b, b.shape.slice(1));
  if (b.batched && !a.batched && a.shape.length === b.shape.length) a = t.reshape(a, a.shape.slice(1));
  void n;
  return [a, b];
}

/* @__NO_SIDE_EFFECTS__ */
function arithmetic(op: string, kind: Binary): Rule {
  return {
    layout: true,
    views: true,
    fold: /* @__PURE__ */ foldOp(op),
    live(n, xs) {
      const [a, b] = [asShaped(n, xs, 0), asShaped(n, xs, 1)];
      if ((a.kind === "live" && a.view) || (b.kind === "live" && b.view)) return viewedBinary(n, kind, a, b);
      const [shape, batched] = broadcastLive(n, a, b);
      return { outputs: [live(shape, batched)], run: (t, rs) => [t.binary(kind, ...operands(t, n, rs))] };
    },
  };
}

/** A binary op where an operand's batch axis was moved: the other has the same view, or is shared and reshaped to broadcast against it. */
function viewedBinary(n: Ctx, kind: Binary, a: Known | Live, b: Known | Live): Step {
  const batched = (x: Known | Live): x is Live => x.kind === "live" && x.batched;
  const ref = (batched(a) && a.view ? a : b) as Live;
  const msg = (): string => `cannot broadcast ${n.shapeOf(asLive(a))} with ${n.shapeOf(asLive(b))}`;
  const onTape = (x: Known | Live): Shape => {
    if (batched(x)) return sameView(x, ref) && x.shape.length === ref.shape.length ? x.shape : n.fail(`${msg()}: the graph moved their batch axes differently`);
    return sharedAgainst(ref.shape, ref.view, x.shape) ?? n.fail(`${msg()}: it would broadcast along the batch axis or split an axis merged with it`);
  };
  const [sa, sb] = [onTape(a), onTape(b)];
  const shape = broadcast(sa, sb) ?? n.fail(msg());
  return {
    outputs: [live(shape, true, ref.view)],
    run: (t, [ra, rb]) => {
      const [va, vb] = [tv(t, ra), tv(t, rb)];
      return [t.binary(kind, va.batched ? va : t.reshape(va, sa), vb.batched ? vb : t.reshape(vb, sb))];
    },
  };
}

const asLive = (x: Known | Live): Live => (x.kind === "live" ? x : { kind: "live", shape: x.shape, batched: false });

const asShaped = (n: Ctx, xs: readonly In[], i: number): Known | Live => (xs[i]?.kind === "known" ? (xs[i] as Known) : liveIn(n, xs, i));

// x^p for a known p: the cases with a kernel of their own, else e^(p log x) (x > 0)
const pow: Rule = {
  fold: (n, xs) => foldOp("Pow")!(n, xs),
  live(n, xs) {
    const p = n.known(xs, 1, "exponent");
    if (p.data.length !== 1) n.fail("its exponent must be one number known when the file is read");
    const e = p.data[0]!;
    const x = liveIn(n, xs, 0);
    return {
      outputs: [live(x.shape, x.batched)],
      run(t, [r]) {
        const v = tv(t, r);
        if (e === 1) return [v];
        if (e === 2) return [t.unary("square", v)];
        if (e === 0.5) return [t.unary("sqrt", v)];
        if (e === -1) return [t.unary("reciprocal", v)];
        if (e === 3) return [t.binary("mul", t.unary("square", v), v)];
        return [t.unary("exp", t.scale(t.unary("log", v), e))];
      },
    };
  },
};

const identity: Rule = {
  layout: true,
  views: true,
  fold: (_n, [x]) => [x!],
  live: (n, xs) => {
    const x = liveIn(n, xs, 0);
    if (n.node.outputs.length > 1 && n.node.outputs[1] !== "") n.fail("its mask output is not computed by an inference graph");
    return { outputs: [live(x.shape, x.batched, x.view)], run: (t, [v]) => [tv(t, v)] };
  },
};

const CAST: Record<number, Known["dtype"]> = { 1: "float", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "double" };

const cast: Rule = {
  views: true,
  fold(n, [x]) {
    const to = CAST[n.int("to", 1)] ?? n.fail(`casts to element type ${n.int("to", 1)}, which paralens does not read`);
    const f = to === "bool" ? (v: number) => (v !== 0 ? 1 : 0) : isFloat(to) ? (v: number) => v : Math.trunc;
    return [known(to, x!.shape, Array.from(x!.data, f))];
  },
  live(n, xs) {
    const to = CAST[n.int("to", 1)];
    // toOnnx casts its float token ids to int64 for a Gather: a graph input cast to integers stays as it is fed
    const ids = xs[0]?.kind === "live" && xs[0].fed === true && to !== undefined && to !== "bool";
    if (to === undefined || (!isFloat(to) && !ids)) n.fail(`casts a value computed from the model's input to ${to ?? n.int("to", 1)}; paralens computes in floats only (a graph input cast to integers is read as token ids)`);
    return identity.live!(n, xs);
  },
};

/** Where(condition, a, b): the condition known at import (a mask), a and b live or known. */
const where: Rule = {
  fold(n, [c, a, b]) {
    const shape = broadcast(broadcast(c!.shape, a!.shape) ?? n.fail("the condition does not broadcast"), b!.shape) ?? n.fail("the branches do not broadcast");
    const [mc, ma, mb] = [c!, a!, b!].map((k) => broadcastMap(k.shape, shape));
    return [known(a!.dtype, shape, Array.from(mc!, (ic, i) => (c!.data[ic] ? a!.data[ma![i]!]! : b!.data[mb![i]!]!)))];
  },
  live(n, xs) {
    n.known(xs, 0, "condition");
    const [ab, batched] = broadcastLive(n, asShaped(n, xs, 1), asShaped(n, xs, 2));
    const [shape] = broadcastLive(n, asShaped(n, xs, 0), { shape: ab, batched: false });
    return {
      outputs: [live(shape, batched)],
      run(t, [c, a, b]) {
        const full = batched ? [t.n, ...shape] : shape;
        const at = (x: Tv): Tv => t.broadcast(!x.batched && x.shape.length > shape.length ? t.reshape(x, x.shape.slice(1)) : x, full);
        const [ta, tb] = [at(nchw(t, tv(t, a))), at(nchw(t, tv(t, b)))];
        return [t.select(at(tv(t, c)), ta, tb)];
      },
    };
  },
};

const not: Rule = { fold: (_n, [x]) => [known("bool", x!.shape, Array.from(x!.data, (v) => (v ? 0 : 1)))] };

/** A value kept channels-last, seen as NCHW again (once: the copy is kept). */
export function nchw(t: Tape, x: Tv): Tv {
  if (!x.nhwc) return x;
  return (x.nchwCopy ??= t.indexMap(x, nhwcToNchw(x.shape), [x.shape[3]!, x.shape[1]!, x.shape[2]!]));
}

const maps: Record<string, Int32Array> = {};
function nhwcToNchw(s: readonly number[]): Int32Array {
  const [h, w, c] = [s[1]!, s[2]!, s[3]!];
  const key = `${h},${w},${c}`;
  let m = maps[key];
  if (m === undefined) {
    m = new Int32Array(h * w * c);
    for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[(ci * h + y) * w + x] = (y * w + x) * c + ci;
    maps[key] = m;
  }
  return m;
}

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function elementwiseRules(): Record<string, Rule> {
  return {
  Relu: /* @__PURE__ */ unary("relu"), Sigmoid: /* @__PURE__ */ unary("sigmoid"), Tanh: /* @__PURE__ */ unary("tanh"), Exp: /* @__PURE__ */ unary("exp"), Log: /* @__PURE__ */ unary("log"),
  Sqrt: /* @__PURE__ */ unary("sqrt"), Neg: /* @__PURE__ */ unary("neg"), Abs: /* @__PURE__ */ unary("abs"), Erf: /* @__PURE__ */ unary("erf"), Reciprocal: /* @__PURE__ */ unary("reciprocal"),
  Add: /* @__PURE__ */ arithmetic("Add", "add"), Sub: /* @__PURE__ */ arithmetic("Sub", "sub"), Mul: /* @__PURE__ */ arithmetic("Mul", "mul"), Div: /* @__PURE__ */ arithmetic("Div", "div"),
  Max: /* @__PURE__ */ arithmetic("Max", "max"), Min: /* @__PURE__ */ arithmetic("Min", "min"), Pow: pow,
  Equal: { fold: /* @__PURE__ */ foldOp("Equal") }, Less: { fold: /* @__PURE__ */ foldOp("Less") }, Greater: { fold: /* @__PURE__ */ foldOp("Greater") },
  LessOrEqual: { fold: /* @__PURE__ */ foldOp("LessOrEqual") }, GreaterOrEqual: { fold: /* @__PURE__ */ foldOp("GreaterOrEqual") },
  And: { fold: /* @__PURE__ */ foldOp("And") }, Or: { fold: /* @__PURE__ */ foldOp("Or") }, Mod: { fold: /* @__PURE__ */ foldOp("Mod") }, Not: not,
  Identity: identity, Dropout: identity, Cast: cast, Where: where,
};
}
