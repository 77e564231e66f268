// Supervised learning as one closed lens, drawn as in Cruttwell et al.,
// Figure 2:
//
//   (reparam(model, optimiser) x id_B) ; tap(prediction, label) ; loss ; tap(loss) ; rate   :   A x B -> I
//   '------ scoringLens(reparam(model, optimiser), loss) ------------'
//
// with parameters the optimiser's S x P. Its forward pass predicts and
// computes the loss; its reverse pass, started from nothing (the codomain is
// the unit), runs backpropagation and hands back the new S x P: one call of
// reverse is one training step. Evaluation runs the scoring part alone, on the
// bare model: scoringLens(model, loss).
import type { Carrier } from "../algebra/category.ts";
import { par, seqOf } from "../algebra/compose.ts";
import { type Lens, type Para, type ParamSpec, type AnyShape, layerArgument, paraArgument } from "../algebra/para.ts";
import { type Reparameterisation, reparam } from "../algebra/reparam.ts";
import { type Times, type Wires, sameWires, wiresArgument } from "../algebra/shapes.ts";
import { id, tap } from "../algebra/structure.ts";
import type { RealOps } from "../ops/index.ts";
import { statisticsApart } from "../optimisers/optimiser.ts";
import { ParalensError, fmtWires, optionsArgument } from "../engine/errors.ts";

/**
 * The parts around a model, as lenses over a base category K. Over the reals
 * (the default) these are a Loss, an Optimiser and a Rate; over Z2 the Boolean
 * error, the RDA update and the identity rate (see z2/learning.ts).
 *
 * @category Learners
 */
export interface LearningParts<K extends Carrier = RealOps> {
  /** Prediction and label in, the loss out: [S, S] -> L, taking the shape of the model's output. */
  loss: AnyShape<false, K>;
  /** The lens S x P -> P on the parameter wire, built for the model's parameters. */
  optimiser: (params: readonly ParamSpec[]) => Reparameterisation<K>;
  /** The learning rate L -> I: its reverse emits the change that starts backpropagation. */
  rate: Lens<Wires, readonly [], K> | AnyShape<false, K>;
  /** The label wires, if not the model's output wires (class indices: one shape [] per example, or one index per token). */
  labels?: Wires;
}

/**
 * The lens evaluation runs: `model x id_B ; tap(prediction, label) ; loss`,
 * A x B -> L. Its taps let a compiled plan report the predictions next to the
 * labels, its output is the loss of every example. The label wires are the
 * model's output wires unless given (class indices: [[]] for
 * softmaxCrossEntropy, the tokens' shape for tokenCrossEntropy).
 *
 * @example
 * ```ts
 * const score = compile(learning.scoringLens(dense(4, 3), softmaxCrossEntropy), { batch: 8, changes: "none" });
 * score.forward();  // score.outputs[0]: 8 losses; score.observed.get("prediction"): 8 rows of logits
 * const byIndex = compile(learning.scoringLens(dense(4, 3), softmaxCrossEntropy, [[]]), { batch: 8, changes: "none" });
 * byIndex.inputs[1]!.shape;  // [8]: one class index per example
 * score.dispose(); byIndex.dispose();
 * ```
 *
 * @category Learners
 */
export function scoringLens<A extends Wires, B extends Wires, K extends Carrier = RealOps>(
  model: Para<A, B, K>,
  loss: AnyShape<false, K>,
  labels: Wires = (model as Partial<Para<A, B, K>> | null)?.cod as B,
): Para<Times<A, B>, Wires, K> {
  paraArgument("scoringLens", model);
  layerArgument("scoringLens", loss, "the loss");
  wiresArgument("scoringLens", labels, "labels");
  if (!labels.every((w: unknown) => Array.isArray(w))) throw new ParalensError(`scoringLens: labels must be a list of wires ([[3]]), got ${fmtWires([labels as unknown as number[]])}`);
  const pair = [...model.cod, ...labels];
  const scoring = seqOf<K>([par(model, id<Wires, K>(labels)), tap<Wires, K>(["prediction", "label"], pair), loss]);
  return withEnds("scoringLens", scoring, [...model.dom, ...labels]) as unknown as Para<Times<A, B>, Wires, K>;
}

/**
 * The closed supervised-learning lens of a model: the scoring lens of the
 * reparameterised model, its loss tapped and fed to the learning rate. Taps
 * "prediction", "label" and "loss" let plans report them.
 *
 * @example
 * ```ts
 * const lens = learning.supervisedLens(dense(4, 3), { loss: softmaxCrossEntropy, optimiser: sgd(), rate: losses.constantRate(0.1) });
 * const plan = compile(lens, { batch: 8, changes: "params" });
 * plan.forward(); plan.reverse();  // one training step: plan.params hold the new S x P
 * ```
 *
 * @category Learners
 */
export function supervisedLens<A extends Wires, B extends Wires, K extends Carrier = RealOps>(
  model: Para<A, B, K>,
  parts: LearningParts<K>,
): Para<Times<A, B>, readonly [], K> {
  paraArgument("supervisedLens", model);
  optionsArgument("supervisedLens", parts, "parts");
  // statistic parameters (batchNorm's running statistics) step by their own change, not by the optimiser
  const optimiser = statisticsApart(parts.optimiser as unknown as (params: readonly ParamSpec[]) => Reparameterisation) as unknown as typeof parts.optimiser;
  const scoring = scoringLens(reparam(model, optimiser), parts.loss, parts.labels);
  const closed = seqOf<K>([scoring, tap<Wires, K>("loss", scoring.cod), parts.rate]);
  return withEnds("supervisedLens", closed, scoring.dom, [] as const);
}

/**
 * A composite built by seqOf, which checks every join at run time but types
 * its ends as plain Wires, given back the types of its ends once they are
 * checked (the codomain too, if given). This is the one cast between the
 * run-time composites and the typed API: TypeScript cannot follow a join of
 * generic wires (seq's shape checks defer on them), so they are checked here.
 */
function withEnds<A extends Wires, B extends Wires = Wires, K extends Carrier = RealOps>(
  what: string,
  f: Para<Wires, Wires, K> | AnyShape<boolean, K>,
  dom: A,
  cod?: B,
): Para<A, B, K> {
  if (f.kind === "anyShape") throw new ParalensError(`${what}: ${f.name} has no fixed shape`);
  if (!sameWires(f.dom, dom) || (cod !== undefined && !sameWires(f.cod, cod))) {
    throw new ParalensError(`${what}: ${f.name} is ${fmtWires(f.dom)} -> ${fmtWires(f.cod)}, expected ${fmtWires(dom)} -> ${cod ? fmtWires(cod) : "any wires"}`);
  }
  return f as Para<A, B, K>;
}
