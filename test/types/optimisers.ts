// A chain is gradient transformations then one optimiser, and the compiler
// holds it to that: an optimiser before the end, or no optimiser at the end,
// is a compile error (tsc runs over this file with the tests).
import { adam, sgd, optimisers } from "../../ts-api/index.ts";

export const fine = optimisers.chain(optimisers.clipByGlobalNorm(1), optimisers.scaleByAdam(), optimisers.weightDecay(0.01), sgd({ lr: optimisers.cosineDecay(1e-3, 100) }));

// @ts-expect-error an optimiser stands only at the end of a chain
export const early = optimisers.chain(sgd(), adam());

// @ts-expect-error a chain ends with an optimiser
export const open = optimisers.chain(optimisers.clipByGlobalNorm(1));

// @ts-expect-error a step size is a number or a schedule
export const named = adam({ lr: "0.001" });
