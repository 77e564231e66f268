// The gradient transformations chain composes, and adamw, the chain most
// fine-tuning uses. Changes arrive as the learning-rate lens scaled them: with
// rate 1 a change is minus the gradient of the batch-mean loss, which is what
// torch.nn.utils.clip_grad_norm_ and torch.optim.AdamW see.
import type { Value } from "../algebra/category.ts";
import type { ParamSpec } from "../algebra/para.ts";
import type { Reparameterisation } from "../algebra/reparam.ts";
import { wire } from "../algebra/structure.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { type Transform, chain, perParameter, transform } from "./chain.ts";
import { type Optimiser, inGroups } from "./optimiser.ts";
import { checkStepSize, sgd } from "./optimisers.ts";
import type { StepSize } from "./schedules.ts";
import { registerOps } from "../ops/registry.ts";
import { unaryOps } from "../ops/unary.ts";
import { adamOps } from "../ops/optimisers.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => unaryOps);

function positiveFinite(what: string, name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0)) throw new ParalensError(`${what}: ${name} must be a positive finite number, got ${describe(v)}`);
  return v;
}
function inUnit(what: string, name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v >= 1) throw new ParalensError(`${what}: ${name} must be a finite number in [0, 1), got ${describe(v)}`);
  return v;
}

/**
 * Scales every change by min(1, maxNorm / (|d| + 1e-6)), where |d| is the
 * Euclidean norm of all the changes together (Pascanu, Mikolov & Bengio
 * 2013; the formula of torch.nn.utils.clip_grad_norm_).
 *
 * @example
 * ```ts
 * const opt = optimisers.chain(optimisers.clipByGlobalNorm(1), sgd());
 * opt.optimiserName;  // "chain(clipByGlobalNorm(1), sgd)"
 * ```
 *
 * @category Optimisers
 */
export function clipByGlobalNorm(maxNorm: number): Transform {
  positiveFinite("clipByGlobalNorm", "maxNorm", maxNorm);
  return transform(`clipByGlobalNorm(${maxNorm})`, () => [], (ops, _s, _p, ds) => {
    const squares = ds.map((d) => ops.sumTo(ops.square(d), []));
    const norm = ops.sqrt(squares.reduce((a, b) => ops.add(a, b)));
    const coef = ops.minimum(ops.fill([], 1), ops.div(ops.fill([], maxNorm), ops.add(norm, ops.fill([], 1e-6))));
    return [[], ds.map((d) => ops.mul(d, coef))];
  });
}

/**
 * d' = d - rate p for the parameters `only` selects (default: all): weight
 * decay. After scaleByAdam it is decoupled from the adaptive scaling
 * (Loshchilov & Hutter 2019, AdamW); before it, it is an L2 penalty.
 *
 * @example
 * ```ts
 * const noBiases = optimisers.weightDecay(0.01, { only: (p) => !p.name.endsWith("bias") });
 * optimisers.chain(optimisers.scaleByAdam(), noBiases, sgd({ lr: 1e-3 })).optimiserName;
 * ```
 *
 * @category Optimisers
 */
export function weightDecay(rate: number, options: { only?: (p: ParamSpec) => boolean } = {}): Transform {
  optionsArgument("weightDecay", options);
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) throw new ParalensError(`weightDecay: rate must be a finite number >= 0, got ${describe(rate)}`);
  const only = options.only ?? (() => true);
  const name = `weightDecay(${rate})`;
  // which parameters decay is known once the parameters are
  const build = (params: readonly ParamSpec[]): Reparameterisation => {
    const decays = params.map((p) => rate > 0 && only(p));
    return transform(name, () => [], (ops, _s, ps, ds) => [[], ds.map((d, i) => (decays[i] ? ops.addScaled(d, ps[i]!, -rate) : d))])(params);
  };
  return Object.assign(build, { transformName: name });
}

/**
 * Turns the change d into Adam's direction m^ / (delta + sqrt v^) (Kingma &
 * Ba 2015) with state m, v and the count t per parameter, and no step size:
 * chain it with sgd({ lr }) for Adam, with weightDecay between for AdamW.
 *
 * @example
 * ```ts
 * optimisers.chain(optimisers.scaleByAdam({ beta2: 0.99 }), sgd({ lr: 1e-3 })).optimiserName;  // "chain(scaleByAdam, sgd(0.001))"
 * ```
 *
 * @category Optimisers
 */
