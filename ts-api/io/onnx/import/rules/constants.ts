// Values the file fixes at import: Constant, Range and the Shape of a value
// (every dim but the batch size) are folded; ConstantOfShape too, or, sized by
// the batch, the same values for each example.
import { fmtShape } from "../../../../engine/errors.ts";
import { type Known, type Live, known, range, sizeOf } from "../known.ts";
import { type Ctx, type Rule, live } from "./rule.ts";
import { fullShape, viewOf } from "../view.ts";

function shapeOf(n: Ctx, full: number[]): Known {
  const rank = full.length;
  const clamp = (a: number): number => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const s = full.slice(clamp(n.int("start", 0)), clamp(n.int("end", rank)));
  return known("int64", [s.length], s);
}

const constant: Rule = {
  fold(n) {
    const t = n.tensor("value");
    if (t) return [t];
    const f = n.node.attributes.get("value_float"), fs = n.node.attributes.get("value_floats");
    const i = n.node.attributes.get("value_int"), is = n.node.attributes.get("value_ints");
    if (f?.kind === "float") return [known("float", [], [f.value])];
    if (fs?.kind === "floats") return [known("float", [fs.value.length], fs.value)];
    if (i?.kind === "int") return [known("int64", [], [i.value])];
    if (is?.kind === "ints") return [known("int64", [is.value.length], is.value)];
    return n.fail("has no value paralens reads (value, value_float(s) or value_int(s))");
  },
};

const sizedByBatch = (dims: readonly number[]): boolean => dims.some((d) => Number.isNaN(d));

/**
 * ConstantOfShape: a constant, or, when its shape holds the batch size (torch's
 * zero initial state of an nn.LSTM, [1, batch, H]), the same values for each
 * example with the batch axis where the shape puts it (a view).
 */
const constantOfShape: Rule = {
  perExample: ([s]) => s !== undefined && sizedByBatch(Array.from(s.data)),
  fold(n, [s]) {
    const dims = Array.from(s!.data);
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) n.fail(`its shape ${fmtShape(dims)} is not known whole numbers`);
    n.bounded(dims);
    const v = n.tensor("value") ?? known("float", [1], [0]);
    return [known(v.dtype, dims, new Float64Array(sizeOf(dims)).fill(v.data[0] ?? 0))];
  },
  live(n, xs) {
    const dims = Array.from(n.known(xs, 0, "shape").data);
    const at = dims.findIndex((d) => Number.isNaN(d));
    const per = dims.filter((_, i) => i !== at);
    if (dims.filter((d) => Number.isNaN(d)).length !== 1 || per.some((d) => !Number.isInteger(d) || d < 0)) n.fail(`its shape ${fmtShape(dims)} is not whole numbers and the batch size once`);
    n.bounded(per);
    const v = n.tensor("value") ?? known("float", [1], [0]);
    const one = known(v.dtype, per, new Float64Array(sizeOf(per)).fill(v.data[0] ?? 0));
    return { outputs: [live(per, true, viewOf(at, dims.map(() => 1)))], run: (t) => [t.broadcast(t.constant(one), [t.n, ...per], true)] };
  },
};

const rangeRule: Rule = {
  fold(n, [start, limit, delta]) {
    const [a, b, d] = [start!.data[0]!, limit!.data[0]!, delta!.data[0]!];
    const count = Math.max(Math.ceil((b - a) / d), 0);
    if (!Number.isFinite(count) || count > 1 << 24) n.fail(`makes a range of ${count} values`);
    return [known(start!.dtype, [count], range(count).map((i) => a + i * d))];
  },
};

/** Shape of a live value is known: every dim but the batch size. */
const shapeRule: Rule = { fold: (n, [x]) => [shapeOf(n, fullShape(x! as Known | Live))] };

/** The rules of this file, by op. */
export function constantRules(): Record<string, Rule> {
  return { Shape: shapeRule, Constant: constant, ConstantOfShape: constantOfShape, Range: rangeRule };
}
