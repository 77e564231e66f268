// Supervised learning as one closed lens (Cruttwell et al., Figure 2):
//
//   (optimiser ; model) x id_B  ;  loss  ;  learning rate   :   A x B -> I
//
// with parameters the optimiser's S x P. Its forward pass predicts and
// computes the loss; its reverse pass, started from nothing (the codomain is
// the unit), runs backpropagation and hands back the new S x P: one call of
// reverse is one training step.
import { par, seqOf } from "../algebra/compose.ts";
import type { Para } from "../algebra/para.ts";
import { reparam } from "../algebra/reparam.ts";
import type { Times, Wires } from "../algebra/shapes.ts";
import { id, tap } from "../algebra/structure.ts";
import { type Loss, LOSS } from "../losses/losses.ts";
import type { Rate } from "../losses/rates.ts";
import type { Optimiser } from "../optimisers/optimiser.ts";

export interface LearningParts {
  loss: Loss;
  optimiser: Optimiser;
  rate: Rate;
}

/** The closed supervised-learning lens of a model. Taps "prediction", "label" and "loss" let plans report them. */
export function supervisedLens<A extends Wires, B extends Wires>(model: Para<A, B>, parts: LearningParts): Para<Times<A, B>, readonly []> {
  const out = model.cod;
  const pair = [...out, ...out];
  return seqOf([
    par(reparam(model, parts.optimiser), id(out)),
    tap(["prediction", "label"], pair),
    parts.loss.at(pair),
    tap("loss", LOSS),
    parts.rate,
  ]) as unknown as Para<Times<A, B>, readonly []>;
}