export function scaleByAdam(options: { beta1?: number; beta2?: number; delta?: number } = {}): Transform {
  optionsArgument("scaleByAdam", options);
  // its update comes with it (ops/index.ts)
  registerOps(() => adamOps);
  const { beta1 = 0.9, beta2 = 0.999, delta = 1e-8 } = options;
  inUnit("scaleByAdam", "beta1", beta1);
  inUnit("scaleByAdam", "beta2", beta2);
  positiveFinite("scaleByAdam", "delta", delta);
  return transform("scaleByAdam", (params) => perParameter(params, ["m", "v", "t"]), (ops, s, _p, ds) => {
    const state: Value[] = [];
    // Adam's fused update written into a zeroed change instead of the parameter: it adds 1 x the direction
    const out = ds.map((d, i) => {
      const [m, v, t, u] = ops.adamStep(s[3 * i]!, s[3 * i + 1]!, s[3 * i + 2]!, ops.zeros(ops.shape(d)), d, 1, beta1, beta2, delta);
      state.push(m, v, t);
      return u;
    });
    return [state, out];
  });
}

/**
 * AdamW (Loshchilov & Hutter 2019), torch.optim.AdamW's update, as the chain
 * scaleByAdam ; weightDecay ; sgd({ lr }): p' = p + lr (m^ / (delta + sqrt v^) - weightDecay p).
 * `lr` may be a schedule; `only` picks the parameters that decay (default: all).
 *
 * @example
 * ```ts
 * const lr = optimisers.joinSchedules([optimisers.linearWarmup(0, 1e-3, 100), optimisers.cosineDecay(1e-3, 900)], [100]);
 * const opt = optimisers.chain(optimisers.clipByGlobalNorm(1), adamw({ lr, weightDecay: 0.01 }));
 * supervised(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: opt, rate: 1 }).dispose();
 * ```
 *
 * @category Optimisers
 */
export function adamw(
  options: { lr?: StepSize; beta1?: number; beta2?: number; delta?: number; weightDecay?: number; only?: (p: ParamSpec) => boolean } = {},
): Optimiser {
  optionsArgument("adamw", options);
  const { lr = 0.001, weightDecay: wd = 0.01, only } = options;
  checkStepSize("adamw", lr);
  if (typeof wd !== "number" || !Number.isFinite(wd) || wd < 0) throw new ParalensError(`adamw: weightDecay must be a finite number >= 0, got ${describe(wd)}`);
  return chain(scaleByAdam(options), weightDecay(wd, only === undefined ? {} : { only }), sgd({ lr }));
}

/**
 * A different optimiser (or chain) for each group of parameters: `label`
 * names each parameter's group, and `groups` maps the names to optimisers.
 * `frozen` keeps a group as it is.
 *
 * @example
 * ```ts
 * const opt = optimisers.partition((p) => (p.name.startsWith("0.") ? "body" : "head"), { body: frozen, head: adam({ lr: 1e-3 }) });
 * supervised(seq(dense(4, 8, "relu"), dense(8, 3)), { loss: softmaxCrossEntropy, optimiser: opt, rate: 1 }).dispose();
 * ```
 *
 * @category Optimisers
 */
export function partition(label: (p: ParamSpec) => string, groups: Readonly<Record<string, (params: readonly ParamSpec[]) => Reparameterisation>>): Optimiser {
  if (typeof label !== "function") throw new ParalensError(`partition: label must be a function naming each parameter's group, got ${describe(label)}`);
  if (typeof groups !== "object" || groups === null || !Object.values(groups).every((g) => typeof g === "function")) {
    throw new ParalensError(`partition: groups must be an object of optimisers by name ({ body: frozen, head: adam() }), got ${describe(groups)}`);
  }
  const names = Object.keys(groups);
  const name = `partition(${names.map((g) => `${g}: ${(groups[g] as { optimiserName?: string }).optimiserName ?? "frozen"}`).join(", ")})`;
  const build = (params: readonly ParamSpec[]): Reparameterisation => {
    const labels = params.map((p) => {
      const g = label(p);
      if (!Object.hasOwn(groups, g)) throw new ParalensError(`partition: parameter "${p.name}" is labelled ${typeof g === "string" ? JSON.stringify(g) : describe(g)}, which names no group (the groups are ${names.join(", ")})`);
      return g;
    });
    if (params.length === 0) return { name, params: [], lens: wire([], [], name) };
    const g = inGroups(params, labels, groups, "partition");
    return { name, params: g.params, lens: g.lens };
  };
  return Object.assign(build, { optimiserName: name });
}
