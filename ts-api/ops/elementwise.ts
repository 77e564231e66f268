// Sums, scalings and fills: the linear structure every other op's reverse
// pass is written with.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { checkShape } from "../engine/tensor.ts";
import { sameSize } from "./checks.ts";
import { op } from "./op.ts";
import { mapRef, refTensor } from "./ref-tensor.ts";

/** a + b, of one size: the reverse of copying a wire. */
export const add = op<[a: Value, b: Value]>({
  plan(p, a, b) {
    sameSize("add", a.shape, b.shape);
    const c = p.out(a.shape);
    p.emit("add", () => p.core.add(c.offset, a.offset, b.offset, c.size), [a, b], [c]);
    return c;
  },
  reference: (a, b) => {
    sameSize("add", a.shape, b.shape);
    return mapRef(a, (x, i) => x + b.data[i]!);
  },
  onnx: (g, a, b) => g.node("Add", [a, g.reshape(b, a.shape)], a.shape),
});

/** s a */
export const scale = op<[a: Value, s: number]>({
  plan(p, a, s) {
    const c = p.out(a.shape);
    p.emit("scale", () => p.core.scale(c.offset, a.offset, s, c.size), [a], [c]);
    return c;
  },
  reference: (a, s) => mapRef(a, (x) => s * x),
  onnx: (g, a, s) => g.node("Mul", [a, g.floats([s], [])], a.shape),
});

/** a + s b */
export const addScaled = op<[a: Value, b: Value, s: number]>({
  plan(p, a, b, s) {
    sameSize("addScaled", a.shape, b.shape);
    const c = p.out(a.shape);
    p.emit("addScaled", () => p.core.addScaled(c.offset, a.offset, b.offset, s, c.size), [a, b], [c]);
    return c;
  },
  reference: (a, b, s) => {
    sameSize("addScaled", a.shape, b.shape);
    return mapRef(a, (x, i) => x + s * b.data[i]!);
  },
  onnx: (g, a, b, s) => g.node("Add", [a, g.node("Mul", [g.reshape(b, a.shape), g.floats([s], [])], a.shape)], a.shape),
});

/** A value of the full shape with every entry `value`. */
export const fill = op<[shape: Shape, value: number]>({
  plan(p, shape, value) {
    checkShape(shape, "fill");
    const c = p.out(shape);
    p.emit("fill", () => p.core.fill(c.offset, value, c.size), [], [c]);
    return c;
  },
  reference: (shape, value) => {
    checkShape(shape, "fill");
    return { shape: [...shape], data: new Float64Array(refTensor(shape).data.length).fill(value) };
  },
  onnx(g, shape, value) {
    checkShape(shape, "fill");
    return g.node("ConstantOfShape", [g.int64s(shape)], shape, { value: { tensor: { type: "float", dims: [1], values: [value] } } });
  },
});

/** The zero of a full shape: what a discarded wire's reverse sends back. */
export const zeros = op<[shape: Shape]>({
  plan: (p, shape) => fill.plan(p, shape, 0),
  reference: (shape) => fill.reference(shape, 0),
  onnx: (g, shape) => fill.onnx!(g, shape, 0),
});
