// What the tests share: random cases for a lens, running a case on the
// float64 reference backend and compiled for the wasm core (f32), central
// finite differences of the reference, and the error measures the gradient
// checks use. A case is one record, so a test can change one part of it
// (`{ ...c, lens: other }`) and run both sides with the same values.
import {
  type Layer, type Para, type RefTensor, type Value, type Wires, type Rng, compile, engine, backends, initialisers,
} from "../ts-api/index.ts";
import { resolve } from "../ts-api/algebra/para.ts";
import { assert, assertClose } from "./assert.ts";
import { test } from "./harness.ts";

type AnyPara = Para<Wires, Wires>;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A lens with the values to run it on; batch-first inputs and changes. */
export interface Case {
  lens: AnyPara;
  batch: number;
  /** One array per parameter wire (its full shape). */
  params: readonly ArrayLike<number>[];
  /** One array per input wire. */
  inputs: readonly ArrayLike<number>[];
  /** One change per output wire, sent back by the reverse pass; without them only the forward pass runs. */
  changes?: readonly ArrayLike<number>[];
}

/** A random case: its values are float64 arrays a test may change before running it. */
export interface RandomCase extends Case {
  params: Float64Array[];
  inputs: Float64Array[];
  changes: Float64Array[];
}

/** What a run gives back; the changes are empty when the case has none, and null where a change is zero. */
export interface Run<T extends ArrayLike<number>> {
  outputs: T[];
  paramChanges: (T | null)[];
  inputChanges: (T | null)[];
}

// ---- random values -------------------------------------------------------

/** Uniform values in [offset - scale, offset + scale]. */
export function uniform(rng: Rng, n: number, scale = 1, offset = 0): Float64Array {
  return Float64Array.from({ length: n }, () => offset + scale * (2 * rng.uniform() - 1));
}

