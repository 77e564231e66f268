// Composed optimisers: for each gradient transformation, a chain equals
// applying it by hand (float64 reference within 1e-12, the wasm plan within
// float32 rounding of the same); schedules read the count in the state, are
// saved with the learner and resume bit-exactly; bad settings are refused
// with the argument and its value named.
import { test } from "./harness.ts";
import { assert, assertClose, assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { uniform } from "./util.ts";
import {
  init, adam, adamw, compile, dense, frozen, mse, seq, sgd, supervised, type Optimiser, type ParamSpec, type RefTensor, type Value, backends, initialisers, optimisers,
} from "../ts-api/index.ts";

await init();

// two parameters of different shapes (an odd size runs the kernels' scalar tails)
const specs: ParamSpec[] = [
  { name: "w", shape: [2, 3], init: initialisers.zeros, role: "parameter" },
  { name: "b", shape: [3], init: initialisers.zeros, role: "parameter" },
];
const rng = new initialisers.Rng(11);
const p0 = specs.map((s) => Array.from(uniform(rng, s.shape.reduce((a, b) => a * b, 1))));
/** Changes for 6 steps; step 0's are large (a clip bites), later ones small. */
const changes = [0, 1, 2, 3, 4, 5].map((k) => specs.map((s) => Array.from(uniform(rng, s.shape.reduce((a, b) => a * b, 1), k === 0 ? 3 : 0.2))));

/** Runs an optimiser's lens for every step of `changes` from p0 (state zeros) on the reference; returns every wire's final values. */
function runReference(opt: Optimiser): number[][] {
  const r = opt(specs);
  let state: RefTensor[] = r.params.map((s) => backends.refTensor(s.shape, s.role === "state" ? undefined : p0[specs.findIndex((p) => p.name === s.name)]));
  for (const ds of changes) {
    const [, residual] = r.lens.forward(backends.reference, [], state as unknown as Value[]);
    const [, next] = r.lens.reverse(backends.reference, residual, ds.map((d, i) => backends.refTensor(specs[i]!.shape, d) as unknown as Value));
    state = next as unknown as RefTensor[];
  }
  return state.map((s) => Array.from(s.data));
}

/** The same on a compiled wasm plan (batch 1: every wire gets a leading 1). */
function runWasm(opt: Optimiser): number[][] {
  const r = opt(specs);
  const plan = compile(r.lens, { batch: 1 });
  try {
    r.params.forEach((s, i) => plan.inputs[i]!.set(s.role === "state" ? new Float32Array(plan.inputs[i]!.size) : p0[specs.findIndex((p) => p.name === s.name)]!));
    for (const ds of changes) {
      plan.forward();
      ds.forEach((d, i) => plan.outputChanges[i]!.set(d));
      plan.reverse();
    }
    return plan.inputs.map((t) => Array.from(t.data));
  } finally {
    plan.dispose();
  }
}

/** The parameters (by name) among an optimiser's wires after the run. */
function paramsOf(opt: Optimiser, values: number[][]): number[][] {
  const names = opt(specs).params.map((s) => s.name);
  return specs.map((s) => values[names.indexOf(s.name)]!);
}

/** Checks the chain against the hand computation `byHand` (p, d per parameter, step k -> new p) on both backends. */
function equalsByHand(label: string, opt: Optimiser, byHand: (p: number[][], d: number[][], k: number) => number[][]): void {
  let p = p0.map((x) => [...x]);
  changes.forEach((d, k) => (p = byHand(p, d, k)));
  const ref = paramsOf(opt, runReference(opt));
  const wasm = paramsOf(opt, runWasm(opt));
  specs.forEach((s, i) => {
    assertClose(ref[i]!, p[i]!, { rtol: 1e-12, atol: 1e-12 }, `${label}: ${s.name} on the float64 reference`);
    assertClose(wasm[i]!, p[i]!, { rtol: 1e-5, atol: 1e-6 }, `${label}: ${s.name} on the wasm plan`);
  });
}

const norm = (ds: number[][]): number => Math.sqrt(ds.flat().reduce((s, x) => s + x * x, 0));
const plainSgd = (p: number[][], d: number[][]): number[][] => p.map((x, i) => x.map((v, j) => v + d[i]![j]!));

test("chain(clipByGlobalNorm(c), sgd()) equals clipping the changes by hand: d min(1, c / (|d| + 1e-6)), the norm taken over every parameter", () => {
  assert(norm(changes[0]!) > 1 && norm(changes[1]!) < 1, "the first step's changes are clipped, the second's not");
  equalsByHand("clip", optimisers.chain(optimisers.clipByGlobalNorm(1), sgd()), (p, d) => {
    const coef = Math.min(1, 1 / (norm(d) + 1e-6));
    return plainSgd(p, d.map((x) => x.map((v) => v * coef)));
  });
});

test("chain(weightDecay(r, { only }), sgd()) equals p + d - r p by hand, for the selected parameters only", () => {
  equalsByHand("weightDecay", optimisers.chain(optimisers.weightDecay(0.1, { only: (s) => s.name !== "b" }), sgd()), (p, d) =>
    plainSgd(p, d.map((x, i) => x.map((v, j) => (specs[i]!.name === "b" ? v : v - 0.1 * p[i]![j]!)))),
  );
});

/** Adam's direction by hand, with its moments carried in `st`. */
function adamDirection(st: { m: number[][]; v: number[][]; t: number }, d: number[][], b1 = 0.9, b2 = 0.999, delta = 1e-8): number[][] {
  st.t++;
  return d.map((x, i) =>
    x.map((g, j) => {
      st.m[i]![j] = b1 * st.m[i]![j]! + (1 - b1) * g;
      st.v[i]![j] = b2 * st.v[i]![j]! + (1 - b2) * g * g;
      return st.m[i]![j]! / (1 - b1 ** st.t) / (delta + Math.sqrt(st.v[i]![j]! / (1 - b2 ** st.t)));
    }),
  );
}
const fresh = (): { m: number[][]; v: number[][]; t: number } => ({ m: p0.map((x) => x.map(() => 0)), v: p0.map((x) => x.map(() => 0)), t: 0 });

test("chain(scaleByAdam(), sgd({ lr })) equals Adam's direction by hand times lr, and adam({ lr })", () => {
  const st = fresh();
  equalsByHand("scaleByAdam", optimisers.chain(optimisers.scaleByAdam(), sgd({ lr: 0.01 })), (p, d) => plainSgd(p, adamDirection(st, d).map((x) => x.map((v) => 0.01 * v))));
  const st2 = fresh();
  equalsByHand("adam", adam({ lr: 0.01 }), (p, d) => plainSgd(p, adamDirection(st2, d).map((x) => x.map((v) => 0.01 * v))));
});

test("sgd({ lr: schedule }) and adam({ lr: schedule }) step by the schedule at the count in their state", () => {
  const lr = optimisers.stepDecay(0.5, 2, 0.1);
  equalsByHand("sgd with a schedule", sgd({ lr }), (p, d, k) => plainSgd(p, d.map((x) => x.map((v) => lr.at(k) * v))));
  const st = fresh();
  const decay = optimisers.exponentialDecay(0.02, 0.5);
  equalsByHand("adam with a schedule", adam({ lr: decay }), (p, d, k) => plainSgd(p, adamDirection(st, d).map((x) => x.map((v) => decay.at(k) * v))));
  const counts = runReference(sgd({ lr })).filter((v) => v.length === 1);
  assertDeepEqual(counts, [[6], [6]], "each parameter's count after 6 updates");
});

test("adamw equals AdamW by hand: p + lr(k) (Adam's direction - r p), decay decoupled from Adam's scaling", () => {
  const lr = optimisers.joinSchedules([optimisers.linearWarmup(0.001, 0.01, 2), optimisers.cosineDecay(0.01, 4, 0.1)], [2]);
  const st = fresh();
  equalsByHand("adamw", adamw({ lr, weightDecay: 0.1 }), (p, d, k) =>
    plainSgd(p, adamDirection(st, d).map((x, i) => x.map((v, j) => lr.at(k) * (v - 0.1 * p[i]![j]!)))),
  );
});

test("chain applies its transformations in order: clip then decay differs from decay then clip, and each equals its hand computation", () => {
  const clipThenDecay = (p: number[][], d: number[][]): number[][] => {
    const c = Math.min(1, 1 / (norm(d) + 1e-6));
    return plainSgd(p, d.map((x, i) => x.map((v, j) => c * v - 0.5 * p[i]![j]!)));
  };
  const decayThenClip = (p: number[][], d: number[][]): number[][] => {
    const e = d.map((x, i) => x.map((v, j) => v - 0.5 * p[i]![j]!));
    const c = Math.min(1, 1 / (norm(e) + 1e-6));
    return plainSgd(p, e.map((x) => x.map((v) => c * v)));
  };
  equalsByHand("clip ; decay", optimisers.chain(optimisers.clipByGlobalNorm(1), optimisers.weightDecay(0.5), sgd()), clipThenDecay);
  equalsByHand("decay ; clip", optimisers.chain(optimisers.weightDecay(0.5), optimisers.clipByGlobalNorm(1), sgd()), decayThenClip);
  const halve = optimisers.transform("halve", () => [], (ops, _s, _p, ds) => [[], ds.map((d) => ops.scale(d, 0.5))]);
  equalsByHand("a user's transformation", optimisers.chain(halve, halve, sgd()), (p, d) => plainSgd(p, d.map((x) => x.map((v) => v / 4))));
});

test("partition: each group is updated by its own optimiser as if alone; a frozen group keeps its values", () => {
  const opt = optimisers.partition((s) => (s.name === "w" ? "weights" : "rest"), { weights: sgd({ lr: optimisers.constantSchedule(0.5) }), rest: frozen });
  equalsByHand("partition", opt, (p, d) => [p[0]!.map((v, j) => v + 0.5 * d[0]![j]!), p[1]!]);
  assertDeepEqual(opt(specs).params.map((s) => s.name), ["w.step", "w", "b"]);
});

test("a learner with a warmup-cosine adamw saves its step counts with its parameters and resumes bit-exactly", async () => {
  const lr = optimisers.joinSchedules([optimisers.linearWarmup(0, 0.05, 3), optimisers.cosineDecay(0.05, 7)], [3]);
  const make = () => supervised(seq(dense(3, 4, "tanh"), dense(4, 2)), { loss: mse, optimiser: optimisers.chain(optimisers.clipByGlobalNorm(1), adamw({ lr })), rate: 1, seed: 4 });
  const x = [[0.5, -1, 2], [1, 0, -0.5], [-1, 1, 1]];
  const y = [[1, 0], [0, 1], [0.5, 0.5]];
  const whole = make();
  for (let k = 0; k < 10; k++) whole.step(x, y);
  const half = make();
  for (let k = 0; k < 5; k++) half.step(x, y);
  const resumed = make();
  await resumed.load(await half.save());
  for (let k = 0; k < 5; k++) resumed.step(x, y);
  const everything = (l: typeof whole): Float32Array[] => l.state.map((t) => t.toArray());
  assertDeepEqual(everything(resumed), everything(whole), "parameters, moments and counts");
  assert(everything(half).some((t, i) => t.some((v, j) => v !== everything(whole)[i]![j])), "five steps differ from ten");
  assert(whole.specs.some((s) => s.name === "0.weight.step"), "the schedule's count is a state wire");
  for (const l of [whole, half, resumed]) l.dispose();
});

test("bad settings are refused naming the argument and its value", () => {
  const e = assertThrows(() => optimisers.clipByGlobalNorm(-1), /^clipByGlobalNorm: maxNorm must be a positive finite number, got -1$/);
  assertEqual(e.name, "ParalensError");
  assertThrows(() => optimisers.clipByGlobalNorm(NaN), /clipByGlobalNorm: maxNorm must be a positive finite number, got NaN/);
  assertThrows(() => optimisers.weightDecay(-0.1), /weightDecay: rate must be a finite number >= 0, got -0.1/);
  assertThrows(() => optimisers.scaleByAdam({ beta2: 1 }), /scaleByAdam: beta2 must be a finite number in \[0, 1\), got 1/);
  assertThrows(() => sgd({ lr: "0.1" as never }), /sgd: lr must be a finite number > 0, got "0.1"/);
  assertThrows(() => adam({ lr: -1 }), /adam: lr must be a finite number > 0, got -1/);
  assertThrows(() => adamw({ lr: 0 }), /adamw: lr must be a finite number > 0, got 0/);
  assertThrows(() => adamw({ weightDecay: -1 }), /adamw: weightDecay must be a finite number >= 0, got -1/);
  assertThrows(() => optimisers.chain(sgd() as never, optimisers.clipByGlobalNorm(1) as never), /chain: the last part must be an optimiser \(sgd\(\), adam\(\), \.\.\.\), got clipByGlobalNorm\(1\)/);
  assertThrows(() => optimisers.chain(sgd() as never, sgd()), /chain: part 0 must be a gradient transformation .* got sgd/);
  assertThrows(() => optimisers.chain(optimisers.scaleByAdam(), adam())(specs), /two parts name a state wire "w.m"/);
  assertThrows(() => optimisers.partition(() => "x", { a: sgd() })(specs), /partition: parameter "w" is labelled "x", which names no group \(the groups are a\)/);
  assertThrows(() => optimisers.linearWarmup(0, 1, 0), /linearWarmup: steps must be a finite number \(a whole number >= 1\), got 0/);
  assertThrows(() => optimisers.cosineDecay(1, 10, 2), /cosineDecay: alpha must be a finite number in \[0, 1\], got 2/);
  assertThrows(() => optimisers.stepDecay(1, 2.5, 0.5), /stepDecay: every must be a finite number \(a whole number >= 1\), got 2.5/);
  assertThrows(() => optimisers.exponentialDecay(NaN, 0.5), /exponentialDecay: initial must be a finite number >= 0, got NaN/);
  assertThrows(() => optimisers.constantSchedule(-1), /constantSchedule: value must be a finite number >= 0, got -1/);
  assertThrows(() => optimisers.joinSchedules([optimisers.constantSchedule(1), optimisers.constantSchedule(2)], []), /joinSchedules: 2 schedule\(s\) need 1 boundary\(ies\), got \[\]/);
  assertThrows(() => optimisers.joinSchedules([optimisers.constantSchedule(1), optimisers.constantSchedule(2)], [0]), /boundaries must be increasing whole numbers >= 1, got \[0\]/);
});

test("chain's laws: chain(opt) is opt, and chain(a, chain(b, opt)) is chain(a, b, opt), on both backends", () => {
  const same = (label: string, f: Optimiser, g: Optimiser): void => {
    assertDeepEqual(f(specs).params.map((s) => s.name), g(specs).params.map((s) => s.name), `${label}: the same wires`);
    assertDeepEqual(runReference(f), runReference(g), `${label}: float64`);
    assertDeepEqual(runWasm(f), runWasm(g), `${label}: wasm`);
  };
  same("unit", optimisers.chain(adam({ lr: 0.01 })), adam({ lr: 0.01 }));
  const [a, b] = [optimisers.clipByGlobalNorm(1), optimisers.scaleByAdam()];
  same("associativity", optimisers.chain(a, optimisers.chain(b, sgd({ lr: 0.01 }))), optimisers.chain(a, b, sgd({ lr: 0.01 })));
});
