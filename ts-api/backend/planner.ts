// The wasm backend. Running a lens on a Planner does no arithmetic: every
// operation allocates its output in the arena and appends one kernel call to
// a list. The list, pruned to what the requested results need, is the plan
// that compile() hands back; running it is a loop over prepared closures.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import type { Engine } from "../engine/engine.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { Tensor, checkShape } from "../engine/tensor.ts";
import { type Activation, type RealOps, rowsCols } from "./ops.ts";
import * as conv from "./conv/planner.ts";
import * as wires from "./wires/planner.ts";
import type { Window2d } from "./conv/window.ts";

/** One kernel call with the tensors it reads and writes. */
export interface Step {
  readonly name: string;
  readonly run: () => void;
  readonly reads: readonly Tensor[];
  readonly writes: readonly Tensor[];
  /** Writes memory that outlives the plan (an optimiser's in-place update): never pruned. */
  readonly effect: boolean;
}

const T = (v: Value): Tensor => v as unknown as Tensor;
const V = (t: Tensor): Value => t as unknown as Value;

function sameSize(what: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new ParalensError(`${what}: ${fmtShape(a.shape)} and ${fmtShape(b.shape)} differ in size`);
}

export class Planner implements RealOps {
  readonly steps: Step[] = [];
  /** Tensors this plan made (compile() gives them memory, and frees it). */
  readonly owned: Tensor[] = [];
  readonly observed = new Map<string, Tensor>();

  /** The im2col matrices conv2d keeps for the filter gradient (conv/planner.ts). */
  private readonly im2col = new Map<Tensor, { g: Window2d; cols: Tensor }[]>();

  constructor(
    readonly engine: Engine,
    /** Whether a reverse pass will be planned (forward-only plans keep no residual-only buffers). */
    readonly planReverse = true,
  ) {}

  // Outputs get their memory when the plan is compiled (compile.ts), so that
  // tensors whose lives do not overlap can share it.
  private out(shape: Shape): Tensor {
    checkShape(shape, "planner");
    const t = Tensor.unplaced(this.engine, shape);
    this.owned.push(t);
    return t;
  }

  private emit(name: string, run: () => void, reads: Tensor[], writes: Tensor[], effect = false): void {
    this.steps.push({ name, run, reads, writes, effect });
  }

  // ---- Carrier --------------------------------------------------------------

  shape(v: Value): Shape {
    return T(v).shape;
  }

  observe(name: string, v: Value): void {
    this.observed.set(name, T(v));
  }

  add(a: Value, b: Value): Value {
    const [x, y] = [T(a), T(b)];
    sameSize("add", x, y);
    const c = this.out(x.shape);
    const core = this.engine.core;
    this.emit("add", () => core.add(c.offset, x.offset, y.offset, c.size), [x, y], [c]);
    return V(c);
  }

  zeros(shape: Shape): Value {
    return this.fill(shape, 0);
  }

  // ---- RealOps --------------------------------------------------------------

  reshape(x: Value, shape: Shape): Value {
    return V(T(x).reshape(shape));
  }

