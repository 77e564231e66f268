// The shape of every pointwise op: one kernel call over all values, output
// shaped like the input, and its float64 reference a function of one value
// (or of a value and its change, for fused reverse kernels), made apart from
// the plan (ops/op.ts says why).
import type { Value } from "../algebra/category.ts";
import type { Core } from "../engine/core.ts";
import { type AnyShape, lens, anyShape } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";
import type { RealOps } from "./index.ts";
import { sameSize } from "./checks.ts";
import { type Op, type PlannedOp, op, planned } from "./op.ts";
import { type RefTensor, mapRef } from "./ref-tensor.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";

type Kernel1 = { [K in keyof Core]: Core[K] extends (y: number, x: number, n: number) => void ? K : never }[keyof Core];
type Kernel2 = { [K in keyof Core]: Core[K] extends (dx: number, u: number, dy: number, n: number) => void ? K : never }[keyof Core];

/** y = f(x) elementwise, by the kernel of the same name, with its float64 reference and, if given, its ONNX lowering. */
/* @__NO_SIDE_EFFECTS__ */
export function unary(kernel: Kernel1, f64: (x: number) => number, onnx?: string | UnaryLowering): Op<[x: Value]> {
  return op<[x: Value]>({ ...unaryKernel(kernel), reference: unaryReference(f64), onnx: onnx === undefined ? undefined : unaryLowering(onnx) });
}

/** y = f(x) elementwise, by the kernel of the same name: a planned op, its reference and lowering apart (ops/op.ts). */
/* @__NO_SIDE_EFFECTS__ */
export function unaryKernel(kernel: Kernel1): PlannedOp<[x: Value]> {
  return planned<[x: Value]>({
    plan(p, x) {
      const y = p.out(x.shape);
      p.emit(kernel, () => p.core[kernel](y.offset, x.offset, x.size), [x], [y]);
      return y;
    },
  });
}

/** The float64 reference of a unary op: f64 on every value. */
/* @__NO_SIDE_EFFECTS__ */
export function unaryReference(f64: (x: number) => number): (x: RefTensor) => RefTensor {
  return (x) => mapRef(x, f64);
}

/** The ONNX lowering of a unary op: the operator of the same function, or a lowering of its own. */
/* @__NO_SIDE_EFFECTS__ */
export function unaryLowering(onnx: string | UnaryLowering): UnaryLowering {
  return typeof onnx === "string" ? (g, x) => g.node(onnx, [x], x.shape) : onnx;
}

type UnaryLowering = (g: OnnxContext, x: OnnxValue) => OnnxValue;

/** dx = f(u, dy) elementwise (a fused reverse kernel; u is what the forward pass kept): a planned op. */
/* @__NO_SIDE_EFFECTS__ */
export function unaryReverse(kernel: Kernel2): PlannedOp<[u: Value, dy: Value]> {
  return planned<[u: Value, dy: Value]>({
    plan(p, u, dy) {
      sameSize(kernel, u.shape, dy.shape);
      const dx = p.out(u.shape);
      p.emit(kernel, () => p.core[kernel](dx.offset, u.offset, dy.offset, u.size), [u, dy], [dx]);
      return dx;
    },
  });
}

/** The float64 reference of unaryReverse(kernel): f64 on each value and its change. */
/* @__NO_SIDE_EFFECTS__ */
export function unaryReverseReference(kernel: Kernel2, f64: (u: number, dy: number) => number): (u: RefTensor, dy: RefTensor) => RefTensor {
  return (u, dy) => {
    sameSize(kernel, u.shape, dy.shape);
    return mapRef(u, (v, i) => f64(v, dy.data[i]!));
  };
}

/**
 * The lens of a pointwise op on a wire of any shape (a AnyShape layer): forward
 * `f`, and `reverse` from the value it keeps, the input x or the output y
 * (sigmoid's derivative is a function of its output, so it keeps that).
 */
/* @__NO_SIDE_EFFECTS__ */
export function pointwise(
  name: string,
  keeps: "x" | "y",
  f: (ops: RealOps, x: Value) => Value,
  reverse: (ops: RealOps, kept: Value, dy: Value) => Value,
): AnyShape<true> {
  return anyShape(name, true, (dom) => {
    if (dom.length !== 1) throw new ParalensError(`${name}: acts on one wire, got ${fmtWires(dom)}`);
    return lens<Wires, Wires, Value>({
      name,
      dom,
      cod: dom,
      forward(ops, [x]) {
        const y = f(ops, x!);
        return [[y], keeps === "y" ? y : x!];
      },
      reverse: (ops, kept, [dy]) => [reverse(ops, kept, dy!)],
    });
  });
}
