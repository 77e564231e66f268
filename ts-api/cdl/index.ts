/**
 * paralens/cdl: architectures as (co)algebras of endofunctors in Para (Gavranović et al.,
 * "Categorical Deep Learning"): folds over lists and trees, unfolds, Mealy and Moore machines,
 * weight sharing, equivariant layers. The one list of its public names.
 *
 * @module paralens/cdl
 */
export { share, named, point, zeroPoint, withStart, type SharedCell } from "./share.ts";
export { fold, type Fold, type ListAlgebra } from "./fold.ts";
export { elman, gru, lstm } from "./cells.ts";
export { foldTree, leaf, node, treeShape, flattenTree, type Tree, type TreeAlgebra, type TreeFold } from "./tree.ts";
export { unfold, type Stream } from "./unfold.ts";
export { mealy, moore, type Machine } from "./machines.ts";
export {
  cyclicGroup, symmetricGroup, productGroup, shiftAction, permutationAction, translationAction, trivialAction, type Group, type Action,
} from "./groups.ts";
export { checkEquivariance, type EquivarianceOptions, type EquivarianceReport } from "./equivariance.ts";
export { perElement, sumPool, meanPool, broadcast, deepSetsLayer, deepSets } from "./sets.ts";
export { aggregate, messagePassing } from "./graph.ts";
export { indexMap, tying, circularConv1d, circularConv2d, type ConvOptions } from "./circulant.ts";
export { StructuredLearner, type Bucket, type StructuredOptions, type StructuredFitOptions } from "./learner.ts";