/** Normal(0, scale) values. */
export function normal(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** A case whose parameters, inputs and output changes are uniform in [-scale, scale], drawn in that order. */
export function randomCase(lens: AnyPara, batch: number, seed: number, scale = 1): RandomCase {
  const rng = new initialisers.Rng(seed);
  return {
    lens,
    batch,
    params: lens.params.map((p) => uniform(rng, size(p.shape), scale)),
    inputs: lens.dom.map((s) => uniform(rng, batch * size(s), scale)),
    changes: lens.cod.map((s) => uniform(rng, batch * size(s), scale)),
  };
}

/** The lens's parameters as its initialisers make them, seeded. */
export function initial(lens: AnyPara, seed = 1): Float64Array[] {
  const rng = new initialisers.Rng(seed);
  return lens.params.map((p) => p.init(p.shape, rng));
}

/** Normal values for every input wire of a lens at a batch size. */
export function normalInputs(lens: AnyPara, batch: number, rng: Rng, scale = 1): Float64Array[] {
  return lens.dom.map((s) => normal(rng, batch * size(s), scale));
}

/** Normal values for every output wire: changes to send back. */
export function normalChanges(lens: AnyPara, batch: number, rng: Rng): Float64Array[] {
  return lens.cod.map((s) => normal(rng, batch * size(s)));
}

// ---- running a case --------------------------------------------------------

const V = (t: RefTensor): Value => t as unknown as Value;
const D = (v: Value | null): Float64Array | null => (v === null ? null : (v as unknown as RefTensor).data);

function referenceForward(c: Case, params: readonly ArrayLike<number>[], inputs: readonly ArrayLike<number>[]): [Float64Array[], unknown] {
  const p = c.lens.params.map((s, i) => V(backends.refTensor(s.shape, params[i]!)));
  const x = c.lens.dom.map((s, i) => V(backends.refTensor([c.batch, ...s], inputs[i]!)));
  const [y, residual] = c.lens.forward(backends.reference, p, x);
  return [y.map((v) => D(v)!), residual];
}

/** The case on the float64 reference backend: forward, and reverse when it has changes. */
export function runReference(c: Case): Run<Float64Array> {
  const [outputs, residual] = referenceForward(c, c.params, c.inputs);
  if (c.changes === undefined) return { outputs, paramChanges: [], inputChanges: [] };
  const dy = c.lens.cod.map((s, i) => V(backends.refTensor([c.batch, ...s], c.changes![i]!)));
  const [dp, dx] = c.lens.reverse(backends.reference, residual, dy);
  return { outputs, paramChanges: dp.map(D), inputChanges: dx.map(D) };
}

/** The case compiled for the wasm core (f32): results are copied out and the plan disposed. */
export function runWasm(c: Case): Run<Float32Array> {
  const e = engine();
  const params = c.lens.params.map((s, i) => e.tensor(s.shape, c.params[i]!));
  const plan = compile(c.lens, { batch: c.batch, params, changes: c.changes === undefined ? "none" : "all" });
  try {
    plan.inputs.forEach((t, i) => t.set(c.inputs[i]!));
    plan.forward();
    const outputs = plan.outputs.map((t) => t.toArray());
    if (c.changes === undefined) return { outputs, paramChanges: [], inputChanges: [] };
    plan.outputChanges.forEach((t, i) => t.set(c.changes![i]!));
    plan.reverse();
    return { outputs, paramChanges: plan.paramChanges.map((t) => t?.toArray() ?? null), inputChanges: plan.inputChanges.map((t) => t?.toArray() ?? null) };
  } finally {
    plan.dispose();
    for (const t of params) t.dispose();
  }
}

/**
 * Central differences of L = sum_j <changes_j, outputs_j> in every parameter
 * and input value, on the float64 reference: what the reverse pass must give
 * (zero changes come back as arrays of zeros). `h` is the step.
 */
export function finiteDifferences(c: Case, h = 1e-6): { paramChanges: Float64Array[]; inputChanges: Float64Array[] } {
  const changes = c.changes;
  assert(changes !== undefined, `finiteDifferences: the case for ${c.lens.name} has no output changes to pair the outputs with`);
  const params = c.params.map((a) => Float64Array.from(a));
  const inputs = c.inputs.map((a) => Float64Array.from(a));
  const pairing = (): number => {
    let s = 0;
    referenceForward(c, params, inputs)[0].forEach((y, j) => y.forEach((v, i) => (s += v * changes[j]![i]!)));
    return s;
  };
  // each value is moved in place and put back, so a probe costs one forward pass
  const probe = (arrays: Float64Array[]): Float64Array[] =>
    arrays.map((a) =>
      a.map((keep, j) => {
        a[j] = keep + h;
        const up = pairing();
        a[j] = keep - h;
        const down = pairing();
        a[j] = keep;
        return (up - down) / (2 * h);
      }),
    );
  return { paramChanges: probe(params), inputChanges: probe(inputs) };
}

// ---- error measures --------------------------------------------------------

/** The largest absolute value in some arrays (a scale for absolute tolerances); null counts as zeros. */
export function magnitude(...arrays: (ArrayLike<number> | null)[]): number {
  let m = 0;
  for (const a of arrays) if (a) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** The largest |a - b| / (1 + |b|) over all elements; NaN counts as Infinity. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert(a.length === b.length, `maxRelError: lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** True when the two arrays hold exactly the same numbers (Object.is: NaN equals NaN, -0 is not 0). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A null change is the zero change: as an array of zeros of the given length. */
export function orZeros(v: ArrayLike<number> | null, n: number): ArrayLike<number> {
  return v ?? new Float64Array(n);
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

/**
 * The three-way check of a lens on one case: the wasm plan against the float64
 * reference on both passes (1e-4 relative, with a floor of 1e-5 of the
 * array's magnitude for values that cancel to near zero), and the reference's
 * reverse pass against central finite differences (1e-6 relative). Inputs in
 * `skipInputs` (token ids, masks: where the function jumps) get no change checks.
 */
export function checkLensCase(name: string, c: RandomCase, skipInputs: readonly number[] = []): void {
  const w = runWasm(c);
  const r = runReference(c);
  const close = (what: string, a: ArrayLike<number> | null, e: ArrayLike<number> | null): void => {
    const [x, y] = [a ?? new Float64Array((e ?? []).length), e ?? new Float64Array((a ?? []).length)];
    assertClose(x, y, { rtol: 1e-4, atol: 1e-5 * magnitude(y) + 1e-30 }, `${name} ${what} (wasm vs reference)`);
  };
  w.outputs.forEach((y, i) => close(`output ${i}`, y, r.outputs[i]!));
  w.paramChanges.forEach((d, i) => close(`parameter change ${i}`, d, r.paramChanges[i]!));
  w.inputChanges.forEach((d, i) => skipInputs.includes(i) || close(`input change ${i}`, d, r.inputChanges[i]!));
  const fd = finiteDifferences(c);
  const near = (what: string, a: ArrayLike<number> | null, e: Float64Array): void =>
    assertClose(a ?? new Float64Array(e.length), e, { rtol: 1e-6, atol: 1e-7 * (magnitude(e) + 1) }, `${name} ${what} (reference vs finite differences)`);
  fd.paramChanges.forEach((e, i) => near(`parameter change ${i}`, r.paramChanges[i]!, e));
  fd.inputChanges.forEach((e, i) => skipInputs.includes(i) || near(`input change ${i}`, r.inputChanges[i]!, e));
}

/** A layer to check at an input: name, layer, input wires, a change to the random values, inputs to leave unchecked. */
export type LensCase = [name: string, layer: Layer, dom: Wires, tweak?: (c: RandomCase) => void, skipInputs?: number[]];

/** One test per case: checkLensCase at batch 1 and batch 3, on two seeds. */
export function lensCases(cases: readonly LensCase[]): void {
  for (const [name, layer, dom, tweak, skip = []] of cases) {
    test(`${name}: wasm = float64 reference = finite differences`, () => {
      const lens = resolve(layer, dom) as Para<Wires, Wires>;
      for (const [batch, seed] of [[1, 1], [3, 2]] as const) {
        const c = randomCase(lens, batch, seed);
        tweak?.(c);
        checkLensCase(name, c, skip);
      }
    });
  }
}
