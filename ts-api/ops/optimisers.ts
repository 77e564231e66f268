// The optimisers' update kernels. An update returns the new state and
// parameter; a compiled plan writes them over the old ones in place (so
// they are the same tensors afterwards, and the call is never pruned: it
// changes memory that outlives the plan). The reference returns new values.
// Fused: an update reads and writes each parameter once per step, where
// composed ops would stream it through memory four to eight times (Adam:
// 3.14x the composition in `npm run bench -- fused`). Each optimiser's update
// is a group its factory registers (ops/index.ts), so a program carries the
// updates of the optimisers it makes and no others.
import type { Value } from "../algebra/category.ts";
import type { Tensor } from "../engine/tensor.ts";
import { ParalensError, fmtShape } from "../engine/errors.ts";
import { sameSize } from "./checks.ts";
import { type PlanContext, type References, planned } from "./op.ts";
import { mapRef, refTensor, sizeOf } from "./ref-tensor.ts";

// The step size an update reads; the schedules themselves are optimisers/schedules.ts.
/**
 * A step size per step count k = 0, 1, 2, ... (k counts the updates made before this one).
 *
 * @category Optimisers
 */
export interface Schedule {
  readonly kind: "schedule";
  /** For printing: "cosineDecay(0.001, 1000)". */
  readonly name: string;
  /** The step size of update k. */
  at(k: number): number;
}

/**
 * A step size: a number (constant) or a schedule.
 *
 * @category Optimisers
 */
export type StepSize = number | Schedule;

const at = (lr: StepSize, k: number): number => (typeof lr === "number" ? lr : lr.at(k));

/** A step count is one value (an f32: whole numbers are exact up to 2^24 steps). */
function oneCount(name: string, shape: readonly number[]): void {
  if (sizeOf(shape) !== 1) throw new ParalensError(`${name}: the step count must hold one value, got ${fmtShape(shape)}`);
}

function update(p: PlanContext, name: string, state: Tensor[], param: Tensor, d: Tensor, run: () => void): void {
  sameSize(name, param.shape, d.shape);
  for (const s of state) if (s.size !== 1) sameSize(name, s.shape, param.shape);
  p.emit(name, run, [...state, param, d], [...state, param], true);
}

/** The update every optimiser may end in: p + d. */
export const optimiserOps = {

  /** p + d (the rate lens has already scaled d by -eta). */
  sgdStep: /* @__PURE__ */ planned<[p: Value, d: Value]>({
    plan(p, param, d) {
      update(p, "sgdStep", [], param, d, () => p.core.sgdStep(param.offset, d.offset, param.size));
      return param;
    },
  }),
};

export const optimiserReferences: References<typeof optimiserOps> = {
  sgdStep: (param, d) => mapRef(param, (x, i) => x + d.data[i]!),
};

/** Gradient descent with a step size that follows a schedule (sgd({ lr })). */
export const scheduledSgdOps = {
  /**
   * t' = t + 1; p' = p + lr(t) d: gradient descent whose step size is a schedule
   * of the count t in its state (lr(k) is read at k = t, the updates made before).
   */
  scheduledSgdStep: /* @__PURE__ */ planned<[t: Value, p: Value, d: Value, lr: StepSize], [t: Value, p: Value]>({
    plan(p, t, param, d, lr) {
      oneCount("scheduledSgdStep", t.shape);
      // the step size is read from the count when the call runs, so a plan serves every step
      const count = (): number => t.data[0]!;
      update(p, "scheduledSgdStep", [t], param, d, () => {
        const eta = at(lr, count());
        p.core.adamCount(t.offset);
        p.core.addScaled(param.offset, param.offset, d.offset, eta, param.size);
      });
      return [t, param];
    },
  }),
};

export const scheduledSgdReferences: References<typeof scheduledSgdOps> = {
  scheduledSgdStep(tv, param, d, lr) {
    oneCount("scheduledSgdStep", tv.shape);
    const eta = at(lr, tv.data[0]!);
    return [refTensor([1], [tv.data[0]! + 1]), mapRef(param, (x, i) => x + eta * d.data[i]!)];
  },
};

