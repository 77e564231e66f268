// Views, products of wires, slices and index maps: what gated cells (GRU,
// LSTM), unrolled sequences and tied (circulant) weights are composed from.
// Each comes with its partner as reverse: concat and slice, gather and
// scatter-add, so none needs a gradient kernel of its own.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { checkShape } from "../engine/tensor.ts";
import { op } from "./op.ts";
import { refTensor, rowsCols, sizeOf } from "./ref-tensor.ts";

function concatWidths(parts: readonly Shape[], shape: Shape): number[] {
  const [rows, cols] = rowsCols(shape);
  const widths = parts.map((s) => {
    const [r, c] = rowsCols(s);
    if (r !== rows) throw new ParalensError(`concatColumns: ${fmtShape(s)} has ${r} rows, expected ${rows}`);
    return c;
  });
  if (widths.reduce((a, b) => a + b, 0) !== cols || sizeOf(shape) !== rows * cols) {
    throw new ParalensError(`concatColumns: parts ${parts.map(fmtShape).join(", ")} do not make ${fmtShape(shape)}`);
  }
  return widths;
}

function checkSlice(x: Shape, from: number, width: number, shape: Shape): [number, number] {
  const [rows, cols] = rowsCols(x);
  if (!Number.isInteger(from) || !Number.isInteger(width) || from < 0 || width < 0 || from + width > cols) {
    throw new ParalensError(`sliceColumns: columns [${from}, ${from + width}) are not within the ${cols} of ${fmtShape(x)}`);
  }
  if (shape[0] !== rows || sizeOf(shape) !== rows * width) {
    throw new ParalensError(`sliceColumns: ${rows} rows of ${width} columns cannot have shape ${fmtShape(shape)}`);
  }
  return [rows, cols];
}

function checkIndex(what: string, index: Int32Array, size: number, shape: Shape): void {
  if (sizeOf(shape) !== index.length) throw new ParalensError(`${what}: an index of ${index.length} entries cannot make ${fmtShape(shape)}`);
  for (let t = 0; t < index.length; t++) {
    const i = index[t]!;
    if (i >= size) throw new ParalensError(`${what}: index[${t}] = ${i} is outside the ${size} values it reads`);
  }
}

function checkReshape(x: Shape, shape: Shape): void {
  checkShape(shape, "reshape");
  if (sizeOf(shape) !== sizeOf(x)) throw new ParalensError(`reshape: cannot view ${fmtShape(x)} (${sizeOf(x)} values) as ${fmtShape(shape)}`);
}

