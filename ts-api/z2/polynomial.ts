// Polynomials over Z2 in algebraic normal form: a sum (XOR) of monomials,
// each a product (AND) of variables, e.g. "x0*x1 + x2 + 1". Several outputs
// are separated by commas. Parentheses and powers are accepted and expanded
// ("(x0 + 1)*x1^2" is x0*x1^2 + x1^2). Exponents are kept: in POLY_Z2 the
// polynomial x^2 is not x (Wilson & Zanasi 2020, section 3; its derivative
// is 2x = 0), though both compute the same function.
import type { Lens } from "../algebra/para.ts";
import { ParalensError } from "../engine/errors.ts";
import { type Circuit, circuit, circuitLens } from "./circuit.ts";
import type { Z2Ops } from "./ops.ts";

/** A monomial: the exponent of each variable that occurs (index -> power >= 1); empty is the constant 1. */
export type Monomial = ReadonlyMap<number, number>;
/** A polynomial: a set of distinct monomials (coefficients are 1: over Z2 a pair cancels). */
export type Polynomial = readonly Monomial[];

const key = (m: Monomial): string => [...m].sort((a, b) => a[0] - b[0]).map(([i, e]) => `${i}^${e}`).join("*");

function sum(p: Polynomial, q: Polynomial): Polynomial {
  const terms = new Map<string, Monomial>();
  for (const m of [...p, ...q]) {
    const k = key(m);
    if (terms.has(k)) terms.delete(k);
    else terms.set(k, m);
  }
  return [...terms.values()];
}

function product(p: Polynomial, q: Polynomial): Polynomial {
  let out: Polynomial = [];
  for (const a of p) {
    for (const b of q) {
      const m = new Map(a);
      for (const [i, e] of b) m.set(i, (m.get(i) ?? 0) + e);
      out = sum(out, [m]);
    }
  }
  return out;
}

/** A parsed system: one polynomial per output, in `inputs` variables x0 .. x(inputs-1). */
export interface PolynomialSystem {
  readonly inputs: number;
  readonly outputs: readonly Polynomial[];
}

/**
 * Parses "p, q, ..." where each is a sum of products of x<i>, 0, 1, powers
 * (x1^3) and parenthesised sums. `inputs` fixes the number of variables
 * (default: one more than the largest index used). A syntax error names
 * the column and shows where it is.
 */
export function parsePolynomial(text: string, options: { inputs?: number } = {}): PolynomialSystem {
  let at = 0;
  let maxVar = -1;
  const fail = (what: string): never => {
    throw new ParalensError(`polynomial: ${what} at column ${at + 1}\n  ${text}\n  ${" ".repeat(at)}^`);
  };
  const skip = (): void => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const eat = (c: string): boolean => {
    skip();
    if (text[at] === c) {
      at++;
      return true;
    }
    return false;
  };
  const number = (): number => {
    const m = /^\d+/.exec(text.slice(at));
    if (!m) return fail("expected a whole number");
    at += m[0].length;
    return Number(m[0]);
  };
  const atom = (): Polynomial => {
    skip();
    const c = text[at];
    if (c === "x") {
      at++;
      if (!/\d/.test(text[at] ?? "")) fail("expected a variable index after x (x0, x1, ...)");
      const start = at;
      const i = number();
      if (options.inputs !== undefined && i >= options.inputs) {
        at = start - 1;
        fail(`x${i} is not an input: there are ${options.inputs} (x0..x${options.inputs - 1})`);
      }
      maxVar = Math.max(maxVar, i);
      return [new Map([[i, 1]])];
    }
    if (c === "0" || c === "1") {
      at++;
      if (/\d/.test(text[at] ?? "")) {
        at--;
        fail("constants are 0 and 1");
      }
      return c === "1" ? [new Map()] : [];
    }
    if (c === "(") {
      at++;
      const inner = expression();
      if (!eat(")")) fail("expected ')'");
      return inner;
    }
    return fail(c === undefined ? "unexpected end: expected a variable (x0, x1, ...), 0, 1 or '('" : `unexpected '${c}': expected a variable (x0, x1, ...), 0, 1 or '('`);
  };
  const power = (): Polynomial => {
    const base = atom();
    if (!eat("^")) return base;
    skip();
    let out: Polynomial = [new Map()];
    for (let e = number(); e > 0; e--) out = product(out, base);
    return out;
  };
  const term = (): Polynomial => {
    let out = power();
    while (eat("*")) out = product(out, power());
    return out;
  };
  const expression = (): Polynomial => {
    let out = term();
    while (eat("+")) out = sum(out, term());
    return out;
  };
  const outputs: Polynomial[] = [expression()];
  while (eat(",")) outputs.push(expression());
  skip();
  if (at < text.length) fail(`unexpected '${text[at]}': expected '+', '*', ',' or the end`);
  const inputs = options.inputs ?? maxVar + 1;
  if (inputs < 1) throw new ParalensError(`polynomial: "${text}" has no variables; give { inputs } to say how many it takes`);
  return { inputs, outputs };
}

/** The text of a polynomial system in normal form: monomials in a fixed order, joined by " + ". */
export function formatPolynomial(system: PolynomialSystem): string {
  const mono = (m: Monomial): string => (m.size === 0 ? "1" : [...m].sort((a, b) => a[0] - b[0]).map(([i, e]) => (e === 1 ? `x${i}` : `x${i}^${e}`)).join("*"));
  const order = (a: Monomial, b: Monomial): number => b.size - a.size || key(a).localeCompare(key(b));
  return system.outputs.map((p) => (p.length === 0 ? "0" : [...p].sort(order).map(mono).join(" + "))).join(", ");
}

/** The circuit of a polynomial system: each monomial a chain of ANDs (a power repeats its variable), each output the XOR of its monomials. */
export function polynomialCircuit(system: PolynomialSystem): Circuit {
  return circuit(system.inputs, (g, x) =>
    system.outputs.map((p) => g.sum(p.map((m) => g.product([...m].flatMap(([i, e]) => new Array<number>(e).fill(x[i]!)))))),
  );
}

/**
 * A polynomial system as a lens [[inputs]] -> [[outputs]] over Z2; its
 * reverse pass is the formal derivative of the polynomials.
 *
 *   const f = polynomial("x0*x1 + x2 + 1");   // [[3]] -> [[1]]
 */
export function polynomial(text: string, options: { inputs?: number } = {}): Lens<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  const system = parsePolynomial(text, options);
  return circuitLens(polynomialCircuit(system), formatPolynomial(system));
}
