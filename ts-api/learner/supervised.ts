// Supervised learning as one closed lens (Cruttwell et al., Figure 2):
//
//   (optimiser ; model) x id_B  ;  loss  ;  learning rate   :   A x B -> I
//
// with parameters the optimiser's S x P. Its forward pass predicts and
// computes the loss; its reverse pass, started from nothing (the codomain is
// the unit), runs backpropagation and hands back the new S x P: one call of
// reverse is one training step.
import type { Carrier } from "../algebra/category.ts";
import { par, seqOf } from "../algebra/compose.ts";
import type { Lens, Para, ParamSpec, Poly } from "../algebra/para.ts";
import { type Reparameterisation, reparam } from "../algebra/reparam.ts";
import type { Times, Wires } from "../algebra/shapes.ts";
import { id, tap } from "../algebra/structure.ts";
import type { RealOps } from "../ops/index.ts";
import type { Loss } from "../losses/losses.ts";
import type { Rate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";

/**
 * The parts around a model. Over the reals: a Loss, an Optimiser and a Rate;
 * over another base category K (Z2, say), lenses of the same roles over K.
 */
export interface LearningParts<K extends Carrier = RealOps> {
  loss: K extends RealOps ? Loss : Poly<false, K>;
  optimiser: K extends RealOps ? Optimiser : (params: readonly ParamSpec[]) => Reparameterisation<K>;
  rate: K extends RealOps ? Rate : Lens<Wires, readonly [], K> | Poly<false, K>;
}

/** The closed supervised-learning lens of a model. Taps "prediction", "label" and "loss" let plans report them. */
export function supervisedLens<A extends Wires, B extends Wires, K extends Carrier = RealOps>(
  model: Para<A, B, K>,
  parts: LearningParts<K>,
): Para<Times<A, B>, readonly [], K> {
  const out = model.cod;
  const pair = [...out, ...out];
  // the loss's own codomain: one number per example over the reals, the error bits over Z2
  const loss = (parts.loss as Poly<false, K>).at(pair);
  return seqOf<K>([
    par(reparam(model, parts.optimiser as (params: readonly ParamSpec[]) => Reparameterisation<K>), id<Wires, K>(out)) as Para<Wires, Wires, K>,
    tap<Wires, K>(["prediction", "label"], pair),
    loss,
    tap<Wires, K>("loss", loss.cod),
    parts.rate as Lens<Wires, readonly [], K> | Poly<false, K>,
  ]) as unknown as Para<Times<A, B>, readonly [], K>;
}
