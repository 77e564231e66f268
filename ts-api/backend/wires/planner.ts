// Products of wires, slices and tying maps in the wasm planner: what gated
// cells, unrolled sequences and tied (circulant) weights are composed from.
// The Planner's methods of the same names delegate here.
import type { Value } from "../../algebra/category.ts";
import type { Shape } from "../../algebra/shapes.ts";
import type { Engine } from "../../engine/engine.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import { type Tensor, sizeOf } from "../../engine/tensor.ts";
import { batchDims, rowsCols } from "../ops.ts";

/** What these functions need from a Planner: its engine, output allocation, call recording and index tables. */
export interface WireKit {
  readonly engine: Engine;
  out(shape: Shape): Tensor;
  emit(name: string, run: () => void, reads: Tensor[], writes: Tensor[]): void;
  /** The index as an i32 tensor written once when the plan is made. */
  indexTable(index: Int32Array): Tensor;
}

const T = (v: Value): Tensor => v as unknown as Tensor;
const V = (t: Tensor): Value => t as unknown as Value;

function sameSize(what: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new ParalensError(`${what}: ${fmtShape(a.shape)} and ${fmtShape(b.shape)} differ in size`);
}

export function mul(p: WireKit, av: Value, bv: Value): Value {
  const [a, b] = [T(av), T(bv)];
  sameSize("mul", a, b);
  const c = p.out(a.shape);
  const core = p.engine.core;
  p.emit("mul", () => core.mul(c.offset, a.offset, b.offset, c.size), [a, b], [c]);
  return V(c);
}

export function concatColumns(p: WireKit, parts: readonly Value[], shape: Shape): Value {
  const xs = parts.map(T);
  const [rows, cols] = rowsCols(shape);
  const widths = xs.map((x) => checkRows("concatColumns", x, rows));
  const total = widths.reduce((a, b) => a + b, 0);
  if (total !== cols || sizeOf(shape) !== rows * cols) {
    throw new ParalensError(`concatColumns: parts ${xs.map((x) => fmtShape(x.shape)).join(", ")} do not make ${fmtShape(shape)}`);
  }
  const c = p.out(shape);
  const core = p.engine.core;
  const starts = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  p.emit(
    "concatColumns",
    () => {
      for (let i = 0; i < xs.length; i++) {
        if (widths[i]! > 0) core.copyStrided(c.offset + 4 * starts[i]!, cols, xs[i]!.offset, widths[i]!, rows, widths[i]!);
      }
    },
    xs,
    [c],
  );
  return V(c);
}

export function sliceColumns(p: WireKit, xv: Value, from: number, width: number, shape: Shape): Value {
  const x = T(xv);
  const [rows, cols] = rowsCols(x.shape);
  if (!Number.isInteger(from) || !Number.isInteger(width) || from < 0 || width < 0 || from + width > cols) {
    throw new ParalensError(`sliceColumns: columns [${from}, ${from + width}) are not within the ${cols} of ${fmtShape(x.shape)}`);
  }
  if (shape[0] !== rows || sizeOf(shape) !== rows * width) {
    throw new ParalensError(`sliceColumns: ${rows} rows of ${width} columns cannot have shape ${fmtShape(shape)}`);
  }
  // one row, or all columns: the slice is contiguous, so a view will do
  if (rows === 1 || width === cols) return V(x.slice(from, shape));
  const c = p.out(shape);
  const core = p.engine.core;
  p.emit("sliceColumns", () => core.copyStrided(c.offset, width, x.offset + 4 * from, cols, rows, width), [x], [c]);
  return V(c);
}

export function gather(p: WireKit, xv: Value, index: Int32Array, shape: Shape): Value {
  const x = T(xv);
  checkIndex("gather", index, x.size, shape);
  const idx = p.indexTable(index);
  const c = p.out(shape);
  const core = p.engine.core;
  p.emit("gather", () => core.gather(c.offset, x.offset, idx.offset, index.length), [x, idx], [c]);
  return V(c);
}

export function scatterAdd(p: WireKit, dv: Value, index: Int32Array, shape: Shape): Value {
  const d = T(dv);
  if (d.size !== index.length) throw new ParalensError(`scatterAdd: ${d.size} changes for an index of ${index.length}`);
  checkIndex("scatterAdd", index, sizeOf(shape), d.shape);
  const idx = p.indexTable(index);
  const c = p.out(shape);
  const core = p.engine.core;
  p.emit("scatterAdd", () => core.scatterAdd(c.offset, c.size, d.offset, idx.offset, index.length), [d, idx], [c]);
  return V(c);
}

export function batchMatmul(p: WireKit, av: Value, bv: Value, transA: boolean, transB: boolean): Value {
  const [a, b] = [T(av), T(bv)];
  const [count, m, k, n] = batchDims(a.shape, b.shape, transA, transB);
  const c = p.out([count, m, n]);
  const core = p.engine.core;
  const kernel = transA ? core.gemmTN : transB ? core.gemmNT : core.gemmNN;
  // no kernel of its own: one gemm per example, on offsets into the batch
  const [sa, sb, sc] = [4 * m * k, 4 * k * n, 4 * m * n];
  p.emit(
    transA ? "batchGemmTN" : transB ? "batchGemmNT" : "batchGemmNN",
    () => {
      for (let i = 0; i < count; i++) kernel(c.offset + i * sc, a.offset + i * sa, b.offset + i * sb, m, n, k, 0);
    },
    [a, b],
    [c],
  );
  return V(c);
}

function checkRows(what: string, x: Tensor, rows: number): number {
  const [r, c] = rowsCols(x.shape);
  if (r !== rows) throw new ParalensError(`${what}: ${fmtShape(x.shape)} has ${r} rows, expected ${rows}`);
  return c;
}

function checkIndex(what: string, index: Int32Array, size: number, shape: Shape): void {
  if (sizeOf(shape) !== index.length) throw new ParalensError(`${what}: an index of ${index.length} entries cannot make ${fmtShape(shape)}`);
  for (let t = 0; t < index.length; t++) {
    const i = index[t]!;
    if (i >= size) throw new ParalensError(`${what}: index[${t}] = ${i} is outside the ${size} values it reads`);
  }
}
