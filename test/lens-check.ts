// Running one Para on both backends with the same values, and central finite
// differences of the float64 reference: what the conv and pool tests share.
import { type Para, type Value, type Wires, Rng, compile, engine, reference, refTensor, type RefTensor } from "../ts-api/index.ts";

export interface Values {
  params: Float64Array[];
  inputs: Float64Array[];
  /** One change per output wire. */
  changes: Float64Array[];
}

export interface Results {
  outputs: Float64Array[];
  paramChanges: (Float64Array | null)[];
  inputChanges: (Float64Array | null)[];
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function random(n: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
}

/** Random parameters, inputs and output changes for f at a batch size. */
export function randomValues(f: Para<Wires, Wires>, batch: number, seed: number): Values {
  const rng = new Rng(seed);
  return {
    params: f.params.map((p) => random(size(p.shape), rng)),
    inputs: f.dom.map((s) => random(batch * size(s), rng)),
    changes: f.cod.map((s) => random(batch * size(s), rng)),
  };
}

const R = (v: Value | null): RefTensor | null => v as unknown as RefTensor | null;

/** Both passes of f on the float64 reference. */
export function runReference(f: Para<Wires, Wires>, batch: number, v: Values): Results {
  const V = (shape: readonly number[], data: Float64Array): Value => refTensor(shape, data) as unknown as Value;
  const p = f.params.map((s, i) => V(s.shape, v.params[i]!));
  const x = f.dom.map((s, i) => V([batch, ...s], v.inputs[i]!));
  const [y, residual] = f.forward(reference, p, x);
  const dy = f.cod.map((s, i) => V([batch, ...s], v.changes[i]!));
  const [dp, dx] = f.reverse(reference, residual, dy);
  return {
    outputs: y.map((t) => R(t)!.data),
    paramChanges: dp.map((t) => R(t)?.data ?? null),
    inputChanges: dx.map((t) => R(t)?.data ?? null),
  };
}

/** Both passes of f compiled for the wasm core. */
export function runWasm(f: Para<Wires, Wires>, batch: number, v: Values): Results {
  const e = engine();
  const params = f.params.map((s, i) => e.tensor(s.shape, v.params[i]!));
  const plan = compile(f, { batch, params, changes: "all" });
  try {
    plan.inputs.forEach((t, i) => t.set(v.inputs[i]!));
    plan.forward();
    plan.outputChanges.forEach((t, i) => t.set(v.changes[i]!));
    plan.reverse();
    const copy = (t: { data: Float32Array } | null): Float64Array | null => (t ? Float64Array.from(t.data) : null);
    return {
      outputs: plan.outputs.map((t) => copy(t)!),
      paramChanges: plan.paramChanges.map(copy),
      inputChanges: plan.inputChanges.map(copy),
    };
  } finally {
    plan.dispose();
    for (const t of params) t.dispose();
  }
}

/** <changes, f(params, inputs)>: the scalar whose gradient the reverse pass computes. */
function pairing(f: Para<Wires, Wires>, batch: number, v: Values): number {
  const { outputs } = runReference(f, batch, v);
  let s = 0;
  outputs.forEach((y, i) => y.forEach((yj, j) => (s += yj * v.changes[i]![j]!)));
  return s;
}

/**
 * Central differences of <changes, f> in every parameter and input value:
 * what the reverse pass must give. `h` is the step (float64).
 */
export function finiteDifferences(f: Para<Wires, Wires>, batch: number, v: Values, h = 1e-6): { params: Float64Array[]; inputs: Float64Array[] } {
  const probe = (arrays: Float64Array[]): Float64Array[] =>
    arrays.map((a) => {
      const g = new Float64Array(a.length);
      for (let j = 0; j < a.length; j++) {
        const keep = a[j]!;
        a[j] = keep + h;
        const up = pairing(f, batch, v);
        a[j] = keep - h;
        const down = pairing(f, batch, v);
        a[j] = keep;
        g[j] = (up - down) / (2 * h);
      }
      return g;
    });
  return { params: probe(v.params), inputs: probe(v.inputs) };
}
