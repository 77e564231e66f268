import { dense, gru, elman, seq } from "../../ts-api/index.ts";
// @ts-expect-error x
export const a = seq(dense(2, 8), dense(4, 1));
const g = gru(2, 8);
export type G = typeof g;
export const gc: G["cod"] = [[8]];
// @ts-expect-error x
export const b = seq(elman(2, 8), dense(4, 1));
