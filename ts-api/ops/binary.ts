// Binary elementwise ops with broadcasting: one kernel (assembly `binary`)
// with an op code, one row each of float64 reference and reverse rule. A
// reverse rule gives each operand's change at the output's shape; `unbroadcast`
// then sums it down to the operand's own shape (the reverse of repeating a
// value is adding up its copies' changes), so the rules never see broadcasting.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape, fmtWires } from "../engine/errors.ts";
import { checkShape } from "../engine/tensor.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { RealOps } from "./index.ts";
import { type Lowerings, type PlanContext, type PlannedOp, type References, planned } from "./op.ts";
import { type Lens, type ParamSpec, type AnyShape, lens, para, anyShape } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { type RefTensor, refTensor, sizeOf } from "./ref-tensor.ts";
import { broadcastShape, broadcastsTo, group, stridesOver } from "./broadcast.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";
import { registerOps } from "./registry.ts";
import { unaryOps } from "./unary.ts";
import { wireOps } from "./wires.ts";

// binaryOps are primitives, in every program; its lenses' reverses call the
// elementary functions and reshape, whose groups come with the lenses (made
// here, not at load, so a program without these lenses carries neither group)
let lensOps = false;
function bringLensOps(): void {
  if (lensOps) return;
  lensOps = true;
  registerOps(() => unaryOps);
  registerOps(() => wireOps);
}

/**
 * The broadcasting binary ops `elementwise` and `where` know: arithmetic, maximum and minimum, and the comparisons greater and equal (1 where true, 0 where false; their change is zero).
 *
 * @category Layers
 */
export type BinaryName = "add" | "sub" | "mul" | "div" | "max" | "min" | "greater" | "equal";

/** The op codes of the binary kernel (assembly/broadcast.ts): all a plan needs of a row below. */
const CODES: Record<BinaryName, number> = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, greater: 6, equal: 7 };

interface BinaryRow {
  readonly f64: (a: number, b: number) => number;
  /** The changes of a and b at the output's shape, given a, b, the output c and its change dc; absent: not differentiable. */
  readonly reverse?: (ops: RealOps, a: Value, b: Value, c: Value, dc: Value) => [Value | null, Value | null];
}

// f32 max/min propagate NaN, as wasm's f32.max does
const nanMax = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const nanMin = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));

const split = (ops: RealOps, dc: Value, mask: Value): [Value, Value] => {
  const da = ops.mul(dc, mask);
  return [da, ops.sub(dc, da)];
};

const rows: Record<BinaryName, BinaryRow> = {
  add: { f64: (a, b) => a + b, reverse: (_ops, _a, _b, _c, dc) => [dc, dc] },
  sub: { f64: (a, b) => a - b, reverse: (ops, _a, _b, _c, dc) => [dc, ops.neg(dc)] },
  mul: { f64: (a, b) => a * b, reverse: (ops, a, b, _c, dc) => [ops.mul(dc, b), ops.mul(dc, a)] },
  // d(a/b)/db = -a/b^2 = -c/b
  div: { f64: (a, b) => a / b, reverse: (ops, _a, b, c, dc) => [ops.div(dc, b), ops.neg(ops.mul(dc, ops.div(c, b)))] },
  // the larger operand takes the change (b on ties); the two parts add up to dc exactly
  max: { f64: nanMax, reverse: (ops, a, b, _c, dc) => split(ops, dc, ops.greater(a, b)) },
  min: { f64: nanMin, reverse: (ops, a, b, _c, dc) => split(ops, dc, ops.greater(b, a)) },
  greater: { f64: (a, b) => (a > b ? 1 : 0) },
  equal: { f64: (a, b) => (a === b ? 1 : 0) },
};

/** Visits every index of a dense `shape` in order, with each operand's element offset (from its strides over shape). */
function eachIndex(shape: Shape, strides: readonly (readonly number[])[], visit: (o: number, at: number[]) => void): void {
  const index = new Array<number>(shape.length).fill(0);
  const total = sizeOf(shape);
  for (let o = 0; o < total; o++) {
    visit(o, strides.map((s) => index.reduce((sum, i, axis) => sum + i * s[axis]!, 0)));
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis]! === shape[axis]; axis--) index[axis] = 0;
  }
}

