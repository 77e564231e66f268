// Type-level shape checks of the (co)algebra combinators: a cell whose state
// does not match the fold's, or a fold fed to a readout of the wrong width,
// is a compile error.
import { dense, seq } from "../../ts-api/index.ts";
import { elman, fold, gru, point } from "../../ts-api/cdl/index.ts";

// the state of nil is [8]; the cell's state is [8]: fine
export const ok = fold({ nil: point([8]), cons: gru(2, 8) });

// @ts-expect-error the cell's state [3] is not nil's [4]
export const wrongState = fold({ nil: point([4]), cons: elman(2, 3) });

// @ts-expect-error a dense layer has no state input
export const noState = fold({ nil: point([3]), cons: dense(2, 3) });

// a GRU's output [8] feeds dense(8, 1)
export const readout = seq(gru(2, 8), dense(8, 1));

// @ts-expect-error a GRU's output [8] does not fit dense(4, 1)
export const wrongReadout = seq(gru(2, 8), dense(4, 1));
