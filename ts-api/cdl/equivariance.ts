// Measuring equivariance: for sampled inputs x and group elements g, the
// largest |f(g . x) - g . f(x)| over every output value. An equivariant
// layer gives rounding error only; a layer that ignores the symmetry (a dense
// layer, for shifts) gives errors of the size of its outputs.
import type { Value } from "../algebra/category.ts";
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { compile } from "../backend/compile.ts";
import { type RefTensor, reference, refTensor } from "../backend/reference.ts";
import { engine } from "../engine/init.ts";
import { ParalensError, describe, fmtShape, optionsArgument } from "../engine/errors.ts";
import { Rng, checkSeed } from "../init/random.ts";
import type { Action } from "./groups.ts";

/**
 * What checkEquivariance compares: the actions on the inputs and outputs, and how to sample.
 *
 * @category Equivariance
 */
export interface EquivarianceOptions<G> {
  /** How the group acts on each input wire (one action for a single wire). */
  input: Action<G> | readonly Action<G>[];
  /** How it acts on each output wire (trivialAction for an invariant output). */
  output: Action<G> | readonly Action<G>[];
  /** Group elements to try, each with its own random input. Default 50. */
  samples?: number;
  seed?: number;
  /** Parameter values, in f.params order; default: f's initialisers, seeded. */
  params?: readonly ArrayLike<number>[];
  /** "wasm" (a compiled f32 plan, default) or "reference" (float64). */
  backend?: "wasm" | "reference";
  /** One example's values for input wire `wire`; default: standard normal. */
  sampleInput?: (rng: Rng, wire: number, shape: Shape) => ArrayLike<number>;
}

/**
 * The result of checkEquivariance: the worst error and each sample's.
 *
 * @category Equivariance
 */
export interface EquivarianceReport {
  /** The largest |f(g . x) - g . f(x)| over all samples and output values. */
  maxError: number;
  /** The largest error of each sample. */
  errors: number[];
}

/**
 * How far f is from equivariant: f(g . x) against g . f(x) for `samples`
 * random pairs (x, g), run as one batch.
 *
 * @example
 * ```ts
 * const { maxError } = checkEquivariance(circularConv1d(16, 1, 4, 3), { input: shiftAction(16, [16, 1]), output: shiftAction(16, [16, 4]) });
 * ```
 *
 * @category Equivariance
 */
export function checkEquivariance<G>(f: Para<Wires, Wires>, options: EquivarianceOptions<G>): EquivarianceReport {
  paraArgument("checkEquivariance", f);
  optionsArgument("checkEquivariance", options);
  const ins = listOf(options.input);
  const outs = listOf(options.output);
  matches("input", f.dom, ins);
  matches("output", f.cod, outs);
  const samples = options.samples ?? 50;
  if (!Number.isInteger(samples) || samples < 1) throw new ParalensError(`checkEquivariance: samples must be a whole number >= 1, got ${describe(samples)}`);
  if (options.seed !== undefined) checkSeed("checkEquivariance", options.seed);
  const rng = new Rng(options.seed ?? 0);
  const params = options.params ?? f.params.map((p) => p.init(p.shape, rng));
  if (params.length !== f.params.length) throw new ParalensError(`checkEquivariance: ${f.name} has ${f.params.length} parameters, got ${params.length} values`);
  const group = ins[0]?.group ?? outs[0]!.group;
  const sizes = (ws: Wires): number[] => ws.map((s) => s.reduce((a, b) => a * b, 1));
  const [inSizes, outSizes] = [sizes(f.dom), sizes(f.cod)];

  const gs = Array.from({ length: samples }, () => group.sample(rng));
  const xs = inSizes.map(() => [] as ArrayLike<number>[]);
  for (let s = 0; s < samples; s++) {
    f.dom.forEach((shape, w) => xs[w]!.push(options.sampleInput?.(rng, w, shape) ?? Array.from({ length: inSizes[w]! }, () => rng.normal())));
  }
  const moved = xs.map((wire, w) => wire.map((x, s) => ins[w]!.act(gs[s]!, x)));
  const run = options.backend === "reference" ? runReference : runWasm;
  const [y, yMoved] = [run(f, params, xs, samples), run(f, params, moved, samples)];

  const errors = gs.map((g, s) => {
    let worst = 0;
    outs.forEach((action, w) => {
      const n = outSizes[w]!;
      const expected = action.act(g, y[w]!.subarray(s * n, (s + 1) * n));
      for (let i = 0; i < n; i++) {
        const e = Math.abs(yMoved[w]![s * n + i]! - expected[i]!);
        worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
      }
    });
    return worst;
  });
  return { maxError: Math.max(...errors), errors };
}

function listOf<G>(a: Action<G> | readonly Action<G>[]): readonly Action<G>[] {
  return Array.isArray(a) ? (a as readonly Action<G>[]) : [a as Action<G>];
}

function matches<G>(what: string, wires: Wires, actions: readonly Action<G>[]): void {
  if (wires.length !== actions.length || wires.some((s, i) => fmtShape(s) !== fmtShape(actions[i]!.shape))) {
    throw new ParalensError(`checkEquivariance: the ${what} wires are ${wires.map(fmtShape).join(" x ")} but the actions act on ${actions.map((a) => fmtShape(a.shape)).join(" x ")}`);
  }
}

const flat = (wire: readonly ArrayLike<number>[]): Float64Array => {
  const out = new Float64Array(wire.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of wire) {
    out.set(x, at);
    at += x.length;
  }
  return out;
};

type Values = Float32Array | Float64Array;

function runWasm(f: Para<Wires, Wires>, params: readonly ArrayLike<number>[], xs: readonly (readonly ArrayLike<number>[])[], batch: number): Values[] {
  const e = engine();
  const ps = f.params.map((s, i) => e.tensor(s.shape, params[i]!));
  const plan = compile(f, { batch, params: ps, changes: "none" });
  try {
    plan.inputs.forEach((t, w) => t.set(flat(xs[w]!)));
    plan.forward();
    return plan.outputs.map((t) => t.toArray());
  } finally {
    plan.dispose();
    for (const t of ps) t.dispose();
  }
}

function runReference(f: Para<Wires, Wires>, params: readonly ArrayLike<number>[], xs: readonly (readonly ArrayLike<number>[])[], batch: number): Values[] {
  const V = (t: RefTensor): Value => t as unknown as Value;
  const p = f.params.map((s, i) => V(refTensor(s.shape, params[i]!)));
  const x = f.dom.map((s, w) => V(refTensor([batch, ...s], flat(xs[w]!))));
  return f.forward(reference, p, x)[0].map((v) => (v as unknown as RefTensor).data);
}
