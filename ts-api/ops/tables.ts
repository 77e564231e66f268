// The float64 references and ONNX lowerings of the planned ops (ops/op.ts):
// imported by the reference backend and the ONNX exporter alone, so that a
// program using neither carries none of them.
import type { OptimiserGroups, primitives } from "./index.ts";
import type { Lowerings, References } from "./op.ts";
import { activationLowerings, activationReferences } from "./activations.ts";
import { binaryLowerings, binaryReferences } from "./binary.ts";
import { elementwiseLowerings, elementwiseReferences } from "./elementwise.ts";
import { linearLowerings, linearReferences } from "./linear.ts";
import { lossLowerings, lossReferences } from "./losses.ts";
import { adagradReferences, adamReferences, momentumReferences, optimiserReferences, rmspropReferences, scheduledSgdReferences } from "./optimisers.ts";
import { softmaxLowerings, softmaxReferences } from "./softmax.ts";

type Planned = typeof primitives & OptimiserGroups;

/** The float64 reference of every planned op, by name. */
export const plannedReferences: References<Planned> = {
  ...elementwiseReferences,
  ...binaryReferences,
  ...activationReferences,
  ...linearReferences,
  ...softmaxReferences,
  ...lossReferences,
  ...optimiserReferences,
  ...scheduledSgdReferences,
  ...momentumReferences,
  ...adagradReferences,
  ...rmspropReferences,
  ...adamReferences,
};

/** The ONNX lowering of every planned op that has one (the optimisers' updates are not inference). */
export const plannedLowerings: Lowerings<Planned> = {
  ...elementwiseLowerings,
  ...binaryLowerings,
  ...activationLowerings,
  ...linearLowerings,
  ...softmaxLowerings,
  ...lossLowerings,
};
