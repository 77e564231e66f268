// Convolutions, poolings and batch normalization on NCHW images.
// paralens's kernels read NHWC, so an image is transposed once on its way in
// and kept channels-last (Tv.nhwc) through the ops that can read it so:
// activations, batch normalization, further convolutions and poolings.
import { fmtShape } from "../../../../engine/errors.ts";
import { registerOps } from "../../../../ops/registry.ts";
import { convOps } from "../../../../ops/conv/conv2d.ts";
import { poolOps } from "../../../../ops/conv/pool.ts";
import { batchNormOps } from "../../../../ops/batchNorm.ts";
import type { Window2d } from "../../../../ops/conv/window.ts";
import { type Known, boxMap, known, permuteMap, range } from "../known.ts";
import type { Tape, Tv } from "../tape.ts";
import { type Ctx, type In, type Rule, type Step, live, liveIn, tv } from "./rule.ts";
import type { Live } from "../known.ts";
import { batchNormAt } from "../../../../layers/batchNorm.ts";

// the ops it calls come with it (ops/index.ts); batch normalization's before a plan is made, which it runs inside
registerOps(() => convOps);
registerOps(() => poolOps);
registerOps(() => batchNormOps);

/** An NCHW image kept channels-last (once: the copy is kept). */
export function nhwc(t: Tape, x: Tv): Tv {
  if (x.nhwc) return x;
  if (x.nhwcCopy) return x.nhwcCopy;
  const [c, h, w] = [x.shape[1]!, x.shape[2]!, x.shape[3]!];
  const [map] = permuteMap([c, h, w], [1, 2, 0]);
  const copy = t.indexMap(x, map, [h, w, c], true);
  copy.nchwCopy = x;
  return (x.nhwcCopy = copy);
}

/** The window of a Conv or a pooling over an image [C, H, W], from its attributes. */
function windowOf(n: Ctx, image: readonly number[], kernel: readonly number[], ceil = false): Window2d {
  const [, h, w] = image as [number, number, number];
  const [kh, kw] = kernel as [number, number];
  const [sh, sw] = n.ints("strides") ?? [1, 1];
  const dil = n.ints("dilations") ?? [1, 1];
  if (dil.some((d) => d !== 1)) n.fail(`has dilations ${fmtShape(dil)}; paralens imports dilation 1`);
  let [pt, pl, pb, pr] = n.ints("pads") ?? [0, 0, 0, 0];
  const auto = n.string("auto_pad", "NOTSET");
  if (auto === "SAME_UPPER" || auto === "SAME_LOWER") {
    const total = (size: number, k: number, s: number): number => Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
    const [th, tw] = [total(h, kh, sh!), total(w, kw, sw!)];
    const lower = auto === "SAME_LOWER";
    [pt, pb] = lower ? [Math.ceil(th / 2), Math.floor(th / 2)] : [Math.floor(th / 2), Math.ceil(th / 2)];
    [pl, pr] = lower ? [Math.ceil(tw / 2), Math.floor(tw / 2)] : [Math.floor(tw / 2), Math.ceil(tw / 2)];
  } else if (auto !== "NOTSET" && auto !== "VALID") n.fail(`has auto_pad "${auto}"`);
  else if (auto === "VALID") [pt, pl, pb, pr] = [0, 0, 0, 0];
  const nums = [kh, kw, sh, sw, pt, pl, pb, pr];
  if (nums.some((v) => !Number.isInteger(v) || v! < 0) || kh < 1 || kw < 1 || sh! < 1 || sw! < 1) n.fail(`has a window ${fmtShape(nums as number[])} that is not whole numbers (kernel and strides >= 1)`);
  const out = (size: number, k: number, s: number, a: number, b: number): number => (ceil ? Math.ceil : Math.floor)((size + a + b - k) / s) + 1;
  let [oh, ow] = [out(h, kh, sh!, pt!, pb!), out(w, kw, sw!, pl!, pr!)];
  // ceil mode: a last window must start inside the image or its leading padding
  if (ceil) {
    if ((oh - 1) * sh! >= h + pt!) oh--;
    if ((ow - 1) * sw! >= w + pl!) ow--;
    pb = Math.max(pb!, (oh - 1) * sh! + kh - h - pt!);
    pr = Math.max(pr!, (ow - 1) * sw! + kw - w - pl!);
  }
  if (oh < 1 || ow < 1) n.fail(`its window ${kh}x${kw} does not fit the image ${h}x${w} with pads ${fmtShape([pt!, pl!, pb!, pr!])}`);
  return { h, w, kh, kw, sh: sh!, sw: sw!, pt: pt!, pl: pl!, pb: pb!, pr: pr!, oh, ow };
}

function image(n: Ctx, xs: readonly In[]): { shape: readonly number[]; batched: boolean } {
  const x = liveIn(n, xs, 0);
  if (!x.batched || x.shape.length !== 3) n.fail(`paralens imports 2-d images [batch, channels, height, width], got ${n.shapeOf(x)}`);
  return x;
}

