import type { Value } from "../algebra/category.ts";
import { type AnyShape, type Para, type ParamSpec, anyShape, para } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires, optionsArgument } from "../engine/errors.ts";
import { constant, zeros } from "../init/initialisers.ts";
import { batchNormOps } from "../ops/batchNorm.ts";
import type { RealOps } from "../ops/index.ts";
import { bringOps } from "../ops/registry.ts";
import { unaryOps } from "../ops/unary.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a layer is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => batchNormOps, () => unaryOps, () => wireOps];

/**
 * Options of `batchNorm`: the running statistics' momentum and eps.
 *
 * @category Layers
 */
export interface BatchNormOptions {
  /** How far each training step moves the running statistics toward the batch's (default 0.1, PyTorch's). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** The parameter names, PyTorch's (nn.BatchNorm2d's state_dict), so files of either read as the other's. */
export interface BatchNormNames {
  readonly weight: string;
  readonly bias: string;
  readonly mean: string;
  readonly variance: string;
}
const TORCH_NAMES: BatchNormNames = { weight: "weight", bias: "bias", mean: "running_mean", variance: "running_var" };

interface Residual {
  readonly xhat: Value;
  readonly inv: Value;
  readonly scale: Value;
  readonly mean: Value;
  readonly variance: Value;
  readonly runningMean: Value;
  readonly runningVar: Value;
  readonly count: number;
}

/**
 * Batch normalization of per-example values `shape`, whose channels are its
 * last axis (`channelsLast`: the layer's, and images fromOnnx keeps NHWC) or
 * its first (a graph's [N, C, L] values as fromOnnx keeps them).
 * Parameters weight, bias (learned) and the running mean and variance
 * (role "statistic"), each [C].
 */
export function batchNormAt(shape: Shape, channelsLast: boolean, momentum: number, eps: number, names: BatchNormNames = TORCH_NAMES): Para<Wires, Wires> {
  bringOps(OPS);
  const c = channelsLast ? shape[shape.length - 1]! : shape[0]!;
  // the statistics as they broadcast over a batch: [C] on the last axis, [C, 1, ..., 1] on the first
  const at: Shape = channelsLast ? [c] : [c, ...shape.slice(1).map(() => 1)];
  const perExample = shape.reduce((a, b) => a * b, 1) / c;
  const own = [c];
  const spec = (name: string, init: ParamSpec["init"], role: ParamSpec["role"]): ParamSpec => ({ name, shape: own, init, role });
  const params = [
    spec(names.weight, constant(1), "parameter"),
    spec(names.bias, zeros, "parameter"),
    spec(names.mean, zeros, "statistic"),
    spec(names.variance, constant(1), "statistic"),
  ];
  const epsilon = new Float32Array([eps]);
  const name = `batchNorm(${c})`;
  return para<Wires, Wires, Residual | null, RealOps>({
    name,
    dom: [shape],
    cod: [shape],
    params,
    forward(ops, p, [x]) {
      const [scale, bias, runningMean, runningVar] = p.map((v) => ops.reshape(v, at)) as [Value, Value, Value, Value];
      if (!ops.isTraining()) return [[ops.batchNormInference(x!, scale, bias, runningMean, runningVar, eps)], null];
      const count = ops.shape(x!)[0]! * perExample;
      if (count < 2) throw new ParalensError(`${name}: a training batch needs more than one value per channel, got ${count} (batch ${ops.shape(x!)[0]})`);
      const mean = ops.scale(ops.sumTo(x!, at), 1 / count);
      const centred = ops.sub(x!, mean);
      const variance = ops.scale(ops.sumTo(ops.mul(centred, centred), at), 1 / count);
      const inv = ops.rsqrt(ops.plus(variance, ops.constant(epsilon, [])));
      const xhat = ops.mul(centred, inv);
      const y = ops.plus(ops.mul(xhat, scale), bias);
      return [[y], { xhat, inv, scale, mean, variance, runningMean, runningVar, count }];
    },
    reverse(ops, r, [dy]) {
      if (r === null) throw new ParalensError(`${name}: a forward-only plan has no reverse pass`);
      const { xhat, inv, scale, mean, variance, runningMean, runningVar, count } = r;
      // the batch statistics depend on every example: dx = scale inv (dy - mean(dy) - xhat mean(dy xhat))
      const db = ops.sumTo(dy!, at);
      const dw = ops.sumTo(ops.mul(dy!, xhat), at);
      const centred = ops.sub(ops.sub(dy!, ops.scale(db, 1 / count)), ops.mul(xhat, ops.scale(dw, 1 / count)));
      const dx = ops.mul(centred, ops.mul(scale, inv));
      // the running statistics' changes: momentum (batch statistic - running), the variance unbiased as PyTorch keeps it
      const dMean = ops.scale(ops.sub(mean, runningMean), momentum);
      const dVar = ops.sub(ops.scale(variance, (momentum * count) / (count - 1)), ops.scale(runningVar, momentum));
      return [[dw, db, dMean, dVar].map((d) => ops.reshape(d, own)), [dx]];
    },
    // the statistics move on every training step, whatever change arrives
    linear: false,
  });
}

/**
 * batchNorm(channels): batch normalization (Ioffe and Szegedy, 2015) of
 * values [C] or images [H, W, C] (channels last, as conv2d gives them: the
 * channels are the last axis, of any rank >= 1). In a
 * training plan (one that plans a reverse pass: what learners train with)
 * each channel is normalised with the batch's mean and biased variance over
 * the batch and the other axes, y = (x - mean) / sqrt(var + eps) weight +
 * bias, and the reverse is the exact one through the batch statistics. A
 * forward-only plan (`changes: "none"`: prediction, evaluation) uses the
 * running statistics instead. Parameters "weight" [C] (ones), "bias" [C]
 * (zeros), "running_mean" [C] (zeros) and "running_var" [C] (ones), named
 * as PyTorch's nn.BatchNorm2d names them.
 *
 * The running statistics are parameters of role "statistic", saved and
 * loaded like any. An exponential moving average is gradient descent on
 * (1/2) |running - batch statistic|^2 with step size momentum, so each
 * training step's reverse emits momentum (batch statistic - running) on
 * them (the unbiased variance, as PyTorch): learners add it as it is,
 * whatever the optimiser and the learning rate.
 *
 * @example
 * ```ts
 * const model = seq(layers.batchNorm(3), layers.relu).at([8, 8, 3]);
 * model.params.map((p) => p.name);  // ["0.weight", "0.bias", "0.running_mean", "0.running_var"]
 * ```
 *
 * @category Layers
 */
export function batchNorm(channels: number, options: BatchNormOptions = {}): AnyShape<true> {
  if (!Number.isInteger(channels) || channels < 1) throw new ParalensError(`batchNorm: channels must be a whole number >= 1, got ${describe(channels)}`);
  optionsArgument("batchNorm", options);
  const { momentum = 0.1, eps = 1e-5 } = options;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) throw new ParalensError(`batchNorm: momentum must be a number in [0, 1], got ${describe(momentum)}`);
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) throw new ParalensError(`batchNorm: eps must be a finite number >= 0, got ${describe(eps)}`);
  return anyShape(`batchNorm(${channels})`, true, (dom) => {
    if (dom.length !== 1 || dom[0]!.length === 0 || dom[0]![dom[0]!.length - 1] !== channels) {
      throw new ParalensError(`batchNorm(${channels}): acts on one wire whose last axis is its ${channels} channels ([${channels}], or images [H, W, ${channels}]), got ${fmtWires(dom)}`);
    }
    return batchNormAt(dom[0]!, true, momentum, eps);
  });
}