/** The heavy ball (momentum, nesterov). */
export const momentumOps = {
  /** s' = gamma s + d; p' = p + s'. */
  momentumStep: /* @__PURE__ */ planned<[s: Value, p: Value, d: Value, gamma: number], [s: Value, p: Value]>({
    plan(p, s, param, d, gamma) {
      update(p, "momentumStep", [s], param, d, () => p.core.momentumStep(s.offset, param.offset, d.offset, param.size, gamma));
      return [s, param];
    },
  }),
};

export const momentumReferences: References<typeof momentumOps> = {
  momentumStep(sv, param, d, gamma) {
    const s = mapRef(sv, (x, i) => gamma * x + d.data[i]!);
    return [s, mapRef(param, (x, i) => x + s.data[i]!)];
  },
};

/** AdaGrad. */
export const adagradOps = {
  /** g' = g + d^2; p' = p + lr d / (delta + sqrt g'). */
  adagradStep: /* @__PURE__ */ planned<[g: Value, p: Value, d: Value, lr: number, delta: number], [g: Value, p: Value]>({
    plan(p, g, param, d, lr, delta) {
      update(p, "adagradStep", [g], param, d, () => p.core.adagradStep(g.offset, param.offset, d.offset, param.size, lr, delta));
      return [g, param];
    },
  }),
};

export const adagradReferences: References<typeof adagradOps> = {
  adagradStep(gv, param, d, lr, delta) {
    const g = mapRef(gv, (x, i) => x + d.data[i]! * d.data[i]!);
    return [g, mapRef(param, (x, i) => x + (lr * d.data[i]!) / (delta + Math.sqrt(g.data[i]!)))];
  },
};

/** RMSProp. */
export const rmspropOps = {
  /** v' = rho v + (1 - rho) d^2; p' = p + lr d / (delta + sqrt v'). */
  rmspropStep: /* @__PURE__ */ planned<[v: Value, p: Value, d: Value, lr: number, rho: number, delta: number], [v: Value, p: Value]>({
    plan(p, v, param, d, lr, rho, delta) {
      update(p, "rmspropStep", [v], param, d, () => p.core.rmspropStep(v.offset, param.offset, d.offset, param.size, lr, rho, delta));
      return [v, param];
    },
  }),
};

export const rmspropReferences: References<typeof rmspropOps> = {
  rmspropStep(vv, param, d, lr, rho, delta) {
    const v = mapRef(vv, (x, i) => rho * x + (1 - rho) * d.data[i]! * d.data[i]!);
    return [v, mapRef(param, (x, i) => x + (lr * d.data[i]!) / (delta + Math.sqrt(v.data[i]!)))];
  },
};

/** Adam (adam, adamw, scaleByAdam). */
export const adamOps = {
  /** Adam (Kingma and Ba, Algorithm 1) with the step count t inside the state; d is the ascent direction; lr may be a schedule of t. */
  adamStep: /* @__PURE__ */ planned<[m: Value, v: Value, t: Value, p: Value, d: Value, lr: StepSize, b1: number, b2: number, delta: number], [m: Value, v: Value, t: Value, p: Value]>({
    plan(p, m, v, t, param, d, lr, b1, b2, delta) {
      oneCount("adamStep", t.shape);
      const count = (): number => t.data[0]!;
      update(p, "adamStep", [m, v, t], param, d, () => {
        const eta = at(lr, count());
        p.core.adamCount(t.offset);
        p.core.adamUpdate(m.offset, v.offset, t.offset, param.offset, d.offset, param.size, eta, b1, b2, delta);
      });
      return [m, v, t, param];
    },
  }),
};

export const adamReferences: References<typeof adamOps> = {
  adamStep(mv, vv, tv, param, d, rate, b1, b2, delta) {
    oneCount("adamStep", tv.shape);
    const lr = at(rate, tv.data[0]!);
    const t = tv.data[0]! + 1;
    const m = mapRef(mv, (x, i) => b1 * x + (1 - b1) * d.data[i]!);
    const v = mapRef(vv, (x, i) => b2 * x + (1 - b2) * d.data[i]! * d.data[i]!);
    const [c1, c2] = [1 - b1 ** t, 1 - b2 ** t];
    const next = mapRef(param, (x, i) => x + (lr * (m.data[i]! / c1)) / (delta + Math.sqrt(v.data[i]! / c2)));
    return [m, v, refTensor([1], [t]), next];
  },
};