const conv: Rule = {
  layout: true,
  live(n, xs) {
    const x = image(n, xs);
    const w = liveIn(n, xs, 1);
    if (w.batched || w.shape.length !== 4) n.fail(`its weight must be [out, in, kh, kw] shared by all examples, got ${n.shapeOf(w)}`);
    const groups = n.int("group", 1);
    const [o, c, kh, kw] = w.shape as [number, number, number, number];
    if (!Number.isInteger(groups) || groups < 1 || o % groups !== 0) n.fail(`has group ${groups}, which does not divide its ${o} output channels`);
    if (c * groups !== x.shape[0]) n.fail(`its weight ${fmtShape(w.shape)} in ${groups} group(s) takes ${c * groups} channels but the image ${n.shapeOf(x)} has ${x.shape[0]}`);
    const g = windowOf(n, x.shape, n.ints("kernel_shape") ?? [kh, kw]);
    if (g.kh !== kh || g.kw !== kw) n.fail(`kernel_shape ${fmtShape([g.kh, g.kw])} differs from the weight's ${fmtShape([kh, kw])}`);
    const hasBias = xs[2] !== undefined && n.node.inputs[2] !== "";
    if (hasBias && (xs[2]!.shape.length !== 1 || xs[2]!.shape[0] !== o)) n.fail(`its bias should be [${o}], got ${fmtShape(xs[2]!.shape)}`);
    // group i: input channels [i c, (i + 1) c) and output channels [i og, (i + 1) og); one convolution each, side by side
    const og = o / groups;
    const [h, wd] = [x.shape[1]!, x.shape[2]!];
    const filters = range(groups).map((i) => boxMap([o, c, kh, kw], [range(og).map((j) => j + i * og), range(c), range(kh), range(kw)]));
    const [toFilter, filterShape] = permuteMap([og, c, kh, kw], [2, 3, 1, 0]);
    const channels = range(groups).map((i) => boxMap([h, wd, c * groups], [range(h), range(wd), range(c).map((j) => j + i * c)])[0]);
    return {
      outputs: [live([o, g.oh, g.ow], true)],
      run(t, [xr, wr, br]) {
        const ops = t.ops;
        const xv = nhwc(t, tv(t, xr));
        const wv = tv(t, wr);
        const parts = range(groups).map((i) => {
          const xi = groups === 1 ? xv : t.indexMap(xv, channels[i]!, [h, wd, c], true);
          const wi = groups === 1 ? wv : t.indexMap(wv, filters[i]![0], filters[i]![1]);
          const f = t.indexMap(wi, toFilter, filterShape);
          const [y, cols] = ops.conv2d(xi.value, f.value, g);
          return t.record([xi, f], [{ value: y, nhwc: true }], ([dy], [nx, nf]) => [nx ? ops.conv2dInputGrad(dy!, f.value, g) : null, nf ? ops.conv2dFilterGrad(xi.value, dy!, g, cols) : null])[0]!;
        });
        const rows = t.n * g.oh * g.ow;
        let out = groups === 1 ? parts[0]! : t.reshape(t.concatColumns(parts.map((p) => t.reshape(p, [rows, og])), [rows, o]), [t.n, g.oh, g.ow, o]);
        // the groups joined are again an image kept channels-last (an identity on the tape marks it so)
        if (groups > 1) out = t.record([out], [{ value: out.value, nhwc: true }], ([dy]) => [dy!])[0]!;
        if (hasBias) out = t.binary("add", out, tv(t, br), true);
        return [out];
      },
    };
  },
};

/* @__NO_SIDE_EFFECTS__ */
function pool(kind: "max" | "avg" | "global"): Rule {
  return {
    layout: true,
    live(n, xs) {
      const x = image(n, xs);
      if (n.node.outputs.length > 1 && n.node.outputs[1] !== "") n.fail("its indices output is not imported");
      const g = kind === "global" ? windowOf(n, x.shape, x.shape.slice(1)) : windowOf(n, x.shape, n.ints("kernel_shape") ?? n.fail("has no kernel_shape"), n.int("ceil_mode", 0) === 1);
      if (kind === "avg" && n.int("count_include_pad", 0) === 1 && (g.pt || g.pl || g.pb || g.pr)) {
        n.fail("averages with count_include_pad = 1 over a padded image; paralens averages the taps inside the image (count_include_pad = 0)");
      }
      return {
        outputs: [live([x.shape[0]!, g.oh, g.ow], true)],
        run(t, [xr]) {
          const ops = t.ops;
          const xv = nhwc(t, tv(t, xr));
          if (kind === "max") {
            const [y, arg] = ops.maxPool2d(xv.value, g);
            return t.record([xv], [{ value: y, nhwc: true }], ([dy]) => [ops.maxPool2dReverse(arg, dy!, g)]);
          }
          return t.record([xv], [{ value: ops.avgPool2d(xv.value, g), nhwc: true }], ([dy]) => [ops.avgPool2dReverse(dy!, g)]);
        },
      };
    },
  };
}

