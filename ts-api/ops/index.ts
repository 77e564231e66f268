// The one list of the real base category's primitive operations. The wasm
// planner, the float64 reference, the ONNX exporter and the RealOps type are
// all built from it: an op added here is at once a method of every backend,
// and nowhere else.
//
// The ops of convolution, pooling and attention (with embeddings and dropout)
// are groups their layers bring: each layer module that calls them registers
// its group when it is loaded (registerOps), so a bundle of a program that
// uses none of those layers carries none of their ops (~3 KB of a web bundle,
// gzipped). The RealOps type has them all; a backend asked for one that no
// loaded module registered says which layer brings it.
import type { Carrier } from "../algebra/category.ts";
import { ParalensError } from "../engine/errors.ts";
import type { Op, OpsOf } from "./op.ts";
import { add, addScaled, fill, scale, zeros } from "./elementwise.ts";
import { unaryOps } from "./unary.ts";
import { binaryOps } from "./binary.ts";
import { activationOps } from "./activations.ts";
import { linearOps } from "./linear.ts";
import { softmaxOps } from "./softmax.ts";
import { lossOps } from "./losses.ts";
import { optimiserOps } from "./optimisers.ts";
import { wireOps } from "./wires.ts";
import type { convOps } from "./conv/conv2d.ts";
import type { poolOps } from "./conv/pool.ts";
import type { attentionOps } from "./attention.ts";

/** The ops every backend always has. */
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
};

/** The groups layers bring, by op name: which layer to import for it. */
const groups = {
  conv2d: "conv2d", conv2dInputGrad: "conv2d", conv2dFilterGrad: "conv2d",
  maxPool2d: "maxPool2d", maxPool2dReverse: "maxPool2d", avgPool2d: "avgPool2d", avgPool2dReverse: "avgPool2d",
  splitHeads: "attention", mergeHeads: "attention", causalSoftmax: "attention",
  gatherRows: "embedding", scatterAddRows: "embedding", dropout: "dropout",
} as const satisfies Record<keyof (typeof convOps & typeof poolOps & typeof attentionOps), string>;

const loaded: Record<string, Op> = { ...primitives };

/** Adds a group of ops to every backend (idempotent): called by the layer modules that use them. */
export function registerOps(group: Readonly<Record<string, Op>>): void {
  Object.assign(loaded, group);
}

/** Every op a backend has now: the primitives and the registered groups. */
export function loadedOps(): Readonly<Record<string, Op>> {
  return loaded;
}

/**
 * `methods` as a backend's RealOps: an op of a group that no loaded module
 * registered is a clear error instead of "not a function" (only a bundle
 * that left its layer out can lack one).
 */
export function backendOps(methods: Record<string, unknown>, backend: string): RealOps {
  const missing = Object.keys(groups).filter((name) => !(name in methods));
  for (const name of missing) {
    methods[name] = () => {
      throw new ParalensError(
        `${backend}: the op ${name} is not loaded: it comes with the ${groups[name as keyof typeof groups]} layer, so import that layer (from "paralens") in the program that uses it`,
      );
    };
  }
  return methods as unknown as RealOps;
}

/**
 * The base category of the reals: what lenses over it may compute with.
 * Matrices are row-major; a batched value has the batch as its first axis,
 * and row-wise operations (softmax, losses) treat each row as one example.
 */
export type RealOps = Carrier & OpsOf<typeof primitives & typeof convOps & typeof poolOps & typeof attentionOps>;
