// What an ONNX op's import rule is: how to fold it when its inputs are known
// at import, and how to run it on the tape when they are not. Rules check
// shapes when the file is read, so a graph that imports runs.
import type { Shape } from "../../../../algebra/shapes.ts";
import { ParalensError, fmtShape } from "../../../../engine/errors.ts";
import { ONNX_LIMITS, type OnnxAttribute, type OnnxNode } from "../decode.ts";
import type { Known, Live } from "../known.ts";
import type { Tape, Tv } from "../tape.ts";
import { type BatchView, describeShape } from "../view.ts";

export type In = Known | Live | undefined;
export type RunIn = Known | Tv | undefined;

/** A live step: the outputs' shapes, checked at import, and how to compute them when the model runs. */
export interface Step {
  readonly outputs: readonly Live[];
  run(t: Tape, xs: readonly RunIn[]): Tv[];
}

export interface Rule {
  /** The outputs when every input is known at import. */
  fold?(n: Ctx, xs: readonly (Known | undefined)[]): Known[];
  /** The step when some input is live. */
  live?(n: Ctx, xs: readonly In[]): Step;
  /** Whether the rule reads images kept channels-last as they are (otherwise it sees them as NCHW). */
  readonly layout?: boolean;
  /** Whether the rule reads batched values whose batch axis the graph moved (Live.view); no other rule meets them. */
  readonly views?: boolean;
  /** Whether inputs all known at import still make a value per example (a shape that holds the batch size): then `live`, not `fold`. */
  perExample?(xs: readonly (Known | undefined)[]): boolean;
}

/** A node being imported: its attributes, read with defaults, and errors that name it. */
export class Ctx {
  constructor(
    readonly node: OnnxNode,
    readonly opset: number,
    /** The batch size the graph's inputs declare, when it is a number rather than a name. */
    readonly batchHint?: number,
  ) {}

  fail(msg: string): never {
    throw new ParalensError(`fromOnnx: node ${this.node.name}: ${msg}`);
  }

  private attr(name: string, kind: OnnxAttribute["kind"]): { value: unknown } | undefined {
    const a = this.node.attributes.get(name);
    if (a !== undefined && a.kind !== kind) this.fail(`attribute "${name}" should be of type ${kind}, got ${a.kind}`);
    return a as { value: unknown } | undefined;
  }

  int(name: string, fallback: number): number {
    const a = this.attr(name, "int");
    return a ? (a.value as number) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.attr(name, "float");
    return a ? (a.value as number) : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.attr(name, "string");
    return a ? (a.value as string) : fallback;
  }

  ints(name: string): readonly number[] | undefined {
    return this.attr(name, "ints")?.value as readonly number[] | undefined;
  }

  tensor(name: string): Known | undefined {
    const a = this.attr(name, "tensor");
    if (a === undefined) return undefined;
    const t = a.value as { dtype: Known["dtype"]; dims: Shape; data: Float64Array };
    return { kind: "known", dtype: t.dtype, shape: [...t.dims], data: t.data };
  }

  /** Input i, which must be known at import (a shape, axes, a running statistic). */
  known(xs: readonly In[] | readonly RunIn[], i: number, what: string): Known {
    const x = xs[i];
    if (x === undefined) this.fail(`has no ${what} (input ${i})`);
    if ((x as Known).kind !== "known") this.fail(`its ${what} (input ${i}, "${this.node.inputs[i]}") must be known when the file is read (a constant, or computed from shapes), but depends on the model's input`);
    return x as Known;
  }

  /** Input i as a list of whole numbers (axes, a shape), or undefined when absent. */
  list(xs: readonly In[] | readonly RunIn[], i: number, what: string): number[] | undefined {
    if (xs[i] === undefined || this.node.inputs[i] === "") return undefined;
    return Array.from(this.known(xs, i, what).data);
  }

  /** A shape this node makes, checked: whole dims >= 0 (NaN: the batch axis), at most ONNX_LIMITS.elements values. */
  bounded<S extends readonly number[]>(shape: S, what = "output"): S {
    let size = 1;
    for (const d of shape) {
      if (Number.isNaN(d)) continue;
      if (!Number.isInteger(d) || d < 0) this.fail(`its ${what} would have a dim ${d}`);
      size *= d;
    }
    if (shape.length > ONNX_LIMITS.rank || size > ONNX_LIMITS.elements) this.fail(`its ${what} [${shape.join(", ")}] would have ${size} values per example, more than ${ONNX_LIMITS.elements}`);
    return shape;
  }

  /** An axis in [-rank, rank) as a number in [0, rank). */
  axis(a: number, rank: number): number {
    if (!Number.isInteger(a) || a < -rank || a >= rank) this.fail(`axis ${a} is outside a value of rank ${rank}`);
    return a < 0 ? a + rank : a;
  }

  /** The axis of a batched value's per-example shape that a graph axis names; the batch axis itself is refused. */
  exampleAxis(a: number, x: Live, what: string): number {
    if (!x.batched) return this.axis(a, x.shape.length);
    const full = this.axis(a, x.shape.length + 1);
    if (full === 0) this.fail(`${what} along axis 0, the batch axis, which paralens keeps apart (each example is computed alone)`);
    return full - 1;
  }

  shapeOf(x: { readonly shape: readonly number[]; readonly batched: boolean; readonly view?: BatchView }): string {
    return x.batched ? describeShape(x.shape, x.view) : fmtShape(x.shape);
  }
}

/** The live input `i` (a rule's data input). */
export function liveIn(n: Ctx, xs: readonly In[], i: number): Live {
  const x = xs[i];
  if (x === undefined) n.fail(`has no input ${i}`);
  if (x!.kind === "known") return { kind: "live", shape: x!.shape, batched: false };
  return x as Live;
}

export const live = (shape: Shape, batched: boolean, view?: BatchView): Live => (view === undefined ? { kind: "live", shape: [...shape], batched } : { kind: "live", shape: [...shape], batched, view });

/** A run-time input as a tape value: known values become constants. */
export function tv(t: Tape, x: RunIn): Tv {
  if (x === undefined) throw new ParalensError("fromOnnx: an input is missing");
  return (x as Known).kind === "known" ? t.constant(x as Known) : (x as Tv);
}
