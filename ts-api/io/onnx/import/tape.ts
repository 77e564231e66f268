// The imported graph's forward pass as a tape: each primitive below calls the
// backend's ops (RealOps, so the same code runs on the planner, the float64
// reference and the ONNX exporter) and records, beside them, its reverse
// written with ops too. The reverse pass walks the tape backwards and sums the
// changes of every use, as `wire` does for a diagram (micrograd's design).
import type { Value } from "../../../algebra/category.ts";
import type { Shape } from "../../../algebra/shapes.ts";
import type { RealOps } from "../../../ops/index.ts";
import { registerOps } from "../../../ops/registry.ts";
import { unaryOps } from "../../../ops/unary.ts";
import { wireOps } from "../../../ops/wires.ts";
import { type Known, sizeOf } from "./known.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => unaryOps);
registerOps(() => wireOps);

/**
 * A value on the tape. `shape` is the backend's (batch axis first when
 * `batched`); `nhwc` marks a 4-d image kept channels-last while the graph
 * sees it as NCHW, so convolutions and poolings in a row transpose nothing.
 */
export class Tv {
  constructor(
    readonly value: Value,
    readonly shape: Shape,
    readonly batched: boolean,
    /** Whether a change must reach it (it depends on a parameter or an input that is not frozen). */
    readonly grad: boolean,
    readonly nhwc = false,
  ) {}
  /** Its NCHW counterpart, once made. */
  nchwCopy?: Tv;
  nhwcCopy?: Tv;
}

interface Entry {
  readonly ins: readonly Tv[];
  readonly outs: readonly Tv[];
  /** The inputs' changes from the outputs' changes (zeros for the unused); null where `need` is false. */
  readonly back: (dy: readonly Value[], need: readonly boolean[]) => (Value | null)[];
}

export type Unary = "relu" | "sigmoid" | "tanh" | "exp" | "log" | "sqrt" | "neg" | "abs" | "erf" | "square" | "reciprocal";
export type Binary = "add" | "sub" | "mul" | "div" | "max" | "min";

export class Tape {
  private readonly entries: Entry[] = [];
  private readonly constants = new Map<Known, Tv>();
  private readonly indices = new Map<Int32Array, Map<number, Int32Array>>();

  constructor(
    readonly ops: RealOps,
    /** The batch size of this run. */
    readonly n: number,
  ) {}

  /** A parameter or an input. */
  leaf(value: Value, batched: boolean, grad: boolean): Tv {
    return new Tv(value, this.ops.shape(value), batched, grad);
  }

  /** Records outputs made from `ins`, with their reverse. */
  record(ins: readonly Tv[], outs: readonly { value: Value; batched?: boolean; nhwc?: boolean }[], back: Entry["back"]): Tv[] {
    const grad = ins.some((x) => x.grad);
    const batched = ins.some((x) => x.batched);
    const tvs = outs.map((o) => new Tv(o.value, this.ops.shape(o.value), o.batched ?? batched, grad, o.nhwc ?? false));
    if (grad) this.entries.push({ ins, outs: tvs, back });
    return tvs;
  }

  one(ins: readonly Tv[], value: Value, back: (dy: Value, need: readonly boolean[]) => (Value | null)[], nhwc = false): Tv {
    return this.record(ins, [{ value, nhwc }], (dy, need) => back(dy[0]!, need))[0]!;
  }

  /** A constant folded at import, as f32 (one per run). */
  constant(k: Known): Tv {
    let t = this.constants.get(k);
    if (t === undefined) this.constants.set(k, (t = new Tv(this.ops.constant(Float32Array.from(k.data), k.shape), k.shape, false, false)));
    return t;
  }

  unary(kind: Unary, x: Tv): Tv {
    const o = this.ops;
    const keep = x.nhwc;
    switch (kind) {
      case "relu": return this.one([x], o.relu(x.value), (dy) => [o.reluReverse(x.value, dy)], keep);
      case "sigmoid": {
        const y = o.sigmoid(x.value);
        return this.one([x], y, (dy) => [o.sigmoidReverse(y, dy)], keep);
      }
      case "tanh": {
        const y = o.tanh(x.value);
        return this.one([x], y, (dy) => [o.tanhReverse(y, dy)], keep);
      }
      case "exp": {
        const y = o.exp(x.value);
        return this.one([x], y, (dy) => [o.mul(dy, y)], keep);
      }
      case "log": return this.one([x], o.log(x.value), (dy) => [o.div(dy, x.value)], keep);
      case "sqrt": {
        const y = o.sqrt(x.value);
        return this.one([x], y, (dy) => [o.scale(o.div(dy, y), 0.5)], keep);
      }
      case "neg": return this.one([x], o.neg(x.value), (dy) => [o.neg(dy)], keep);
      case "abs": return this.one([x], o.abs(x.value), (dy) => [o.mul(dy, o.sign(x.value))], keep);
      case "square": return this.one([x], o.square(x.value), (dy) => [o.scale(o.mul(dy, x.value), 2)], keep);
      case "erf":
        // d erf(x) = 2 / sqrt(pi) e^(-x^2)
        return this.one([x], o.erf(x.value), (dy) => [o.mul(dy, o.scale(o.exp(o.neg(o.square(x.value))), 2 / Math.sqrt(Math.PI)))], keep);
      case "reciprocal": {
        const y = o.div(o.fill([1], 1), x.value);
        return this.one([x], y, (dy) => [o.neg(o.mul(dy, o.square(y)))], keep);
      }
    }
  }

