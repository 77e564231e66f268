// Fused kernels vs the same maths composed from elementary ops, in one run: softmax cross-entropy, Adam's update, sigmoid's reverse, conv2d.
// Each pair is compiled the same way and timed round by round; the ratio is
// composed time / fused time (above 1: the fused kernel is faster, which is
// why it is kept). Both sides are checked to agree before timing.
import {
  type Para, type Value, type Wires, compile, lens, softmaxCrossEntropy, initialisers, layers, wires,
} from "../ts-api/index.ts";
import { resolve } from "../ts-api/algebra/para.ts";
import { window2d } from "../ts-api/ops/conv/window.ts";
import { startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";

await startEngine();
const report = new Report("fused");
const rng = new initialisers.Rng(7);
const randoms = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));

/** A plan of lens f at batch b with random inputs and output changes; `step` runs forward and (if asked) reverse. */
function planOf(f: Para<Wires, Wires>, batch: number, reverse: boolean) {
  const plan = compile(f, { batch, changes: reverse ? "all" : "none" });
  plan.inputs.forEach((t) => t.set(randoms(t.size)));
  plan.outputChanges.forEach((t) => t.set(randoms(t.size)));
  return { plan, step: reverse ? () => (plan.forward(), plan.reverse()) : () => plan.forward() };
}

function compare(name: string, fused: ReturnType<typeof planOf>, composed: ReturnType<typeof planOf>, sameInputs = true): void {
  if (sameInputs) composed.plan.inputs.forEach((t, i) => t.set(fused.plan.inputs[i]!.data));
  composed.plan.outputChanges.forEach((t, i) => t.set(fused.plan.outputChanges[i]!.data));
  fused.step();
  composed.step();
  const a = [...fused.plan.outputs, ...fused.plan.inputChanges].filter((t) => t !== null);
  const b = [...composed.plan.outputs, ...composed.plan.inputChanges].filter((t) => t !== null);
  a.forEach((t, i) => {
    const [x, y] = [t!.data, b[i]!.data];
    let worst = 0;
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!) / (1e-3 + Math.abs(y[j]!)));
    if (!(worst < 1e-3)) throw new Error(`${name}: fused and composed disagree (relative ${worst})`);
  });
  const t = interleaved({ fused: fused.step, composed: composed.step }, 5, 0.5);
  report.add({ case: name, ours: 1e6 * med(t.fused), peer: "composed", peer_value: 1e6 * med(t.composed), unit: "µs", ratio: med(ratios(t.composed, t.fused)) });
}

// softmax cross-entropy, forward and reverse, at batch 64 over 10 and 1000 classes
for (const classes of [10, 1000]) {
  const pair: Wires = [[classes], [classes]];
  const composed = wires.diagram("composed softmax cross-entropy", pair, (d, [z, t]) => {
    const shape = z!.shape;
    const m = d.apply1(layers.reduceMax(), [z!]);
    const shifted = d.apply1(layers.elementwise("sub", shape, m.shape), [z!, m]);
    const lse = d.apply1(layers.log, [d.apply1(layers.reduceSum(), [d.apply1(layers.exp, [shifted])])]);
    const lp = d.apply1(layers.elementwise("sub", shape, lse.shape), [shifted, lse]);
    return [d.apply1(layers.neg, [d.apply1(layers.reduceSum(), [d.apply1(layers.elementwise("mul", shape, shape), [t!, lp])])])];
  });
  const fusedLens = resolve(softmaxCrossEntropy, pair) as Para<Wires, Wires>;
  // the composed loss is [1] per example, the fused one [] per example: same values
  compare(`softmax cross-entropy, 64 x ${classes}`, planOf(fusedLens, 64, true), planOf(composed as Para<Wires, Wires>, 64, true));
}

// Adam's update of 100,000 parameters: one fused kernel vs the update written with elementwise ops
const N = 100_000, [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-7];
const adamLens = (fused: boolean): Para<Wires, Wires> =>
  lens<Wires, Wires, null>({
    name: fused ? "adam (fused)" : "adam (composed)",
    dom: [[N], [N], [N], [N]],
    cod: [[N]],
    forward(o, [m, v, p, d]) {
      if (fused) {
        const t = o.constant(new Float32Array([0]), [1]);
        return [[o.adamStep(m!, v!, t, p!, d!, lr, b1, b2, eps)[3]], null];
      }
      const m2 = o.plus(o.scale(m!, b1), o.scale(d!, 1 - b1));
      const v2 = o.plus(o.scale(v!, b2), o.scale(o.square(d!), 1 - b2));
      const step = o.div(o.scale(m2, lr / (1 - b1)), o.plus(o.sqrt(o.scale(v2, 1 / (1 - b2))), o.constant(new Float32Array([eps]), [])));
      // (the fused kernel also writes m and v back; the composed side is spared that)
      return [[o.plus(p!, step)], null];
    },
    reverse: () => [null, null, null, null],
  });
{
  const fused = planOf(adamLens(true), 1, false);
  const composed = planOf(adamLens(false), 1, false);
  const t = interleaved({ fused: fused.step, composed: composed.step }, 5, 0.5);
  report.add({ case: "adam update, 100k parameters", ours: 1e6 * med(t.fused), peer: "composed", peer_value: 1e6 * med(t.composed), unit: "µs", ratio: med(ratios(t.composed, t.fused)) });
}

// sigmoid's reverse dy y (1 - y) on 2^18 values: fused vs composed products
{
  const n = 1 << 18;
  const composedSigmoid = lens<Wires, Wires, Value>({
    name: "sigmoid (composed reverse)",
    dom: [[n]],
    cod: [[n]],
    forward: (o, [x]) => {
      const y = o.sigmoid(x!);
      return [[y], y];
    },
    reverse: (o, y, [dy]) => [o.mul(dy!, o.mul(y, o.sub(o.constant(new Float32Array([1]), []), y)))],
  });
  compare("sigmoid forward and reverse, 2^18", planOf(resolve(layers.sigmoid, [[n]]) as Para<Wires, Wires>, 1, true), planOf(composedSigmoid as Para<Wires, Wires>, 1, true));
}

// conv2d forward, 64 x 28x28x1, 5x5 -> 32: the kernel (im2col packed into the GEMM) vs a gather of the im2col matrix and a matmul
{
  const g = window2d("conv2d", 28, 28, 5, 1, "valid");
  const rows = g.oh * g.ow, k = 25, batch = 64;
  const index = new Int32Array(batch * rows * k);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        for (let ky = 0; ky < 5; ky++) for (let kx = 0; kx < 5; kx++) index[((b * rows + oy * g.ow + ox) * k) + ky * 5 + kx] = b * 784 + (oy + ky) * 28 + ox + kx;
      }
    }
  }
  const filter = randoms(k * 32, 0.2);
  const convLens = (fused: boolean): Para<Wires, Wires> =>
    lens<Wires, Wires, null>({
      name: fused ? "conv2d" : "gather ; matmul",
      dom: [[28, 28, 1]],
      cod: [[24, 24, 32]],
      forward(o, [x]) {
        const f = o.constant(filter, [5, 5, 1, 32]);
        if (fused) return [[o.conv2d(x!, f, g)[0]], null];
        const cols = o.gather(x!, index, [batch * rows, k]);
        return [[o.reshape(o.matmul(cols, o.reshape(f, [k, 32]), false, false), [batch, 24, 24, 32])], null];
      },
      reverse: () => [null],
    });
  compare("conv2d forward, 64 x 28x28, 5x5 -> 32", planOf(convLens(true), batch, false), planOf(convLens(false), batch, false));
}

report.finish();
