// Running one lens three ways for tests: compiled to wasm (f32), on the
// float64 reference backend, and by central finite differences of the
// reference forward pass.
import {
  type Para, type Value, type Wires, Rng, compile, reference, refTensor, type RefTensor,
} from "../ts-api/index.ts";

export interface Case {
  lens: Para<Wires, Wires>;
  batch: number;
  /** One array per parameter wire (its full shape). */
  params: Float64Array[];
  /** One array per input wire (batch first). */
  inputs: Float64Array[];
  /** One array per output wire (batch first): the change sent back. */
  dys: Float64Array[];
}

export interface Run {
  ys: ArrayLike<number>[];
  dps: (ArrayLike<number> | null)[];
  dxs: (ArrayLike<number> | null)[];
}

export function randoms(rng: Rng, n: number, scale = 1, offset = 0): Float64Array {
  return Float64Array.from({ length: n }, () => offset + scale * (2 * rng.uniform() - 1));
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A random case for a lens: parameters, inputs and output changes uniform in [-scale, scale]. */
export function randomCase(lens: Para<Wires, Wires>, batch: number, seed: number, scale = 1): Case {
  const rng = new Rng(seed);
  return {
    lens,
    batch,
    params: lens.params.map((p) => randoms(rng, size(p.shape), scale)),
    inputs: lens.dom.map((s) => randoms(rng, batch * size(s), scale)),
    dys: lens.cod.map((s) => randoms(rng, batch * size(s), scale)),
  };
}

export function runWasm(c: Case): Run {
  const plan = compile(c.lens, { batch: c.batch, changes: "all" });
  try {
    plan.params.forEach((t, i) => t.set(c.params[i]!));
    plan.inputs.forEach((t, i) => t.set(c.inputs[i]!));
    plan.forward();
    const ys = plan.outputs.map((t) => t.toArray());
    plan.outputChanges.forEach((t, i) => t.set(c.dys[i]!));
    plan.reverse();
    return { ys, dps: plan.paramChanges.map((t) => t?.toArray() ?? null), dxs: plan.inputChanges.map((t) => t?.toArray() ?? null) };
  } finally {
    plan.dispose();
  }
}

const V = (t: RefTensor): Value => t as unknown as Value;
const R = (v: Value | null): RefTensor | null => v as unknown as RefTensor | null;

function refForward(c: Case, params: Float64Array[], inputs: Float64Array[]): [RefTensor[], unknown] {
  const p = c.lens.params.map((s, i) => V(refTensor(s.shape, params[i]!)));
  const x = c.lens.dom.map((s, i) => V(refTensor([c.batch, ...s], inputs[i]!)));
  const [y, res] = c.lens.forward(reference, p, x);
  return [y.map((v) => R(v)!), res];
}

export function runReference(c: Case): Run {
  const [ys, res] = refForward(c, c.params, c.inputs);
  const dy = c.lens.cod.map((s, i) => V(refTensor([c.batch, ...s], c.dys[i]!)));
  const [dp, dx] = c.lens.reverse(reference, res, dy);
  return { ys: ys.map((t) => t.data), dps: dp.map((v) => R(v)?.data ?? null), dxs: dx.map((v) => R(v)?.data ?? null) };
}

/**
 * Central finite differences of L = sum_j <y_j, dy_j> with respect to every
 * parameter and input, in float64 on the reference backend. Zero changes
 * come back as zero arrays.
 */
export function finiteDifferences(c: Case, h = 1e-6): { dps: Float64Array[]; dxs: Float64Array[] } {
  const objective = (params: Float64Array[], inputs: Float64Array[]): number => {
    const [ys] = refForward(c, params, inputs);
    let s = 0;
    ys.forEach((y, j) => y.data.forEach((v, i) => (s += v * c.dys[j]![i]!)));
    return s;
  };
  const differentiate = (arrays: Float64Array[], other: Float64Array[], paramsFirst: boolean): Float64Array[] =>
    arrays.map((a, w) =>
      a.map((v, i) => {
        const shifted = (delta: number): number => {
          const copy = arrays.map((x) => x.slice());
          copy[w]![i] = v + delta;
          return paramsFirst ? objective(copy, other) : objective(other, copy);
        };
        return (shifted(h) - shifted(-h)) / (2 * h);
      }),
    );
  return { dps: differentiate(c.params, c.inputs, true), dxs: differentiate(c.inputs, c.params, false) };
}

/** The largest absolute value in some arrays (a scale for absolute tolerances). */
export function magnitude(...arrays: (ArrayLike<number> | null)[]): number {
  let m = 0;
  for (const a of arrays) if (a) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** FNV-1a over the IEEE bits of float32 arrays, as hex: equal hashes mean bit-identical values. */
export function hashFloat32(arrays: readonly Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
