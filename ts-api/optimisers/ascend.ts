// Gradient ascent, said on purpose. A learning rate or an optimiser's step
// of the wrong sign climbs the loss, so rates and step sizes must be >= 0;
// where climbing is the point (a GAN's critic, a dreamed input, an
// adversarial example: Cruttwell et al. give their parameter wires rates of
// opposite sign), `ascend` turns the change around on its way in.
import type { Change } from "../algebra/category.ts";
import { seqOf } from "../algebra/compose.ts";
import { type Lens, lens, paraArgument } from "../algebra/para.ts";
import type { Wires } from "../algebra/shapes.ts";
import type { Rate } from "../losses/rates.ts";
import type { Optimiser } from "./optimiser.ts";
import { registerOps } from "../ops/registry.ts";
import { unaryOps } from "../ops/unary.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => unaryOps);

/** id on the forward pass; -change on the reverse. */
function negated(dom: Wires): Lens<Wires, Wires> {
  return lens<Wires, Wires, null>({
    name: "ascend",
    dom,
    cod: dom,
    forward: (_ops, x) => [[...x], null],
    reverse: (ops, _r, dy) => dy.map((d) => ops.neg(d)),
  });
}

/**
 * The same rate or optimiser, climbing instead of descending: a rate whose
 * reverse emits +eta instead of -eta, or an optimiser whose update sees the
 * change with its sign turned (its step sizes stay positive).
 *
 * @example
 * ```ts
 * const critic = optimisers.ascend(optimisers.rmsprop({ lr: 5e-5 }));    // the WGAN critic's parameter wire
 * const dreamer = optimisers.ascend(losses.constantRate(1));          // raise a score instead of lowering it
 * ```
 *
 * @category Optimisers
 */
export function ascend(rate: Rate): Rate;
export function ascend(optimiser: Optimiser): Optimiser;
export function ascend(part: Rate | Optimiser): Rate | Optimiser {
  if (typeof part === "function") {
    const build = (params: Parameters<Optimiser>[0]): ReturnType<Optimiser> => {
      const r = part(params);
      return { ...r, name: `ascend(${r.name})`, lens: seqOf([r.lens, negated(r.lens.cod)]) as Lens<Wires, Wires> };
    };
    return Object.assign(build, { optimiserName: `ascend(${part.optimiserName})` });
  }
  paraArgument("ascend", part, "the rate or optimiser");
  return lens<Wires, readonly [], unknown>({
    name: `ascend(${part.name})`,
    dom: part.dom,
    cod: [],
    forward: (ops, x) => {
      const [, r] = part.forward(ops, [], x);
      return [[], r];
    },
    reverse: (ops, r) => part.reverse(ops, r, [])[1].map((d: Change) => (d === null ? null : ops.neg(d))),
    linear: false,
  });
}
