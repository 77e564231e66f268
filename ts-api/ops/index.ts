// The one list of the real base category's primitive operations. The wasm
// planner, the float64 reference and the RealOps type are all built from it:
// an op added here is at once a method of both backends, and nowhere else.
import type { Carrier } from "../algebra/category.ts";
import type { OpsOf } from "./op.ts";
import { add, addScaled, fill, scale, zeros } from "./elementwise.ts";
import { unaryOps } from "./unary.ts";
import { binaryOps } from "./binary.ts";
import { activationOps } from "./activations.ts";
import { linearOps } from "./linear.ts";
import { softmaxOps } from "./softmax.ts";
import { lossOps } from "./losses.ts";
import { optimiserOps } from "./optimisers.ts";
import { wireOps } from "./wires.ts";
import { convOps } from "./conv/conv2d.ts";
import { poolOps } from "./conv/pool.ts";
import { attentionOps } from "./attention.ts";

export const primitives = {
  add, zeros, fill, scale, addScaled,
  ...unaryOps,
  ...binaryOps,
  ...activationOps,
  ...linearOps,
  ...softmaxOps,
  ...lossOps,
  ...optimiserOps,
  ...wireOps,
  ...convOps,
  ...poolOps,
  ...attentionOps,
};

/**
 * The base category of the reals: what lenses over it may compute with.
 * Matrices are row-major; a batched value has the batch as its first axis,
 * and row-wise operations (softmax, losses) treat each row as one example.
 */
export type RealOps = Carrier & OpsOf<typeof primitives>;