  /** An elementwise op with NumPy broadcasting over the backend shapes (trailing axes aligned); each change summed back to its operand's shape. */
  binary(kind: Binary, a: Tv, b: Tv, nhwc = a.nhwc && b.nhwc): Tv {
    const o = this.ops;
    const [x, y] = [a.value, b.value];
    const back = (d: Value | null, s: Shape): Value | null => (d === null || sameShape(o.shape(d), s) ? d : o.sumTo(d, s));
    switch (kind) {
      case "add": return this.one([a, b], o.plus(x, y), (dy, [na, nb]) => [na ? back(dy, a.shape) : null, nb ? back(dy, b.shape) : null], nhwc);
      case "sub": return this.one([a, b], o.sub(x, y), (dy, [na, nb]) => [na ? back(dy, a.shape) : null, nb ? back(o.neg(dy), b.shape) : null], nhwc);
      case "mul": return this.one([a, b], o.mul(x, y), (dy, [na, nb]) => [na ? back(o.mul(dy, y), a.shape) : null, nb ? back(o.mul(dy, x), b.shape) : null], nhwc);
      case "div": {
        const c = o.div(x, y);
        return this.one([a, b], c, (dy, [na, nb]) => [na ? back(o.div(dy, y), a.shape) : null, nb ? back(o.neg(o.mul(dy, o.div(c, y))), b.shape) : null], nhwc);
      }
      case "max":
      case "min": {
        const c = kind === "max" ? o.maximum(x, y) : o.minimum(x, y);
        // the change goes to the operand that won (to a on a tie)
        return this.one([a, b], c, (dy, [na, nb]) => {
          const full = o.shape(dy);
          const wins = o.equal(o.broadcastTo(x, full), c);
          const zero = o.zeros(full);
          return [na ? back(o.select(wins, dy, zero), a.shape) : null, nb ? back(o.select(wins, zero, dy), b.shape) : null];
        }, nhwc);
      }
    }
  }

  scale(x: Tv, s: number): Tv {
    return s === 1 ? x : this.one([x], this.ops.scale(x.value, s), (dy) => [this.ops.scale(dy, s)], x.nhwc);
  }

  /** The same values seen with another backend shape. */
  reshape(x: Tv, shape: Shape): Tv {
    if (sameShape(x.shape, shape)) return x;
    return this.one([x], this.ops.reshape(x.value, shape), (dy) => [this.ops.reshape(dy, x.shape)]);
  }

  /**
   * out[t] = x[map[t]] for each example (an index map of one example's
   * values: a transpose, a slice, a padding where map[t] < 0 reads 0);
   * `shape` is one example's output. Reverse: scatter-add.
   */
  indexMap(x: Tv, map: Int32Array, shape: Shape, nhwc = false): Tv {
    const full = x.batched ? [this.n, ...shape] : [...shape];
    const index = x.batched ? this.batchIndex(map, sizeOf(x.shape) / this.n) : map;
    const o = this.ops;
    return this.one([x], o.gather(x.value, index, full), (dy) => [o.scatterAdd(dy, index, x.shape)], nhwc);
  }

  private batchIndex(map: Int32Array, size: number): Int32Array {
    let byN = this.indices.get(map);
    if (byN === undefined) this.indices.set(map, (byN = new Map()));
    let index = byN.get(this.n);
    if (index === undefined) {
      index = new Int32Array(this.n * map.length);
      for (let e = 0; e < this.n; e++) for (let t = 0; t < map.length; t++) index[e * map.length + t] = map[t]! < 0 ? -1 : e * size + map[t]!;
      byN.set(this.n, index);
    }
    return index;
  }

