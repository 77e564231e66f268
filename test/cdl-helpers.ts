// Running a Para on both backends with plain arrays in and out, and central
// finite differences of L = sum(dy . y) for gradient checks. Shared by the
// test/cdl*.test.ts files.
import { type Para, type RefTensor, type Value, Rng, compile, engine, reference, refTensor } from "../ts-api/index.ts";
import { assert } from "./assert.ts";

type Arr = ArrayLike<number>;
type Wires = readonly (readonly number[])[];
type AnyPara = Para<Wires, Wires>;

export interface Run<T> {
  y: T[];
  dp: (T | null)[];
  dx: (T | null)[];
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Initial values of f's parameters from their initialisers, seeded. */
export function initial(f: AnyPara, seed = 1): Float64Array[] {
  const rng = new Rng(seed);
  return f.params.map((p) => p.init(p.shape, rng));
}

/** Normal(0, scale) values. */
export function randn(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** Random inputs (normal) for every input wire of f at a batch size. */
export function randomInputs(f: AnyPara, batch: number, rng: Rng, scale = 1): Float64Array[] {
  return f.dom.map((s) => randn(rng, batch * size(s), scale));
}

/** Random output changes for every output wire. */
export function randomChanges(f: AnyPara, batch: number, rng: Rng): Float64Array[] {
  return f.cod.map((s) => randn(rng, batch * size(s)));
}

/** f on the float64 reference backend; with dy, also its reverse. */
export function runReference(f: AnyPara, params: readonly Arr[], inputs: readonly Arr[], batch: number, dy?: readonly Arr[]): Run<Float64Array> {
  const V = (t: RefTensor): Value => t as unknown as Value;
  const D = (v: Value | null): Float64Array | null => (v === null ? null : (v as unknown as RefTensor).data);
  const p = f.params.map((s, i) => V(refTensor(s.shape, params[i]!)));
  const x = f.dom.map((s, i) => V(refTensor([batch, ...s], inputs[i]!)));
  const [ys, r] = f.forward(reference, p, x);
  const y = ys.map((v) => D(v)!);
  if (dy === undefined) return { y, dp: [], dx: [] };
  const [dp, dx] = f.reverse(reference, r, f.cod.map((s, i) => V(refTensor([batch, ...s], dy[i]!))));
  return { y, dp: dp.map(D), dx: dx.map(D) };
}

/** f compiled to a wasm plan (f32); with dy, also its reverse. Results are copied out and the plan disposed. */
export function runPlan(f: AnyPara, params: readonly Arr[], inputs: readonly Arr[], batch: number, dy?: readonly Arr[]): Run<Float32Array> {
  const e = engine();
  const ps = f.params.map((s, i) => e.tensor(s.shape, params[i]!));
  const plan = compile(f, { batch, params: ps, changes: dy === undefined ? "none" : "all" });
  try {
    plan.inputs.forEach((t, i) => t.set(inputs[i]!));
    plan.forward();
    const y = plan.outputs.map((t) => t.toArray());
    if (dy === undefined) return { y, dp: [], dx: [] };
    plan.outputChanges.forEach((t, i) => t.set(dy[i]!));
    plan.reverse();
    return { y, dp: plan.paramChanges.map((t) => t?.toArray() ?? null), dx: plan.inputChanges.map((t) => t?.toArray() ?? null) };
  } finally {
    plan.dispose();
    for (const t of ps) t.dispose();
  }
}

/** A null change is the zero change: as an array of zeros of the given length. */
export function orZeros(v: ArrayLike<number> | null, n: number): ArrayLike<number> {
  return v ?? new Float64Array(n);
}

/**
 * Central differences of L = sum_i dy_i . y_i with respect to every parameter
 * and input value, on the float64 reference.
 */
export function finiteDifferences(f: AnyPara, params: readonly Arr[], inputs: readonly Arr[], batch: number, dy: readonly Arr[], eps = 1e-6): { dp: Float64Array[]; dx: Float64Array[] } {
  const loss = (ps: readonly Arr[], xs: readonly Arr[]): number => {
    const { y } = runReference(f, ps, xs, batch);
    let l = 0;
    y.forEach((yi, i) => yi.forEach((v, j) => (l += v * dy[i]![j]!)));
    return l;
  };
  const along = (values: readonly Arr[], which: "p" | "x"): Float64Array[] =>
    values.map((v, i) => {
      const out = new Float64Array(v.length);
      for (let j = 0; j < v.length; j++) {
        const nudged = (h: number): Float64Array[] => values.map((w, k) => {
          const c = Float64Array.from(w);
          if (k === i) c[j] = c[j]! + h;
          return c;
        });
        const [plus, minus] = [nudged(eps), nudged(-eps)];
        const lp = which === "p" ? loss(plus, inputs) : loss(params, plus);
        const lm = which === "p" ? loss(minus, inputs) : loss(params, minus);
        out[j] = (lp - lm) / (2 * eps);
      }
      return out;
    });
  return { dp: along(params, "p"), dx: along(inputs, "x") };
}

/** The largest |a - b| / (1 + |b|) over all elements. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert(a.length === b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** True when the two arrays hold exactly the same numbers. */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
