// Each optimiser lens, driven for 100 steps by a fixed stream of gradients,
// matches its textbook recurrence: the float64 reference within 1e-6
// relative of the recurrence in float64, and the wasm kernel within 1e-6 of
// the same recurrence evaluated in float32 (Math.fround after every
// operation, in the kernel's order), which is what the strict build computes.
import { test } from "./harness.ts";
import { assertClose } from "./assert.ts";
import { uniform } from "./util.ts";
import {
  init, sgd, adam, compile, type Optimiser, type ParamSpec, type RefTensor, type Value, dense, mse, supervised, backends, initialisers, losses, optimisers,
} from "../ts-api/index.ts";

await init();

const N = 7; // odd: exercises the vector body and the scalar tail
const STEPS = 100;

/** A textbook optimiser: state in, gradient in, state out; `read` is the point the gradient is taken at. */
interface Textbook {
  init(p: number[]): number[][];
  read(s: number[][], r: (x: number) => number): number[];
  step(s: number[][], g: number[], r: (x: number) => number): number[][];
}

// Each receives the gradient g (the rate lens is constantRate(1) on batch 1, so the change is d = -g).
const textbooks: [string, Optimiser, Textbook][] = [
  ["sgd", sgd(), {
    init: (p) => [p],
    read: ([p]) => p!,
    step: ([p], g, r) => [p!.map((x, i) => r(x - g[i]!))],
  }],
  ["momentum", optimisers.momentum({ gamma: 0.8 }), {
    init: (p) => [p.map(() => 0), p],
    read: ([, p]) => p!,
    step: ([v, p], g, r) => {
      const v2 = v!.map((x, i) => r(r(0.8 * x) - g[i]!));
      return [v2, p!.map((x, i) => r(x + v2[i]!))];
    },
  }],
  ["nesterov", optimisers.nesterov({ gamma: 0.8 }), {
    init: (p) => [p.map(() => 0), p],
    read: ([v, p], r) => p!.map((x, i) => r(x + r(0.8 * v![i]!))),
    step: ([v, p], g, r) => {
      const v2 = v!.map((x, i) => r(r(0.8 * x) - g[i]!));
      return [v2, p!.map((x, i) => r(x + v2[i]!))];
    },
  }],
  ["adagrad", optimisers.adagrad({ lr: 0.1, delta: 1e-7 }), {
    init: (p) => [p.map(() => 0), p],
    read: ([, p]) => p!,
    step: ([s, p], g, r) => {
      const s2 = s!.map((x, i) => r(x + r(g[i]! * g[i]!)));
      return [s2, p!.map((x, i) => r(x + r(r(0.1 * -g[i]!) / r(1e-7 + r(Math.sqrt(s2[i]!))))))];
    },
  }],
  ["rmsprop", optimisers.rmsprop({ lr: 0.01, rho: 0.9, delta: 1e-7 }), {
    init: (p) => [p.map(() => 0), p],
    read: ([, p]) => p!,
    step: ([v, p], g, r) => {
      const v2 = v!.map((x, i) => r(r(0.9 * x) + r(r(1 - 0.9) * r(g[i]! * g[i]!))));
      return [v2, p!.map((x, i) => r(x + r(r(0.01 * -g[i]!) / r(1e-7 + r(Math.sqrt(v2[i]!))))))];
    },
  }],
  ["adam", adam({ lr: 0.01, beta1: 0.9, beta2: 0.999, delta: 1e-8 }), {
    init: (p) => [p.map(() => 0), p.map(() => 0), [0], p],
    read: ([, , , p]) => p!,
    step: ([m, v, t, p], g, r) => {
      const t2 = t![0]! + 1;
      const c1 = r(1 / (1 - Math.pow(r(0.9), t2)));
      const c2 = r(1 / (1 - Math.pow(r(0.999), t2)));
      const m2 = m!.map((x, i) => r(r(r(0.9) * x) + r(r(1 - r(0.9)) * -g[i]!)));
      const v2 = v!.map((x, i) => r(r(r(0.999) * x) + r(r(1 - r(0.999)) * r(g[i]! * g[i]!))));
      const p2 = p!.map((x, i) => r(x + r(r(0.01 * r(m2[i]! * c1)) / r(1e-8 + r(Math.sqrt(r(v2[i]! * c2)))))));
      return [m2, v2, [t2], p2];
    },
  }],
];