/**
 * Batch normalization in training mode (what torch.onnx.export writes with
 * training=TrainingMode.TRAINING, opset 14 and later): paralens's batchNorm
 * layer, its running statistics parameters of role "statistic" under their
 * file names. ONNX's momentum m weighs the old statistic (PyTorch's momentum
 * is 1 - m); the running variance takes the batch's unbiased variance, as
 * PyTorch's does. Its outputs 1 and 2 (the updated statistics) are not
 * computed: the learner's step writes them into the parameters instead.
 */
function trainingBatchNorm(n: Ctx, xs: readonly In[], x: Live): Step {
  if (!x.batched || x.shape.length === 0) n.fail(`normalises ${n.shapeOf(x)}; paralens imports batch normalization of a batch [batch, channels, ...]`);
  const c = x.shape[0]!;
  for (const [i, what] of [[1, "scale"], [2, "bias"], [3, "running mean"], [4, "running variance"]] as const) {
    const v = xs[i];
    if (v === undefined || v.shape.length !== 1 || v.shape[0] !== c || (v.kind === "live" && v.batched)) n.fail(`its ${what} should be [${c}], got ${v === undefined ? "none" : n.shapeOf(v as Live)}`);
    if (i >= 3 && v.kind !== "live") n.fail(`its ${what} ("${n.node.inputs[i]}") must be an initializer, a parameter that training updates (not a constant)`);
  }
  const eps = n.float("epsilon", 1e-5);
  // f32 noise off: the attribute 0.9 is read as 0.899999976
  const momentum = Number((1 - n.float("momentum", 0.9)).toPrecision(7));
  if (!(momentum >= 0 && momentum <= 1)) n.fail(`has momentum ${n.float("momentum", 0.9)}, outside [0, 1]`);
  if (n.node.outputs.length > 3 && n.node.outputs.slice(3).some((o) => o !== "")) n.fail("has outputs beyond the running statistics, which paralens does not compute");
  return {
    outputs: [live(x.shape, true)],
    run(t, [xr, sr, br, mr, vr]) {
      const v = tv(t, xr);
      const params = [sr, br, mr, vr].map((r) => tv(t, r));
      const layer = batchNormAt(v.shape.slice(1), v.nhwc, momentum, eps);
      const [[y], residual] = layer.forward(t.ops, params.map((p) => p.value), [v.value]);
      return t.record([v, ...params], [{ value: y!, nhwc: v.nhwc }], (dy) => {
        const [dp, [dx]] = layer.reverse(t.ops, residual, dy);
        return [dx!, ...dp];
      });
    },
  };
}

/** Inference batch normalization: x a + b per channel, a = scale / sqrt(var + eps), b = B - mean a, the statistics constants. */
const batchNorm: Rule = {
  layout: true,
  live(n, xs) {
    const x = liveIn(n, xs, 0);
    if (n.int("training_mode", 0) === 1) return trainingBatchNorm(n, xs, x);
    if (n.int("training_mode", 0) !== 0 || n.node.outputs.slice(1).some((o) => o !== "")) n.fail("is in training mode without training_mode = 1 (an opset before 14); export the model in eval() mode, or in training mode at opset 15 or later");
    const mean = n.known(xs, 3, "running mean"), variance = n.known(xs, 4, "running variance");
    const c = x.shape[0];
    for (const [i, what] of [[1, "scale"], [2, "bias"]] as const) if (xs[i]?.shape.length !== 1 || xs[i]!.shape[0] !== c) n.fail(`its ${what} should be [${c}], got ${fmtShape(xs[i]?.shape ?? [])}`);
    if (mean.data.length !== c || variance.data.length !== c) n.fail(`its running statistics should have ${c} values`);
    const eps = n.float("epsilon", 1e-5);
    const k: Known = known("float", [c!], Array.from(variance.data, (v) => 1 / Math.sqrt(v + eps)));
    return {
      outputs: [live(x.shape, x.batched)],
      run(t, [xr, sr, br]) {
        const v = tv(t, xr);
        const a = t.binary("mul", tv(t, sr), t.constant(k));
        const b = t.binary("sub", tv(t, br), t.binary("mul", t.constant(mean), a));
        // per channel: the last axis of an image kept channels-last, else axis 1 of the graph's value
        const at = v.nhwc ? [c!] : [c!, ...x.shape.slice(1).map(() => 1)];
        return [t.binary("add", t.binary("mul", v, t.reshape(a, at), v.nhwc), t.reshape(b, at), v.nhwc)];
      },
    };
  },
};

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function convRules(): Record<string, Rule> {
  return {
  Conv: conv, MaxPool: /* @__PURE__ */ pool("max"), AveragePool: /* @__PURE__ */ pool("avg"), GlobalAveragePool: /* @__PURE__ */ pool("global"), BatchNormalization: batchNorm,
};
}
