// Type-level shape checks, compiled by tsc as part of the test suite. Every
// line marked as an expected error must be one (tsc fails if it is not), and
// every other line must type-check.
import { dense, seq, par, type Para, layers, wires } from "../../ts-api/index.ts";

// literal shapes that agree compose, and the result's type carries them
const model = seq(dense(4, 20, "sigmoid"), dense(20, 3), layers.sigmoid);
export const typed: Para<readonly [readonly [4]], readonly [readonly [3]]> = model;
export const fromParts = seq(layers.linear(4, 3), layers.bias(3), layers.relu);

// literal shapes that disagree do not
// @ts-expect-error the output [20] does not fit the input [21]
seq(dense(4, 20), dense(21, 3));
// @ts-expect-error a mismatch after a shape-polymorphic layer is caught too
seq(dense(4, 20), layers.relu, dense(3, 3));
// @ts-expect-error the composite's codomain is [3], not [2]
export const wrong: Para<readonly [readonly [4]], readonly [readonly [2]]> = model;
// @ts-expect-error copy gives two wires; dense takes one
seq(wires.copy([3]), dense(3, 1));

// a size known only at run time agrees with anything: the check moves to run time
declare const n: number;
export const dynamic = seq(dense(4, n), dense(20, 3));

// parallel composition concatenates wires, and that is typed too
export const pair: Para<readonly [readonly [4], readonly [2]], readonly [readonly [3], readonly [5]]> = par(dense(4, 3), dense(2, 5));
export const swapped = seq(par(dense(4, 3), dense(2, 5)), wires.swap([3], [5]), par(wires.id([5]), dense(3, 1)));
// @ts-expect-error after the swap the wires are [5] x [3], so dense(5, 1) x id([3]) is not [3] x [5]-shaped
seq(par(dense(4, 3), dense(2, 5)), wires.swap([3], [5]), par(dense(3, 1), wires.id([5])));