// A gradient that depends on where it is taken: g = A x + b for a fixed
// random A and b (a quadratic bowl), so look-ahead reads matter.
const rng = new initialisers.Rng(5);
const A = Array.from({ length: N }, () => Array.from(uniform(rng, N, 0.3)));
const b = Array.from(uniform(rng, N));
const gradientAt = (x: number[]): number[] => A.map((row, i) => row.reduce((s, a, j) => s + a * x[j]!, b[i]!));
const p0 = Array.from(uniform(rng, N));
const spec: ParamSpec = { name: "p", shape: [N], init: initialisers.zeros, role: "parameter" };

for (const [name, opt, book] of textbooks) {
  test(`${name}: 100 steps match the textbook recurrence`, () => {
    const r = opt([spec]);
    const stateShapes = r.params.map((s) => s.shape);

    // float64: reference backend vs recurrence in float64
    const id = (x: number): number => x;
    let expected = book.init(p0);
    let state: RefTensor[] = expected.map((s, i) => backends.refTensor(stateShapes[i]!, s));
    for (let t = 0; t < STEPS; t++) {
      const [[read], residual] = r.lens.forward(backends.reference, [], state as unknown as Value[]);
      const g = gradientAt(Array.from((read as unknown as RefTensor).data));
      assertClose((read as unknown as RefTensor).data, book.read(expected, id), { rtol: 1e-12, atol: 1e-15 }, `${name} read at step ${t}`);
      const [, next] = r.lens.reverse(backends.reference, residual, [backends.refTensor([N], g.map((x) => -x)) as unknown as Value]);
      state = next as unknown as RefTensor[];
      expected = book.step(expected, g, id);
    }
    state.forEach((s, i) => assertClose(s.data, expected[i]!, { rtol: 1e-6, atol: 1e-12 }, `${name} float64 state ${i}`));

    // float32: the wasm kernel vs the recurrence rounded after every operation
    const plan = compile(r.lens, { batch: 1 });
    try {
      let expected32 = book.init(p0.map(Math.fround));
      plan.inputs.forEach((tensor, i) => tensor.set(expected32[i]!));
      for (let t = 0; t < STEPS; t++) {
        plan.forward();
        const read = Array.from(plan.outputs[0]!.data);
        const g = gradientAt(read).map(Math.fround);
        plan.outputChanges[0]!.set(g.map((x) => -x));
        plan.reverse();
        expected32 = book.step(expected32, g, Math.fround);
      }
      plan.inputs.forEach((tensor, i) => assertClose(tensor.data, expected32[i]!, { rtol: 1e-6, atol: 1e-12 }, `${name} float32 state ${i}`));
    } finally {
      plan.dispose();
    }
  });
}

test("ascend: a rate emits +eta / N instead of -eta / N, and an optimiser steps up the gradient by the same amount as it would step down", () => {
  const [down, up] = [losses.constantRate(0.5), optimisers.ascend(losses.constantRate(0.5))];
  for (const [rate, sign] of [[down, -1], [up, 1]] as const) {
    const [, r] = rate.forward(backends.reference, [], [backends.refTensor([4], [1, 2, 3, 4]) as unknown as Value]);
    const [, [dl]] = rate.reverse(backends.reference, r, []);
    assertClose((dl as unknown as RefTensor).data, [sign * 0.125, sign * 0.125, sign * 0.125, sign * 0.125], { rtol: 0, atol: 1e-12 }, `${rate.name}`);
  }
  const model = dense(3, 2);
  const step = (optimiser: typeof momentumOptimiser): Float32Array => {
    const learner = supervised(model, { loss: mse, optimiser, rate: 0.1, seed: 3 });
    learner.step([[1, -2, 0.5]], [[0.25, -1]]);
    const after = learner.parameters()["weight"]!;
    learner.dispose();
    return after;
  };
  const start = supervised(model, { loss: mse, seed: 3 });
  const p0 = start.parameters()["weight"]!;
  start.dispose();
  const [pd, pu] = [step(momentumOptimiser), step(optimisers.ascend(momentumOptimiser))];
  assertClose(Array.from(pu, (v, i) => v - p0[i]!), Array.from(pd, (v, i) => p0[i]! - v), { rtol: 1e-6, atol: 1e-9 }, "the ascending step mirrors the descending one");
});
const momentumOptimiser = optimisers.momentum({ gamma: 0.9 });
