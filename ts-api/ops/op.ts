// A primitive operation of the real base category, defined once: its shape
// rule and checks, its lowering to a kernel call of a compiled plan, and its
// float64 reference (and, where it has one, its ONNX lowering). The registry
// (ops/index.ts) lists them; the backends and the RealOps type are built from
// that one list.
//
// The ops every training program carries (ops/index.ts's primitives, and the
// optimisers' updates) are planned ops: their references and lowerings are
// tables of their own beside them (References, Lowerings; ops/tables.ts
// gathers them), read only by the reference backend and the ONNX exporter,
// so a program that uses neither carries none of them. The ops of groups
// that come with their layers and lenses (op()) hold theirs: only programs
// that use those carry them.
//
// An op sees its arguments as the backend represents values: `Tensor`s when
// it is planned, `RefTensor`s when the reference evaluates it. Lenses see
// neither: they hold opaque `Value`s and call the backend's methods.
import type { Value } from "../algebra/category.ts";
import type { Shape } from "../algebra/shapes.ts";
import type { Core } from "../engine/core.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { RefTensor } from "./ref-tensor.ts";
import type { OnnxContext, OnnxValue } from "./onnx.ts";

/** T with every Value in it (an argument, a list of them, a tuple of results) read as X. */
export type Sub<T, X> = T extends Value
  ? X
  : T extends readonly Value[]
    ? T extends readonly [unknown, ...unknown[]]
      ? { -readonly [I in keyof T]: Sub<T[I], X> }
      : readonly X[]
    : T extends readonly unknown[]
      ? { [I in keyof T]: Sub<T[I], X> }
      : T;

/** Memory a plan keeps for what it computes from a parameter (PlanContext.kept). */
export interface Kept {
  readonly tensor: Tensor;
  /** The parameter's version the memory was computed from (-1: none yet). */
  packed: number;
}

/** What an op's lowering may use while a plan is recorded (backend/planner.ts). */
export interface PlanContext {
  readonly core: Core;
  /** A new tensor of the plan, for an output or scratch (memory is given when the plan is compiled). */
  out(shape: Shape): Tensor;
  /**
   * Appends one call to the plan with the tensors it reads and writes (their
   * lives decide memory sharing and pruning). `effect`: it writes memory that
   * outlives the plan (an optimiser's in-place update), so it is never pruned
   * and each run counts a change of what it writes (Tensor.version).
   */
  emit(name: string, run: () => void, reads: readonly Tensor[], writes: readonly Tensor[], effect?: boolean): void;
  /**
   * Data fixed when the plan is made (an index table as i32, or f32 values),
   * written once, outside the plan's shared block (so also memory a call keeps
   * from run to run: packed weights), freed with the plan.
   */
  constant(values: Int32Array | Float32Array): Tensor;
  /**
   * Memory of `size` floats that the plan keeps from run to run for what it
   * computes from parameter `of` alone (its packed weights), under `key`:
   * shared by every plan over the same parameter and key, made by the first
   * and freed with the last. `packed` is the parameter's version it holds
   * (-1: none yet), for whichever plan runs first after a change.
   */
  kept(of: Tensor, key: string, size: number): Kept;
  /** Whether t is a parameter of a plan that only predicts: its values change only as its version tells. */
  fixed(t: Tensor): boolean;
  /** Whether a reverse pass will be planned (forward-only plans keep no residual-only buffers). */
  readonly training: boolean;
  /** The most pieces the engine cuts one kernel call into (its threads): scratch each piece needs is sized for that many. */
  readonly parts: number;
}

/** A primitive with the signature (...args: A) => R over Values, as compiled plans need it. */
export interface PlannedOp<A extends readonly unknown[] = any, R = any> {
  /** Records the op on a plan: checks, allocates outputs, emits kernel calls. */
  plan(p: PlanContext, ...args: Sub<A, Tensor>): Sub<R, Tensor>;
  /** Type only: the op as a backend method. */
  readonly signature?: (...args: A) => R;
}

/** A primitive with its float64 reference and, where it has one, its ONNX lowering. */
export interface Op<A extends readonly unknown[] = any, R = any> extends PlannedOp<A, R> {
  /** The float64 reference: the plainest computation of the same values. */
  reference(...args: Sub<A, RefTensor>): Sub<R, RefTensor>;
  /** The op as ONNX nodes (backend/onnx/); without it, a model that uses the op cannot be exported. */
  onnx?(g: OnnxContext, ...args: Sub<A, OnnxValue>): Sub<R, OnnxValue>;
}

/** Defines an op; A is its argument list and R its result, over Values. */
/* @__NO_SIDE_EFFECTS__ */
export function op<A extends readonly unknown[], R = Value>(spec: Op<A, R>): Op<A, R> {
  return spec;
}

/** Defines a planned op, whose reference and lowering are in tables of their own (References, Lowerings). */
/* @__NO_SIDE_EFFECTS__ */
export function planned<A extends readonly unknown[], R = Value>(spec: PlannedOp<A, R>): PlannedOp<A, R> {
  return spec;
}

/** The float64 references of a record of planned ops, by name. */
export type References<T> = {
  readonly [N in keyof T]: T[N] extends PlannedOp<infer A, infer R> ? (...args: Sub<A, RefTensor>) => Sub<R, RefTensor> : never;
};

/** The ONNX lowerings of a record of planned ops, by name; an op without one cannot be exported. */
export type Lowerings<T> = {
  readonly [N in keyof T]?: T[N] extends PlannedOp<infer A, infer R> ? (g: OnnxContext, ...args: Sub<A, OnnxValue>) => Sub<R, OnnxValue> : never;
};

/** The backend methods of a record of ops. */
export type OpsOf<T> = { readonly [N in keyof T]: T[N] extends PlannedOp<infer A, infer R> ? (...args: A) => R : never };
