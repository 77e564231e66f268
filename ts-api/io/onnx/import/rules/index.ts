// The one table of the ONNX ops fromOnnx imports.
import { activationRules } from "./activations.ts";
import { convRules } from "./conv.ts";
import { elementwiseRules } from "./elementwise.ts";
import { linearRules } from "./linear.ts";
import { normRules } from "./norm.ts";
import type { Rule } from "./rule.ts";
import { shapeRules } from "./shape.ts";

export const rules: Readonly<Record<string, Rule>> = { ...elementwiseRules, ...activationRules, ...linearRules, ...shapeRules, ...convRules, ...normRules };

/** Inputs that are shapes, axes, indices or statistics: an initializer read only there is a constant, not a parameter. */
export const STATIC_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Slice: [1, 2, 3, 4], Squeeze: [1], Unsqueeze: [1], Expand: [1], ReduceSum: [1], ReduceMean: [1], Split: [1],
  Pad: [1, 2, 3], ConstantOfShape: [0], Range: [0, 1, 2], BatchNormalization: [3, 4], Dropout: [1, 2], Gather: [1], Where: [0], Pow: [1], Clip: [1, 2], Tile: [1], ReduceMax: [1],
};