/** Plans c = a OP b over the output `shape` (which a and b broadcast to). */
function planBinary(p: PlanContext, name: string, code: number, a: Tensor, b: Tensor, shape: Shape): Tensor {
  const { dims, strides, starts } = group(shape, [stridesOver(a.shape, shape), stridesOver(b.shape, shape)]);
  const [[a0, a1, a2], [b0, b1, b2]] = strides as [[number, number, number], [number, number, number]];
  const [n0, n1, n2] = dims;
  const c = p.out(shape);
  const { core } = p;
  const run =
    starts.length === 1
      ? () => core.binary(code, c.offset, a.offset, b.offset, n0, n1, n2, a0, a1, a2, b0, b1, b2)
      : () => {
          for (const [oc, oa, ob] of starts) core.binary(code, c.offset + 4 * oc!, a.offset + 4 * oa!, b.offset + 4 * ob!, n0, n1, n2, a0, a1, a2, b0, b1, b2);
        };
  p.emit(name, run, [a, b], [c]);
  return c;
}

function referenceBinary(f64: (a: number, b: number) => number, a: RefTensor, b: RefTensor, shape: Shape): RefTensor {
  const c = refTensor(shape);
  eachIndex(shape, [stridesOver(a.shape, shape), stridesOver(b.shape, shape)], (o, [ia, ib]) => (c.data[o] = f64(a.data[ia!]!, b.data[ib!]!)));
  return c;
}

// ONNX's binary operators broadcast as NumPy does, as these do; comparisons give booleans, cast back to 0 and 1
const ONNX_BINARY: Record<BinaryName, string> = { add: "Add", sub: "Sub", mul: "Mul", div: "Div", max: "Max", min: "Min", greater: "Greater", equal: "Equal" };
const FLOAT = 1, BOOL = 9;

function onnxBinary(g: OnnxContext, name: BinaryName, a: OnnxValue, b: OnnxValue): OnnxValue {
  const shape = broadcastShape(name, a.shape, b.shape);
  if (name !== "greater" && name !== "equal") return g.node(ONNX_BINARY[name], [a, b], shape);
  return g.node("Cast", [g.node(ONNX_BINARY[name], [a, b], shape, {}, "bool")], shape, { to: { int: FLOAT } });
}

function binary(name: BinaryName): PlannedOp<[a: Value, b: Value]> {
  const code = CODES[name];
  return planned<[a: Value, b: Value]>({
    plan: (p, a, b) => planBinary(p, name, code, a, b, broadcastShape(name, a.shape, b.shape)),
  });
}

/** The float64 reference of binary(name). */
/* @__NO_SIDE_EFFECTS__ */
function binaryReference(name: BinaryName): (a: RefTensor, b: RefTensor) => RefTensor {
  return (a, b) => referenceBinary(rows[name].f64, a, b, broadcastShape(name, a.shape, b.shape));
}

/** The ONNX lowering of binary(name). */
/* @__NO_SIDE_EFFECTS__ */
function binaryLowering(name: BinaryName): (g: OnnxContext, a: OnnxValue, b: OnnxValue) => OnnxValue {
  return (g, a, b) => onnxBinary(g, name, a, b);
}

/** `part` must broadcast to `whole`. */
function checkTarget(what: string, whole: Shape, part: Shape): void {
  if (!broadcastsTo(part, whole)) throw new ParalensError(`${what}: ${fmtShape(part)} does not broadcast to ${fmtShape(whole)}`);
}

/**
 * x summed (or maximised) down to `shape`, a shape that broadcasts to x's:
 * the reverse of broadcasting. One kernel call when the reduction groups
 * into three axis groups; otherwise one axis at a time (each such step is
 * [before, axis, after]), since a kernel call starts its sums from zero.
 */
