// Reverse derivative ascent (Wilson & Zanasi 2020, section 4) as the lenses
// of supervised learning over Z2, composed by the same supervisedLens as
// gradient descent over the reals:
//   loss            the Boolean error y + t (XOR): R[loss](y, t, d) = (d, d)
//   learning rate   the identity: its reverse hands the error back as the change
//   update          p' = p + R[model]_P(p, x, y + t), i.e. p XOR the parameter change
// so one reverse pass of (update ; model) x id ; loss ; rate flips exactly the
// parameter bits whose flip the model's derivative says would flip a wrong
// output. With a batch, a parameter's change is the XOR over the examples
// (the reverse of copying it to each); with one example it is the paper's.
import type { Value } from "../algebra/category.ts";
import { type Lens, type Para, type ParamSpec, type AnyShape, lens, anyShape, paraArgument } from "../algebra/para.ts";
import type { Reparameterisation } from "../algebra/reparam.ts";
import { type Times, type Wires, countArgument, shapeArgument } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import { supervisedLens } from "../learner/supervised.ts";
import { type Z2Ops, range } from "./ops.ts";

/**
 * The Boolean error: a polymorphic lens [S, S] -> [S], (y, t) -> y + t; the change d goes back to both.
 *
 * @example
 * ```ts
 * xorLoss.at([[1], [1]]).cod;  // [[1]]: the error bits y XOR t
 * ```
 *
 * @category Learning
 */
export const xorLoss: AnyShape<false, Z2Ops> = anyShape<false, Z2Ops>("xorLoss", false, (dom) => {
  if (dom.length !== 2 || dom[0]!.length !== 1 || dom[0]![0] !== dom[1]![0] || dom[1]!.length !== 1) {
    throw new ParalensError(`xorLoss: takes a prediction and a label of one width [n], got ${fmtWires(dom)}`);
  }
  return lens<Wires, Wires, null, Z2Ops>({
    name: "xorLoss",
    dom,
    cod: [dom[0]!],
    forward: (ops, [y, t]) => [[ops.xor(y!, t!)], null],
    reverse: (_ops, _r, [d]) => [d!, d!],
  });
});

/**
 * The identity learning rate: a lens [S] -> I whose reverse hands back the error it was given.
 *
 * @example
 * ```ts
 * identityRate.at([[1]]).cod;  // []: the unit, as a learning rate closes the lens
 * ```
 *
 * @category Learning
 */
export const identityRate: AnyShape<false, Z2Ops> = anyShape<false, Z2Ops>("identityRate", false, (dom) =>
  lens<Wires, readonly [], Value[], Z2Ops>({
    name: "identityRate",
    dom,
    cod: [],
    forward: (_ops, xs) => [[], xs as Value[]],
    reverse: (_ops, xs) => xs,
    // it takes no change at all, yet must emit one
    linear: false,
  }),
);

/**
 * The RDA update on the parameter wire: a lens P -> P, forward p -> p, reverse (p, dp) -> p + dp (the new parameter).
 *
 * @example
 * ```ts
 * rdaUpdate(lut(2, 1).params).params.length;  // 1: the table, updated as p XOR p'
 * ```
 *
 * @category Learning
 */
export function rdaUpdate(params: readonly ParamSpec[]): Reparameterisation<Z2Ops> {
  if (!Array.isArray(params)) throw new ParalensError(`rdaUpdate: params must be an array of parameter specs (a model's params), got ${describe(params)}`);
  params.forEach((p: unknown, i) => {
    if (typeof p !== "object" || p === null) throw new ParalensError(`rdaUpdate: params[${i}] must be a parameter spec ({ name, shape, init }), got ${describe(p)}`);
    shapeArgument("rdaUpdate", (p as ParamSpec).shape, `params[${i}].shape`);
  });
  const shapes = params.map((p) => p.shape);
  return {
    name: "rda",
    params,
    lens: lens<Wires, Wires, Value[], Z2Ops>({
      name: "rda",
      dom: shapes,
      cod: shapes,
      forward: (_ops, ps) => [ps as Value[], ps as Value[]],
      reverse: (ops, ps, dps) => range(ps.length).map((i) => ops.xor(ps[i]!, dps[i]!)),
      linear: false,
    }),
  };
}

/**
 * The closed lens of reverse derivative ascent for a model: A x B -> I with
 * the model's parameters, taps "prediction", "label" and "loss" (the error
 * bits). Compiled with `update: true`, one reverse pass is one RDA step.
 *
 * @example
 * ```ts
 * rdaLens(lut(2, 1)).dom;  // [[2], [1]]: inputs and labels in, nothing out
 * ```
 *
 * @category Learning
 */
export function rdaLens<A extends Wires, B extends Wires>(model: Para<A, B, Z2Ops>): Para<Times<A, B>, readonly [], Z2Ops> {
  paraArgument("rdaLens", model);
  return supervisedLens<A, B, Z2Ops>(model, { loss: xorLoss, optimiser: rdaUpdate, rate: identityRate });
}

/**
 * anyBit(m) : [m] -> [1], the OR of the bits: 1 + prod(1 + e_j). Its
 * reverse gives e_i the change dz times prod over j != i of (1 + e_j).
 *
 * @example
 * ```ts
 * truthTable(anyBit(2));  // Uint8Array [0, 1, 1, 1]
 * ```
 *
 * @category Learning
 */
export function anyBit(m: number): Lens<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  countArgument("anyBit", m, "m", 1);
  return lens<readonly [readonly [number]], readonly [readonly [number]], Value[], Z2Ops>({
    name: `any(${m})`,
    dom: [[m]],
    cod: [[1]],
    forward(ops, [e]) {
      const clear = range(m).map((j) => ops.not(ops.pick(e!, [j])));
      return [[ops.not(clear.reduce((a, b) => ops.and(a, b)))], clear];
    },
    reverse(ops, clear, [dz]) {
      const others = range(m).map((i) => clear.filter((_, j) => j !== i).reduce((a, b) => ops.and(a, b), dz!));
      return [ops.join(others)];
    },
  });
}