export const wireOps = {
  /** The same values seen with another shape of the same size (a view: no kernel runs). */
  reshape: op<[x: Value, shape: Shape]>({
    plan: (_p, x, shape) => x.reshape(shape),
    reference: (x, shape) => {
      checkReshape(x.shape, shape);
      return { shape: [...shape], data: x.data };
    },
    onnx: (g, x, shape) => {
      checkReshape(x.shape, shape);
      return g.reshape(x, shape);
    },
  }),

  /** The parts side by side along their columns: part i is rows x cols_i (rows = its first axis), the result rows x sum(cols_i) of the full `shape`. Reverse: sliceColumns. */
  concatColumns: op<[parts: readonly Value[], shape: Shape]>({
    plan(p, parts, shape) {
      const widths = concatWidths(parts.map((x) => x.shape), shape);
      const [rows, cols] = rowsCols(shape);
      const c = p.out(shape);
      const starts = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
      const run = (): void => {
        for (let i = 0; i < parts.length; i++) {
          if (widths[i]! > 0) p.core.copyStrided(c.offset + 4 * starts[i]!, cols, parts[i]!.offset, widths[i]!, rows, widths[i]!);
        }
      };
      p.emit("concatColumns", run, parts, [c]);
      return c;
    },
    reference(parts, shape) {
      const widths = concatWidths(parts.map((x) => x.shape), shape);
      const [rows, cols] = rowsCols(shape);
      const out = refTensor(shape);
      let from = 0;
      parts.forEach((part, i) => {
        const w = widths[i]!;
        for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out.data[r * cols + from + j] = part.data[r * w + j]!;
        from += w;
      });
      return out;
    },
    onnx(g, parts, shape) {
      const widths = concatWidths(parts.map((x) => x.shape), shape);
      const rows = rowsCols(shape)[0];
      const used = parts.flatMap((x, i) => (widths[i]! > 0 ? [g.reshape(x, [rows, widths[i]!])] : []));
      if (used.length === 0) return g.floats([], shape);
      const whole = used.length === 1 ? used[0]! : g.node("Concat", used, rowsCols(shape), { axis: { int: 1 } });
      return g.reshape(whole, shape);
    },
  }),

  /** Columns [from, from + width) of x (seen as rows x cols), as a value of the full `shape`. Reverse: concatColumns with zeros. */
  sliceColumns: op<[x: Value, from: number, width: number, shape: Shape]>({
    plan(p, x, from, width, shape) {
      const [rows, cols] = checkSlice(x.shape, from, width, shape);
      // one row, or all columns: the slice is contiguous, so a view will do
      if (rows === 1 || width === cols) return x.slice(from, shape);
      const c = p.out(shape);
      p.emit("sliceColumns", () => p.core.copyStrided(c.offset, width, x.offset + 4 * from, cols, rows, width), [x], [c]);
      return c;
    },
    reference(x, from, width, shape) {
      const [rows, cols] = checkSlice(x.shape, from, width, shape);
      const out = refTensor(shape);
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out.data[r * width + j] = x.data[r * cols + from + j]!;
      return out;
    },
    onnx(g, x, from, width, shape) {
      const [rows, cols] = checkSlice(x.shape, from, width, shape);
      const slice = g.node("Slice", [g.reshape(x, [rows, cols]), g.int64s([from]), g.int64s([from + width]), g.int64s([1])], [rows, width]);
      return g.reshape(slice, shape);
    },
  }),

  /** out[t] = x[index[t]] over the flat values of x, 0 where index[t] < 0; out has `shape` (index.length values). */
  gather: op<[x: Value, index: Int32Array, shape: Shape]>({
    plan(p, x, index, shape) {
      checkIndex("gather", index, x.size, shape);
      const idx = p.constant(index);
      const c = p.out(shape);
      p.emit("gather", () => p.core.gather(c.offset, x.offset, idx.offset, index.length), [x, idx], [c]);
      return c;
    },
    reference(x, index, shape) {
      checkIndex("gather", index, x.data.length, shape);
      const out = refTensor(shape);
      for (let t = 0; t < index.length; t++) out.data[t] = index[t]! < 0 ? 0 : x.data[index[t]!]!;
      return out;
    },
    onnx(g, x, index, shape) {
      const size = sizeOf(x.shape);
      checkIndex("gather", index, size, shape);
      // a negative index reads 0: a zero appended after x's values, at index `size`
      const padded = index.some((i) => i < 0);
      const flat = g.reshape(x, [size]);
      const values = padded ? g.node("Concat", [flat, g.floats([0], [1])], [size + 1], { axis: { int: 0 } }) : flat;
      const at = g.int64s(Array.from(index, (i) => (i < 0 ? size : i)), [index.length]);
      return g.reshape(g.node("Gather", [values, at], [index.length], { axis: { int: 0 } }), shape);
    },
  }),

  /** The reverse of gather: out (`shape`) = 0, then out[index[t]] += d[t] for every t with index[t] >= 0. */
  scatterAdd: op<[d: Value, index: Int32Array, shape: Shape]>({
    plan(p, d, index, shape) {
      if (d.size !== index.length) throw new ParalensError(`scatterAdd: ${d.size} changes for an index of ${index.length}`);
      checkIndex("scatterAdd", index, sizeOf(shape), d.shape);
      const idx = p.constant(index);
      const c = p.out(shape);
      p.emit("scatterAdd", () => p.core.scatterAdd(c.offset, c.size, d.offset, idx.offset, index.length), [d, idx], [c]);
      return c;
    },
    reference(d, index, shape) {
      if (d.data.length !== index.length) throw new ParalensError(`scatterAdd: ${d.data.length} changes for an index of ${index.length}`);
      checkIndex("scatterAdd", index, sizeOf(shape), d.shape);
      const out = refTensor(shape);
      for (let t = 0; t < index.length; t++) if (index[t]! >= 0) out.data[index[t]!] = out.data[index[t]!]! + d.data[t]!;
      return out;
    },
  }),
};