function reduceTo(kind: "sum" | "max"): PlannedOp<[x: Value, shape: Shape]> {
  const name = kind === "sum" ? "sumTo" : "maxTo";
  const planOnce = (p: PlanContext, x: Tensor, shape: Shape): Tensor => {
    const { dims, strides } = group(x.shape, [stridesOver(shape, x.shape)]);
    const [o0, o1, o2] = strides[0]!;
    const [n0, n1, n2] = dims;
    const y = p.out(shape);
    const kernel = kind === "sum" ? "reduceSum" : "reduceMax";
    p.emit(name, () => p.core[kernel](y.offset, x.offset, n0, n1, n2, o0, o1, o2), [x], [y]);
    return y;
  };
  return planned<[x: Value, shape: Shape]>({
    plan(p, x, shape) {
      checkTarget(name, x.shape, shape);
      if (group(x.shape, [stridesOver(shape, x.shape)]).starts.length === 1) return planOnce(p, x, shape);
      const target = padTo(shape, x.shape.length);
      let y = x;
      for (let axis = x.shape.length - 1; axis >= 0; axis--) {
        if (target[axis] === 1 && y.shape[axis] !== 1) y = planOnce(p, y, y.shape.map((d, i) => (i === axis ? 1 : d)));
      }
      return y.reshape(shape);
    },
  });
}

/** The float64 reference of reduceTo(kind). */
/* @__NO_SIDE_EFFECTS__ */
function reduceToReference(kind: "sum" | "max"): (x: RefTensor, shape: Shape) => RefTensor {
  const name = kind === "sum" ? "sumTo" : "maxTo";
  const f64 = kind === "sum" ? (a: number, b: number): number => a + b : nanMax;
  return (x, shape) => {
    checkTarget(name, x.shape, shape);
    const y = refTensor(shape);
    if (kind === "max") y.data.fill(-Infinity);
    eachIndex(x.shape, [stridesOver(shape, x.shape)], (i, [o]) => (y.data[o!] = f64(y.data[o!]!, x.data[i]!)));
    return y;
  };
}

/** The ONNX lowering of reduceTo(kind). */
/* @__NO_SIDE_EFFECTS__ */
function reduceToLowering(kind: "sum" | "max"): (g: OnnxContext, x: OnnxValue, shape: Shape) => OnnxValue {
  const name = kind === "sum" ? "sumTo" : "maxTo";
  return (g, x, shape) => {
    checkTarget(name, x.shape, shape);
    const target = padTo(shape, x.shape.length);
    const axes = x.shape.flatMap((d, axis) => (target[axis] === 1 && d !== 1 ? [axis] : []));
    // no axes would reduce every axis: ONNX's default when the list is empty
    if (axes.length === 0) return g.reshape(x, shape);
    const kept = x.shape.map((d, axis) => (axes.includes(axis) ? 1 : d));
    return g.reshape(g.node(kind === "sum" ? "ReduceSum" : "ReduceMax", [x, g.int64s(axes)], kept, { keepdims: { int: 1 } }), shape);
  };
}

const padTo = (s: Shape, rank: number): Shape => [...new Array<number>(rank - s.length).fill(1), ...s];

// repeating a value is multiplying it by a broadcast 1: exact, -0 and NaN included
const ONE = new Float32Array([1]);

export const binaryOps = {
  plus: binary("add"),
  sub: binary("sub"),
  mul: binary("mul"),
  div: binary("div"),
  maximum: binary("max"),
  minimum: binary("min"),
  /** 1 where a > b, else 0. */
  greater: binary("greater"),
  /** 1 where a == b, else 0. */
  equal: binary("equal"),
  sumTo: reduceTo("sum"),
  maxTo: reduceTo("max"),
  /** x repeated to `shape` (x's shape must broadcast to it). */
  broadcastTo: planned<[x: Value, shape: Shape]>({
    plan(p, x, shape) {
      checkTarget("broadcastTo", shape, x.shape);
      return planBinary(p, "broadcastTo", CODES.mul, x, p.constant(ONE).reshape([]), shape);
    },
  }),
  /** c = m != 0 ? a : b, all of one size. */
  select: planned<[m: Value, a: Value, b: Value]>({
    plan(p, m, a, b) {
      sameSizes(m.shape, a.shape, b.shape);
      const c = p.out(a.shape);
      p.emit("select", () => p.core.select(c.offset, m.offset, a.offset, b.offset, c.size), [m, a, b], [c]);
      return c;
    },
  }),
  /** A value fixed when the plan is made: `values` seen as `shape`. */
  constant: planned<[values: Float32Array, shape: Shape]>({
    plan: (p, values, shape) => {
      if (values.length !== sizeOf(shape)) throw new ParalensError(`constant: ${values.length} values cannot have shape ${fmtShape(shape)}`);
      return p.constant(values).reshape(shape);
    },
  }),
};

