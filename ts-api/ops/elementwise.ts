// Sums, scalings and fills: the linear structure every other op's reverse
// pass is written with.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { checkShape } from "../engine/tensor.ts";
import { sameSize } from "./checks.ts";
import { type Lowerings, type References, planned } from "./op.ts";
import { mapRef, refTensor } from "./ref-tensor.ts";

/** a + b, of one size: the reverse of copying a wire. */
export const add = planned<[a: Value, b: Value]>({
  plan(p, a, b) {
    sameSize("add", a.shape, b.shape);
    const c = p.out(a.shape);
    p.emit("add", () => p.core.add(c.offset, a.offset, b.offset, c.size), [a, b], [c]);
    return c;
  },
});

/** s a */
export const scale = planned<[a: Value, s: number]>({
  plan(p, a, s) {
    const c = p.out(a.shape);
    p.emit("scale", () => p.core.scale(c.offset, a.offset, s, c.size), [a], [c]);
    return c;
  },
});

/** a + s b */
export const addScaled = planned<[a: Value, b: Value, s: number]>({
  plan(p, a, b, s) {
    sameSize("addScaled", a.shape, b.shape);
    const c = p.out(a.shape);
    p.emit("addScaled", () => p.core.addScaled(c.offset, a.offset, b.offset, s, c.size), [a, b], [c]);
    return c;
  },
});

/** A value of the full shape with every entry `value`. */
export const fill = planned<[shape: Shape, value: number]>({
  plan(p, shape, value) {
    checkShape(shape, "fill");
    const c = p.out(shape);
    p.emit("fill", () => p.core.fill(c.offset, value, c.size), [], [c]);
    return c;
  },
});

/** The zero of a full shape: what a discarded wire's reverse sends back. */
export const zeros = planned<[shape: Shape]>({
  plan: (p, shape) => fill.plan(p, shape, 0),
});

export const elementwiseOps = { add, zeros, fill, scale, addScaled };

export const elementwiseReferences: References<typeof elementwiseOps> = {
  add: (a, b) => {
    sameSize("add", a.shape, b.shape);
    return mapRef(a, (x, i) => x + b.data[i]!);
  },
  scale: (a, s) => mapRef(a, (x) => s * x),
  addScaled: (a, b, s) => {
    sameSize("addScaled", a.shape, b.shape);
    return mapRef(a, (x, i) => x + s * b.data[i]!);
  },
  fill: (shape, value) => {
    checkShape(shape, "fill");
    return { shape: [...shape], data: new Float64Array(refTensor(shape).data.length).fill(value) };
  },
  zeros: (shape) => elementwiseReferences.fill(shape, 0),
};

export const elementwiseLowerings: Lowerings<typeof elementwiseOps> = {
  add: (g, a, b) => g.node("Add", [a, g.reshape(b, a.shape)], a.shape),
  scale: (g, a, s) => g.node("Mul", [a, g.floats([s], [])], a.shape),
  addScaled: (g, a, b, s) => g.node("Add", [a, g.node("Mul", [g.reshape(b, a.shape), g.floats([s], [])], a.shape)], a.shape),
  fill(g, shape, value) {
    checkShape(shape, "fill");
    return g.node("ConstantOfShape", [g.int64s(shape)], shape, { value: { tensor: { type: "float", dims: [1], values: [value] } } });
  },
  zeros: (g, shape) => elementwiseLowerings.fill!(g, shape, 0),
};
