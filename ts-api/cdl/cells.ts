// Recurrent cells as Para maps A x S -> S, composed from dense layers,
// activations and the wire lenses (concat, split, multiply). Any of them is
// the cons of a fold, the next-state map of a machine, or (with a readout)
// a Mealy cell. Gates read [x, h] through one matrix (concat, then a dense
// layer with all gates side by side, then split), so a step is a few large
// products instead of many small ones.
import { optionsArgument } from "../engine/errors.ts";
import { seq } from "../algebra/compose.ts";
import type { Para } from "../algebra/para.ts";
import { add } from "../algebra/structure.ts";
import type { Initialiser } from "../init/initialisers.ts";
import { sigmoid, tanh } from "../layers/activations.ts";
import { dense } from "../layers/dense.ts";
import { positive } from "../layers/linear.ts";
import { diagram } from "../algebra/diagram.ts";
import { concat, multiply, split, subtract } from "../ops/wire-lenses.ts";

type Vec<N extends number> = readonly [N];

/**
 * Elman's simple recurrent cell (Elman 1990): h' = tanh([x, h] W + b).
 * Parameters "weight" [A + H, H] and "bias" [H].
 *
 * @example
 * ```ts
 * const rnn = fold({ nil: point([16]), cons: elman(1, 16) });
 * ```
 *
 * @category Cells
 */
export function elman<const A extends number, const H extends number>(inputs: A, hidden: H): Para<readonly [Vec<A>, Vec<H>], readonly [Vec<H>]> {
  positive("elman", inputs, hidden);
  return diagram(`elman(${inputs}, ${hidden})`, [[inputs], [hidden]], (d, [x, h]) => [
    d.apply1(seq(concat([inputs], [hidden]), dense(inputs + hidden, hidden, "tanh")), [x!, h!]),
  ]);
}

/**
 * The gated recurrent unit (Cho et al. 2014, eqs. 5-8):
 *   z = sigmoid([x, h] Wz + bz),  r = sigmoid([x, h] Wr + br)     (one matrix: "gates")
 *   n = tanh([x, r * h] Wn + bn)                                  ("candidate")
 *   h' = (1 - z) * n + z * h,  computed as n + z * (h - n)
 * Parameters "gates.weight" [A + H, 2H], "gates.bias" [2H], "candidate.weight" [A + H, H], "candidate.bias" [H].
 *
 * @example
 * ```ts
 * const cell = gru(1, 16);  // (x [1], h [16]) -> h [16]
 * [cell.dom, cell.cod];  // [[[1], [16]], [[16]]]
 * ```
 *
 * @category Cells
 */
export function gru<const A extends number, const H extends number>(inputs: A, hidden: H): Para<readonly [Vec<A>, Vec<H>], readonly [Vec<H>]> {
  positive("gru", inputs, hidden);
  const [X, S] = [[inputs], [hidden]] as const;
  return diagram(`gru(${inputs}, ${hidden})`, [X, S], (d, [x, h]) => {
    const [z, r] = d.apply(seq(concat(X, S), dense(inputs + hidden, 2 * hidden, "sigmoid"), split(S, S)), [x!, h!], "gates");
    const rh = d.apply1(multiply(S), [r!, h!]);
    const n = d.apply1(seq(concat(X, S), dense(inputs + hidden, hidden, "tanh")), [x!, rh], "candidate");
    const keep = d.apply1(multiply(S), [z!, d.apply1(subtract(S), [h!, n])]);
    return [d.apply1(add(S), [n, keep])];
  });
}

/** The bias initialiser of an LSTM's gates [i, f, o, g]: 1 on the forget gate, 0 elsewhere (Gers et al. 2000; Jozefowicz et al. 2015). */
function forgetBias(hidden: number, value: number): Initialiser {
  return (shape) => Float64Array.from({ length: shape[0]! }, (_, i) => (i >= hidden && i < 2 * hidden ? value : 0));
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate
 * of Gers et al. 2000), state [h, c]:
 *   [i, f, o] = sigmoid(...), g = tanh(...), from [x, h] W + b   ("gates", 4H wide)
 *   c' = f * c + i * g,   h' = o * tanh(c')
 * Parameters "gates.weight" [A + H, 4H] and "gates.bias" [4H] (forget-gate bias starts at `forgetBias`, default 1).
 *
 * @example
 * ```ts
 * lstm(1, 16).dom.length;  // the input and the state wires
 * ```
 *
 * @category Cells
 */
export function lstm<const A extends number, const H extends number>(
  inputs: A,
  hidden: H,
  options: { forgetBias?: number } = {},
): Para<readonly [Vec<A>, Vec<H>, Vec<H>], readonly [Vec<H>, Vec<H>]> {
  positive("lstm", inputs, hidden);
  optionsArgument("lstm", options);
  const [X, S] = [[inputs], [hidden]] as const;
  const gates = dense(inputs + hidden, 4 * hidden, undefined, { biasInit: forgetBias(hidden, options.forgetBias ?? 1) });
  return diagram(`lstm(${inputs}, ${hidden})`, [X, S, S], (d, [x, h, c]) => {
    const [ifo, g] = d.apply(seq(concat(X, S), gates, split([3 * hidden], S)), [x!, h!], "gates");
    const [i, f, o] = d.apply(seq(sigmoid.at([3 * hidden]), split(S, S, S)), [ifo!]);
    const c2 = d.apply1(add(S), [d.apply1(multiply(S), [f!, c!]), d.apply1(multiply(S), [i!, d.apply1(tanh, [g!])])]);
    const h2 = d.apply1(multiply(S), [o!, d.apply1(tanh, [c2])]);
    return [h2, c2];
  });
}