export const binaryReferences: References<typeof binaryOps> = {
  plus: /* @__PURE__ */ binaryReference("add"),
  sub: /* @__PURE__ */ binaryReference("sub"),
  mul: /* @__PURE__ */ binaryReference("mul"),
  div: /* @__PURE__ */ binaryReference("div"),
  maximum: /* @__PURE__ */ binaryReference("max"),
  minimum: /* @__PURE__ */ binaryReference("min"),
  greater: /* @__PURE__ */ binaryReference("greater"),
  equal: /* @__PURE__ */ binaryReference("equal"),
  sumTo: /* @__PURE__ */ reduceToReference("sum"),
  maxTo: /* @__PURE__ */ reduceToReference("max"),
  broadcastTo(x, shape) {
    checkTarget("broadcastTo", shape, x.shape);
    return referenceBinary(rows.mul.f64, x, refTensor([], [1]), shape);
  },
  select(m, a, b) {
    sameSizes(m.shape, a.shape, b.shape);
    const c = refTensor(a.shape);
    c.data.forEach((_, i) => (c.data[i] = m.data[i] !== 0 ? a.data[i]! : b.data[i]!));
    return c;
  },
  constant: (values, shape): RefTensor => refTensor(shape, values),
};

export const binaryLowerings: Lowerings<typeof binaryOps> = {
  plus: /* @__PURE__ */ binaryLowering("add"),
  sub: /* @__PURE__ */ binaryLowering("sub"),
  mul: /* @__PURE__ */ binaryLowering("mul"),
  div: /* @__PURE__ */ binaryLowering("div"),
  maximum: /* @__PURE__ */ binaryLowering("max"),
  minimum: /* @__PURE__ */ binaryLowering("min"),
  greater: /* @__PURE__ */ binaryLowering("greater"),
  equal: /* @__PURE__ */ binaryLowering("equal"),
  sumTo: /* @__PURE__ */ reduceToLowering("sum"),
  maxTo: /* @__PURE__ */ reduceToLowering("max"),
  broadcastTo(g, x, shape) {
    checkTarget("broadcastTo", shape, x.shape);
    return g.node("Expand", [x, g.int64s(shape)], shape);
  },
  select(g, m, a, b) {
    sameSizes(m.shape, a.shape, b.shape);
    const mask = g.node("Cast", [g.reshape(m, a.shape)], a.shape, { to: { int: BOOL } }, "bool");
    return g.node("Where", [mask, a, g.reshape(b, a.shape)], a.shape);
  },
  constant: (g, values, shape) => g.floats(values, shape),
};

function sameSizes(m: Shape, a: Shape, b: Shape): void {
  if (sizeOf(m) !== sizeOf(a) || sizeOf(a) !== sizeOf(b)) throw new ParalensError(`select: mask ${fmtShape(m)}, ${fmtShape(a)} and ${fmtShape(b)} differ in size`);
}

// ---- the lenses -----------------------------------------------------------

/** A change at the output's shape summed down to an operand's shape (nothing to do when they agree). */
function unbroadcast(ops: RealOps, d: Value | null, shape: Shape): Value | null {
  if (d === null) return null;
  const full = ops.shape(d);
  return full.length === shape.length && full.every((n, i) => n === shape[i]) ? d : ops.sumTo(d, shape);
}

/** The per-example shape `s` padded with leading 1s to `rank` axes, so batched values align at the batch axis. */
const padded = (s: Shape, rank: number): Shape => [...new Array<number>(rank - s.length).fill(1), ...s];

/**
 * The lens A x B -> broadcast(A, B) of a binary op on two data wires. Shapes
 * are per example: they are aligned at their last axes, as NumPy does, and
 * the batch axis in front of both stays matched.
 *
 * @example
 * ```ts
 * const addRow = layers.elementwise("add", [2, 3], [3]);  // NumPy broadcasting over the trailing axes
 * addRow.cod;  // [[2, 3]]
 * ```
 *
 * @category Layers
 */
