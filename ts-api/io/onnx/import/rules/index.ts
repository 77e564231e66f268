// The one table of the ONNX ops fromOnnx imports.
import { activationRules } from "./activations.ts";
import { constantRules } from "./constants.ts";
import { convRules } from "./conv.ts";
import { elementwiseRules } from "./elementwise.ts";
import { linearRules } from "./linear.ts";
import { normRules } from "./norm.ts";
import { recurrentRules } from "./recurrent.ts";
import type { Rule } from "./rule.ts";
import { shapeRules } from "./shape.ts";

function merged(...tables: readonly Record<string, Rule>[]): Readonly<Record<string, Rule>> {
  return Object.assign({}, ...tables);
}

let table: Readonly<Record<string, Rule>> | undefined;

/** Every rule by op, made once. */
export function rules(): Readonly<Record<string, Rule>> {
  return (table ??= merged(elementwiseRules(), activationRules(), linearRules(), shapeRules(), constantRules(), convRules(), normRules(), recurrentRules()));
}

/** Inputs that are shapes, axes, indices or statistics: an initializer read only there is a constant, not a parameter. */
export const STATIC_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Slice: [1, 2, 3, 4], Squeeze: [1], Unsqueeze: [1], Expand: [1], ReduceSum: [1], ReduceMean: [1], Split: [1],
  Pad: [1, 2, 3], ConstantOfShape: [0], Range: [0, 1, 2], BatchNormalization: [3, 4], Dropout: [1, 2], Gather: [1], Where: [0], Pow: [1], Clip: [1, 2], Tile: [1], ReduceMax: [1],
  LSTM: [4, 5, 6], GRU: [4, 5],
};

/** The fewest inputs each op needs (1 for an op not listed; Constant needs none). */
export const MIN_INPUTS: Readonly<Record<string, number>> = {
  Constant: 0, Add: 2, Sub: 2, Mul: 2, Div: 2, Pow: 2, Max: 1, Min: 1, Equal: 2, Less: 2, Greater: 2, LessOrEqual: 2,
  GreaterOrEqual: 2, And: 2, Or: 2, Mod: 2, Where: 3, Gemm: 2, MatMul: 2, Conv: 2, BatchNormalization: 5,
  LayerNormalization: 2, Reshape: 2, Expand: 2, Tile: 2, Gather: 2, Range: 3, LSTM: 3, GRU: 3,
};
