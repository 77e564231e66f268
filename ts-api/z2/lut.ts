// The lookup-table layer of the lens talk (and of Wilson & Zanasi's Iris model):
// k input bits select one of 2^k rows of a learned table. As a polynomial,
//   y_j = XOR_v T[j][v] & minterm_v(x),  minterm_v = AND_i (x_i if bit i of v else x_i + 1),
// which is multilinear (no variable meets itself), so its chain-rule
// derivative is also the derivative of the function: flipping T[j][v]
// changes y_j exactly on inputs x = v. Built as a circuit with the table as
// its parameter wire.
import type { Para } from "../algebra/para.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { countArgument } from "../algebra/shapes.ts";
import type { Initialiser } from "../init/initialisers.ts";
import { circuit, circuitPara } from "./circuit.ts";
import type { Z2Ops } from "./ops.ts";

/** The most table bits a lut builds: 2^16 rows of 4 outputs, or a million-gate circuit. */
const MAX_TABLE = 2 ** 18;

/**
 * lut(k, m) : [k] -> [m], with parameter "table" [m * 2^k]: bit j * 2^k + v
 * is output j when the input, read as a number (input i is bit i), is v.
 *
 * @example
 * ```ts
 * const parity8 = lut(8, 1);   // 256 table bits
 * ```
 *
 * @category Layers
 */
export function lut(k: number, m = 1, options: { init?: Initialiser } = {}): Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  if (!Number.isInteger(k) || k < 1 || k > 16) throw new ParalensError(`lut: inputs must be a whole number in 1..16, got ${describe(k)}`);
  countArgument("lut", m, "outputs", 1);
  optionsArgument("lut", options);
  const rows = 1 << k;
  const table = m * rows;
  if (table > MAX_TABLE) throw new ParalensError(`lut: a table of ${m} outputs x 2^${k} rows is ${table} bits, more than ${MAX_TABLE}`);
  const c = circuit(table + k, (g, nodes) => {
    const x = nodes.slice(table);
    // minterms of x in order v = 0 .. 2^k - 1, built one input at a time
    let terms = [g.not(x[0]!), x[0]!];
    for (let i = 1; i < k; i++) {
      const off = g.not(x[i]!);
      terms = [...terms.map((t) => g.and(t, off)), ...terms.map((t) => g.and(t, x[i]!))];
    }
    return Array.from({ length: m }, (_, j) => g.sum(terms.map((t, v) => g.and(nodes[j * rows + v]!, t))));
  });
  return circuitPara(c, { params: table, name: `lut(${k} -> ${m})`, paramName: "table", ...(options.init ? { init: options.init } : {}) });
}