export function elementwise(name: BinaryName, a: Shape, b: Shape): Lens<readonly [Shape, Shape], readonly [Shape]> {
  bringLensOps();
  if (typeof name !== "string" || !Object.hasOwn(rows, name)) throw new ParalensError(`elementwise: the op must be one of ${Object.keys(rows).join(", ")}, got ${describe(name)}`);
  checkShape(a, "elementwise");
  checkShape(b, "elementwise");
  const reverse = rows[name].reverse;
  if (reverse === undefined) throw new ParalensError(`${name} has no reverse derivative to make a lens of`);
  const rank = Math.max(a.length, b.length);
  const [pa, pb] = [padded(a, rank), padded(b, rank)];
  const shape = broadcastShape(name, pa, pb);
  const method = (name === "add" ? "plus" : name === "max" ? "maximum" : name === "min" ? "minimum" : name) as "plus" | "sub" | "mul" | "div" | "maximum" | "minimum";
  type Kept = { av: Value; bv: Value; c: Value; n: number };
  return lens<readonly [Shape, Shape], readonly [Shape], Kept>({
    name: `${name}(${fmtShape(a)}, ${fmtShape(b)})`,
    dom: [a, b],
    cod: [shape],
    forward(ops, [x, y]) {
      const n = ops.shape(x!)[0]!;
      const [av, bv] = [ops.reshape(x!, [n, ...pa]), ops.reshape(y!, [n, ...pb])];
      const c = ops[method](av, bv);
      return [[c], { av, bv, c, n }];
    },
    reverse(ops, { av, bv, c, n }, [dc]) {
      const [da, db] = reverse(ops, av, bv, c, dc!);
      const back = (d: Value | null, p: Shape, s: Shape): Value | null => {
        const r = unbroadcast(ops, d, [n, ...p]);
        return r === null ? null : ops.reshape(r, [n, ...s]);
      };
      return [back(da, pa, a), back(db, pb, b)];
    },
  });
}

/**
 * The Para x -> x OP p with a parameter p of `shape` (no batch axis) that
 * broadcasts over the input's last axes: a per-feature gain or shift. Its
 * reverse is the op's, with p's change summed over the batch and every
 * repeated axis.
 */
export function parameterised(name: "add" | "mul", shape: Shape, param: ParamSpec): AnyShape<false> {
  bringLensOps();
  const reverse = rows[name].reverse!;
  return anyShape(`${name}(${param.name} ${fmtShape(shape)})`, false, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`${name}(${param.name}): acts on one wire, got ${fmtWires(dom)}`);
    const cod = broadcastShape(`${name}(${param.name})`, dom[0]!, shape);
    return para<Wires, Wires, { x: Value; p: Value; c: Value }>({
      name: `${name}(${param.name} ${fmtShape(shape)})`,
      dom,
      cod: [cod],
      params: [param],
      forward(ops, [p], [x]) {
        const c = name === "add" ? ops.plus(x!, p!) : ops.mul(x!, p!);
        return [[c], { x: x!, p: p!, c }];
      },
      reverse(ops, { x, p, c }, [dc]) {
        const [dx, dp] = reverse(ops, x, p, c, dc!);
        return [[unbroadcast(ops, dp, shape)], [unbroadcast(ops, dx, ops.shape(x))]];
      },
    });
  });
}

/**
 * where(S): mask x a x b -> c with c = mask != 0 ? a : b (all of shape S). Reverse: the change goes to the chosen side; the mask gets none.
 *
 * @example
 * ```ts
 * const pick = layers.where([2]);  // (condition, a, b) -> condition ? a : b
 * pick.forward(backends.reference, [], [backends.refTensor([1, 2], [1, 0]), backends.refTensor([1, 2], [1, 2]), backends.refTensor([1, 2], [3, 4])])[0][0]!.data;  // Float64Array [1, 4]
 * ```
 *
 * @category Layers
 */
export function where(shape: Shape): Lens<readonly [Shape, Shape, Shape], readonly [Shape]> {
  checkShape(shape, "where");
  return lens<readonly [Shape, Shape, Shape], readonly [Shape], Value>({
    name: `where(${fmtShape(shape)})`,
    dom: [shape, shape, shape],
    cod: [shape],
    forward: (ops, [m, a, b]) => [[ops.select(m!, a!, b!)], m!],
    reverse(ops, m, [dc]) {
      const zero = ops.zeros(ops.shape(dc!));
      return [null, ops.select(m, dc!, zero), ops.select(m, zero, dc!)];
    },
  });
}