  /** op(a) op(b) of two matrices. */
  matmul(a: Tv, b: Tv, transB: boolean): Tv {
    const o = this.ops;
    return this.one([a, b], o.matmul(a.value, b.value, false, transB), (dy, [na, nb]) => [
      na ? o.matmul(dy, b.value, false, !transB) : null,
      nb ? (transB ? o.matmul(dy, a.value, true, false) : o.matmul(a.value, dy, true, false)) : null,
    ]);
  }

  /** a[e] b[e] for each matrix e of two batches [count, m, k] and [count, k, n]. */
  batchMatmul(a: Tv, b: Tv): Tv {
    const o = this.ops;
    return this.one([a, b], o.batchMatmul(a.value, b.value, false, false), (dy, [na, nb]) => [
      na ? o.batchMatmul(dy, b.value, false, true) : null,
      nb ? o.batchMatmul(a.value, dy, true, false) : null,
    ]);
  }

  /** Softmax or log-softmax of each row (the last axis). */
  rows(kind: "softmax" | "logSoftmax", x: Tv): Tv {
    const o = this.ops;
    const last = x.shape[x.shape.length - 1]!;
    const flat = [sizeOf(x.shape) / last, last];
    const y = o.reshape(o[kind](o.reshape(x.value, flat)), x.shape);
    if (kind === "softmax") return this.one([x], y, (dy) => [o.reshape(o.softmaxReverse(o.reshape(y, flat), o.reshape(dy, flat)), x.shape)]);
    // d log softmax: dx = dy - softmax(x) * sum(dy) over the row
    return this.one([x], y, (dy) => {
      const rowsDy = o.reshape(dy, flat);
      return [o.reshape(o.sub(rowsDy, o.mul(o.exp(o.reshape(y, flat)), o.sumTo(rowsDy, [flat[0]!, 1]))), x.shape)];
    });
  }

  /** x summed down to `shape` (a shape that broadcasts to x's). Reverse: broadcast back. */
  sumTo(x: Tv, shape: Shape): Tv {
    if (sameShape(x.shape, shape)) return x;
    return this.one([x], this.ops.sumTo(x.value, shape), (dy) => [this.ops.broadcastTo(dy, x.shape)]);
  }

  /** x repeated to `shape`. Reverse: summed back. */
  broadcast(x: Tv, shape: Shape, batched = x.batched): Tv {
    if (sameShape(x.shape, shape)) return x;
    return this.record([x], [{ value: this.ops.broadcastTo(x.value, shape), batched }], (dy) => [this.ops.sumTo(dy[0]!, x.shape)])[0]!;
  }

  /** m != 0 ? a : b, all of one shape (m takes no change). */
  select(m: Tv, a: Tv, b: Tv): Tv {
    const o = this.ops;
    return this.one([m, a, b], o.select(m.value, a.value, b.value), (dy, [, na, nb]) => {
      const zero = o.zeros(o.shape(dy));
      return [null, na ? o.select(m.value, dy, zero) : null, nb ? o.select(m.value, zero, dy) : null];
    });
  }

  /** Parts [rows, width_i] side by side as [rows, sum width_i]. Reverse: slices. */
  concatColumns(parts: readonly Tv[], shape: Shape): Tv {
    const o = this.ops;
    const widths = parts.map((p) => p.shape[1]!);
    const starts = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
    return this.one(parts, o.concatColumns(parts.map((p) => p.value), shape), (dy, need) =>
      parts.map((p, i) => (need[i] ? o.sliceColumns(dy, starts[i]!, widths[i]!, p.shape) : null)),
    );
  }

  /** The changes of `wanted` from the changes of the outputs (null: none reaches it). */
  backward(seeds: readonly [Tv, Value | null][], wanted: readonly Tv[]): (Value | null)[] {
    const o = this.ops;
    const grads = new Map<Tv, Value>();
    const accumulate = (t: Tv, d: Value): void => {
      const had = grads.get(t);
      grads.set(t, had === undefined ? d : o.add(had, d));
    };
    for (const [t, d] of seeds) if (d !== null && t.grad) accumulate(t, d);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      const dys = e.outs.map((t) => grads.get(t) ?? null);
      if (dys.every((d) => d === null)) continue;
      const dx = e.back(
        dys.map((d, j) => d ?? o.zeros(e.outs[j]!.shape)),
        e.ins.map((t) => t.grad),
      );
      e.ins.forEach((t, j) => {
        const d = dx[j];
        if (d !== null && d !== undefined && t.grad) accumulate(t, sameShape(o.shape(d), t.shape) ? d : o.reshape(d, t.shape));
      });
    }
    return wanted.map((t) => grads.get(t) ?? null);
  }
}

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