  matmul(av: Value, bv: Value, transA: boolean, transB: boolean): Value {
    const [a, b] = [T(av), T(bv)];
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new ParalensError(`matmul: needs matrices, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    }
    const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [k2, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (k !== k2) throw new ParalensError(`matmul: inner sizes differ: ${fmtShape(a.shape)}${transA ? "^T" : ""} x ${fmtShape(b.shape)}${transB ? "^T" : ""}`);
    if (transA && transB) throw new ParalensError("matmul: transposing both operands is not supported");
    const c = this.out([m, n]);
    const core = this.engine.core;
    const kernel = transA ? core.gemmTN : transB ? core.gemmNT : core.gemmNN;
    this.emit(transA ? "gemmTN" : transB ? "gemmNT" : "gemmNN", () => kernel(c.offset, a.offset, b.offset, m, n, k, 0), [a, b], [c]);
    return V(c);
  }

  addRowVector(xv: Value, bv: Value): Value {
    const [x, b] = [T(xv), T(bv)];
    const [rows, cols] = rowsCols(x.shape);
    if (b.size !== cols) throw new ParalensError(`addRowVector: rows of ${fmtShape(x.shape)} and vector ${fmtShape(b.shape)} differ`);
    const y = this.out(x.shape);
    const core = this.engine.core;
    this.emit("addRowVector", () => core.addRowVector(y.offset, x.offset, b.offset, rows, cols), [x, b], [y]);
    return V(y);
  }

  sumRows(xv: Value): Value {
    const x = T(xv);
    const [rows, cols] = rowsCols(x.shape);
    const y = this.out(x.shape.slice(1));
    const core = this.engine.core;
    this.emit("sumRows", () => core.sumRows(y.offset, x.offset, rows, cols), [x], [y]);
    return V(y);
  }

  scale(av: Value, s: number): Value {
    const a = T(av);
    const c = this.out(a.shape);
    const core = this.engine.core;
    this.emit("scale", () => core.scale(c.offset, a.offset, s, c.size), [a], [c]);
    return V(c);
  }

  addScaled(av: Value, bv: Value, s: number): Value {
    const [a, b] = [T(av), T(bv)];
    sameSize("addScaled", a, b);
    const c = this.out(a.shape);
    const core = this.engine.core;
    this.emit("addScaled", () => core.addScaled(c.offset, a.offset, b.offset, s, c.size), [a, b], [c]);
    return V(c);
  }

  fill(shape: Shape, value: number): Value {
    const c = this.out(shape);
    const core = this.engine.core;
    this.emit("fill", () => core.fill(c.offset, value, c.size), [], [c]);
    return V(c);
  }

  activation(f: Activation, xv: Value, alpha: number): Value {
    const x = T(xv);
    const y = this.out(x.shape);
    const core = this.engine.core;
    const n = x.size;
    const run =
      f === "sigmoid" ? () => core.sigmoid(y.offset, x.offset, n)
      : f === "tanh" ? () => core.tanh(y.offset, x.offset, n)
      : f === "relu" ? () => core.relu(y.offset, x.offset, n)
      : () => core.leakyRelu(y.offset, x.offset, n, alpha);
    this.emit(f, run, [x], [y]);
    return V(y);
  }

  activationReverse(f: Activation, uv: Value, dyv: Value, alpha: number): Value {
    const [u, dy] = [T(uv), T(dyv)];
    sameSize(`${f} reverse`, u, dy);
    const dx = this.out(u.shape);
    const core = this.engine.core;
    const n = u.size;
    const run =
      f === "sigmoid" ? () => core.sigmoidReverse(dx.offset, u.offset, dy.offset, n)
      : f === "tanh" ? () => core.tanhReverse(dx.offset, u.offset, dy.offset, n)
      : f === "relu" ? () => core.reluReverse(dx.offset, u.offset, dy.offset, n)
      : () => core.leakyReluReverse(dx.offset, u.offset, dy.offset, n, alpha);
    this.emit(`${f}Reverse`, run, [u, dy], [dx]);
    return V(dx);
  }

  private rowwise(name: "softmax" | "logSoftmax", xv: Value): Value {
    const x = T(xv);
    const [rows, cols] = rowsCols(x.shape);
    const y = this.out(x.shape);
    const kernel = this.engine.core[name];
    this.emit(name, () => kernel(y.offset, x.offset, rows, cols), [x], [y]);
    return V(y);
  }

  softmax(x: Value): Value {
    return this.rowwise("softmax", x);
  }

  logSoftmax(x: Value): Value {
    return this.rowwise("logSoftmax", x);
  }

  softmaxReverse(yv: Value, dyv: Value): Value {
    const [y, dy] = [T(yv), T(dyv)];
    sameSize("softmax reverse", y, dy);
    const [rows, cols] = rowsCols(y.shape);
    const dx = this.out(y.shape);
    const core = this.engine.core;
    this.emit("softmaxReverse", () => core.softmaxReverse(dx.offset, y.offset, dy.offset, rows, cols), [y, dy], [dx]);
    return V(dx);
  }

  // Row losses: (a, b) -> one value per row.
  private loss(name: "mse" | "crossEntropy" | "binaryCrossEntropy" | "rowDot", av: Value, bv: Value): Value {
    const [a, b] = [T(av), T(bv)];
    sameSize(name, a, b);
    const [rows, cols] = rowsCols(a.shape);
    const l = this.out([rows]);
    const kernel = this.engine.core[name];
    this.emit(name, () => kernel(l.offset, a.offset, b.offset, rows, cols), [a, b], [l]);
    return V(l);
  }

  // Row loss reverses: (a, b, dl) -> a change shaped like a.
  private lossReverse(name: "mseReverse" | "softmaxCrossEntropyReverse" | "binaryCrossEntropyReverse", av: Value, bv: Value, dlv: Value): Value {
    const [a, b, dl] = [T(av), T(bv), T(dlv)];
    sameSize(name, a, b);
    const [rows, cols] = rowsCols(a.shape);
    if (dl.size !== rows) throw new ParalensError(`${name}: ${rows} rows but ${dl.size} loss changes`);
    const d = this.out(a.shape);
    const kernel = this.engine.core[name];
    this.emit(name, () => kernel(d.offset, a.offset, b.offset, dl.offset, rows, cols), [a, b, dl], [d]);
    return V(d);
  }

  rowDot(a: Value, b: Value): Value {
    return this.loss("rowDot", a, b);
  }
  mse(y: Value, t: Value): Value {
    return this.loss("mse", y, t);
  }
  crossEntropy(lp: Value, t: Value): Value {
    return this.loss("crossEntropy", lp, t);
  }
  binaryCrossEntropy(p: Value, t: Value): Value {
    return this.loss("binaryCrossEntropy", p, t);
  }
  mseReverse(y: Value, t: Value, dl: Value): Value {
    return this.lossReverse("mseReverse", y, t, dl);
  }
  softmaxCrossEntropyReverse(lp: Value, t: Value, dl: Value): Value {
    return this.lossReverse("softmaxCrossEntropyReverse", lp, t, dl);
  }
  binaryCrossEntropyReverse(p: Value, t: Value, dl: Value): Value {
    return this.lossReverse("binaryCrossEntropyReverse", p, t, dl);
  }

  binaryCrossEntropyLabelReverse(pv: Value, dlv: Value): Value {
    const [p, dl] = [T(pv), T(dlv)];
    const [rows, cols] = rowsCols(p.shape);
    const d = this.out(p.shape);
    const core = this.engine.core;
    this.emit("binaryCrossEntropyLabelReverse", () => core.binaryCrossEntropyLabelReverse(d.offset, p.offset, dl.offset, rows, cols), [p, dl], [d]);
    return V(d);
  }

  rowScale(av: Value, dlv: Value, s: number): Value {
    const [a, dl] = [T(av), T(dlv)];
    const [rows, cols] = rowsCols(a.shape);
    if (dl.size !== rows) throw new ParalensError(`rowScale: ${rows} rows but ${dl.size} scales`);
    const d = this.out(a.shape);
    const core = this.engine.core;
    this.emit("rowScale", () => core.rowScale(d.offset, a.offset, dl.offset, s, rows, cols), [a, dl], [d]);
    return V(d);
  }

  // ---- optimiser updates: in place, and never pruned -------------------------

  private update(name: string, state: Tensor[], p: Tensor, d: Tensor, run: () => void): void {
    sameSize(name, p, d);
    for (const s of state) if (s.size !== p.size && s.size !== 1) sameSize(name, s, p);
    this.emit(name, run, [...state, p, d], [...state, p], true);
  }

  sgdStep(pv: Value, dv: Value): Value {
    const [p, d] = [T(pv), T(dv)];
    const core = this.engine.core;
    this.update("sgdStep", [], p, d, () => core.sgdStep(p.offset, d.offset, p.size));
    return pv;
  }

  momentumStep(sv: Value, pv: Value, dv: Value, gamma: number): [Value, Value] {
    const [s, p, d] = [T(sv), T(pv), T(dv)];
    const core = this.engine.core;
    this.update("momentumStep", [s], p, d, () => core.momentumStep(s.offset, p.offset, d.offset, p.size, gamma));
    return [sv, pv];
  }

  adagradStep(gv: Value, pv: Value, dv: Value, lr: number, delta: number): [Value, Value] {
    const [g, p, d] = [T(gv), T(pv), T(dv)];
    const core = this.engine.core;
    this.update("adagradStep", [g], p, d, () => core.adagradStep(g.offset, p.offset, d.offset, p.size, lr, delta));
    return [gv, pv];
  }

  rmspropStep(vv: Value, pv: Value, dv: Value, lr: number, rho: number, delta: number): [Value, Value] {
    const [v, p, d] = [T(vv), T(pv), T(dv)];
    const core = this.engine.core;
    this.update("rmspropStep", [v], p, d, () => core.rmspropStep(v.offset, p.offset, d.offset, p.size, lr, rho, delta));
    return [vv, pv];
  }

  adamStep(mv: Value, vv: Value, tv: Value, pv: Value, dv: Value, lr: number, b1: number, b2: number, delta: number): [Value, Value, Value, Value] {
    const [m, v, t, p, d] = [T(mv), T(vv), T(tv), T(pv), T(dv)];
    if (t.size !== 1) throw new ParalensError(`adamStep: the step count must hold one value, got ${fmtShape(t.shape)}`);
    const core = this.engine.core;
    this.update("adamStep", [m, v, t], p, d, () => core.adamStep(m.offset, v.offset, t.offset, p.offset, d.offset, p.size, lr, b1, b2, delta));
    return [mv, vv, tv, pv];
  }

  // ---- products of wires, slices and tying maps (wires/planner.ts) ------------

  private get wireKit(): wires.WireKit {
    return {
      engine: this.engine,
      out: (shape) => this.out(shape),
      emit: (name, run, reads, writes) => this.emit(name, run, reads, writes),
      indexTable: (index) => this.indexTensor(index),
    };
  }
  mul(a: Value, b: Value): Value {
    return wires.mul(this.wireKit, a, b);
  }
  concatColumns(parts: readonly Value[], shape: Shape): Value {
    return wires.concatColumns(this.wireKit, parts, shape);
  }
  sliceColumns(x: Value, from: number, width: number, shape: Shape): Value {
    return wires.sliceColumns(this.wireKit, x, from, width, shape);
  }
  gather(x: Value, index: Int32Array, shape: Shape): Value {
    return wires.gather(this.wireKit, x, index, shape);
  }
  scatterAdd(d: Value, index: Int32Array, shape: Shape): Value {
    return wires.scatterAdd(this.wireKit, d, index, shape);
  }
  batchMatmul(a: Value, b: Value, transA: boolean, transB: boolean): Value {
    return wires.batchMatmul(this.wireKit, a, b, transA, transB);
  }

  /**
   * An index table in the arena (as i32), written once when the plan is made
   * and shared by a gather and its scatter. Being data rather than a result,
   * it gets its memory now, outside the plan's shared block.
   */
  private indexTensor(index: Int32Array): Tensor {
    let t = this.indices.get(index);
    if (t === undefined) {
      t = this.engine.tensor([index.length]);
      new Int32Array(this.engine.memory.buffer, t.offset, index.length).set(index);
      this.indices.set(index, t);
      this.constants.push(t);
    }
    return t;
  }
  /** Tensors holding data fixed when the plan was made (index tables); freed with the plan. */
  readonly constants: Tensor[] = [];
  private readonly indices = new Map<Int32Array, Tensor>();

  // ---- convolution and pooling (conv/planner.ts) -----------------------------

  private get kit(): conv.PlanKit {
    return {
      engine: this.engine,
      out: (shape) => this.out(shape),
      emit: (name, run, reads, writes) => this.emit(name, run, reads, writes),
      reverse: this.planReverse,
      kept: this.im2col,
    };
  }
  conv2d(x: Value, f: Value, g: Window2d): Value {
    return conv.conv2d(this.kit, x, f, g);
  }
  conv2dInputGrad(dy: Value, f: Value, g: Window2d): Value {
    return conv.conv2dInputGrad(this.kit, dy, f, g);
  }
  conv2dFilterGrad(x: Value, dy: Value, g: Window2d): Value {
    return conv.conv2dFilterGrad(this.kit, x, dy, g);
  }
  maxPool2d(x: Value, g: Window2d): [Value, Value] {
    return conv.maxPool2d(this.kit, x, g);
  }
  maxPool2dReverse(arg: Value, dy: Value, g: Window2d): Value {
    return conv.maxPool2dReverse(this.kit, arg, dy, g);
  }
  avgPool2d(x: Value, g: Window2d): Value {
    return conv.avgPool2d(this.kit, x, g);
  }
  avgPool2dReverse(dy: Value, g: Window2d): Value {
    return conv.avgPool2dReverse(this.kit, dy, g);
  }
}
