// Polynomials over Z2 in algebraic normal form: a sum (XOR) of monomials,
// each a product (AND) of variables, e.g. "x0*x1 + x2 + 1". Several outputs
// are separated by commas. Parentheses and powers are accepted and expanded
// ("(x0 + 1)*x1^2" is x0*x1^2 + x1^2). Exponents are kept: in POLY_Z2 the
// polynomial x^2 is not x (Wilson & Zanasi 2020, section 3; its derivative
// is 2x = 0), though both compute the same function.
import type { Lens } from "../algebra/para.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import { type Circuit, circuit, circuitLens } from "./circuit.ts";
import type { Z2Ops } from "./ops.ts";

/**
 * A monomial: the exponent of each variable that occurs (index -> power >= 1); empty is the constant 1.
 *
 * @category Circuits
 */
export type Monomial = ReadonlyMap<number, number>;
/**
 * A polynomial: a set of distinct monomials (coefficients are 1: over Z2 a pair cancels).
 *
 * @category Circuits
 */
export type Polynomial = readonly Monomial[];

const key = (m: Monomial): string => [...m].sort((a, b) => a[0] - b[0]).map(([i, e]) => `${i}^${e}`).join("*");

// Text comes from users and files: these bound the work a parse may do. A
// power is expanded (x^e is e ANDs in the circuit) and a product multiplies
// the number of monomials, so both are capped; nesting is capped so a deep
// expression cannot overflow the stack.
/** Largest exponent. */
export const MAX_EXPONENT = 1024;
/** Variables are x0 .. x(MAX_VARIABLES - 1). */
export const MAX_VARIABLES = 65536;
/** Most monomials an expanded polynomial may have. */
export const MAX_MONOMIALS = 100_000;
/** Deepest nesting of parentheses. */
export const MAX_DEPTH = 256;

/** A sum being built: monomials by key, a pair cancelling (over Z2, m + m = 0). */
class Terms {
  readonly map = new Map<string, Monomial>();

  toggle(m: Monomial): void {
    const k = key(m);
    if (this.map.has(k)) this.map.delete(k);
    else this.map.set(k, m);
  }

  get polynomial(): Polynomial {
    return [...this.map.values()];
  }
}

function product(p: Polynomial, q: Polynomial, tooMany: (n: number) => never): Polynomial {
  if (p.length * q.length > MAX_MONOMIALS * 4) tooMany(p.length * q.length);
  const out = new Terms();
  for (const a of p) {
    for (const b of q) {
      const m = new Map(a);
      for (const [i, e] of b) m.set(i, (m.get(i) ?? 0) + e);
      out.toggle(m);
    }
  }
  if (out.map.size > MAX_MONOMIALS) tooMany(out.map.size);
  return out.polynomial;
}

/** Up to `width` characters of `text` either side of `at`, and where `at` falls in that excerpt. */
function excerpt(text: string, at: number, width = 30): { line: string; caret: number } {
  const from = Math.max(0, at - width);
  const to = Math.min(text.length, at + width);
  const line = (from > 0 ? "..." : "") + text.slice(from, to).replace(/\s/g, " ") + (to < text.length ? "..." : "");
  return { line, caret: at - from + (from > 0 ? 3 : 0) };
}

/**
 * A parsed system: one polynomial per output, in `inputs` variables x0 .. x(inputs-1).
 *
 * @category Circuits
 */
export interface PolynomialSystem {
  readonly inputs: number;
  readonly outputs: readonly Polynomial[];
}

/**
 * Parses "p, q, ..." where each is a sum of products of x<i>, 0, 1, powers
 * (x1^3) and parenthesised sums. `inputs` fixes the number of variables
 * (default: one more than the largest index used). A syntax error names
 * the column and shows where it is.
 *
 * @example
 * ```ts
 * parsePolynomial("x0*x1 + x2").inputs;  // 3
 * ```
 *
 * @category Circuits
 */
export function parsePolynomial(text: string, options: { inputs?: number } = {}): PolynomialSystem {
  if (typeof text !== "string") throw new ParalensError(`polynomial: expected a string, got ${describe(text)}`);
  optionsArgument("polynomial", options);
  const { inputs: given } = options;
  if (given !== undefined && (!Number.isInteger(given) || given < 1 || given > MAX_VARIABLES)) {
    throw new ParalensError(`polynomial: inputs must be a whole number in 1..${MAX_VARIABLES}, got ${describe(given)}`);
  }
  let at = 0;
  let depth = 0;
  let maxVar = -1;
  const fail = (what: string): never => {
    const { line, caret } = excerpt(text, at);
    throw new ParalensError(`polynomial: ${what} at column ${at + 1}\n  ${line}\n  ${" ".repeat(caret)}^`);
  };
  const tooMany = (n: number): never => fail(`the expansion has ${n} monomials, more than the ${MAX_MONOMIALS} allowed`);
  const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  const skip = (): void => {
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  };
  const eat = (c: string): boolean => {
    skip();
    if (text[at] === c) {
      at++;
      return true;
    }
    return false;
  };
  // reads digits in place (no slicing of the rest of the text: that made parsing quadratic)
  const number = (limit: number, what: string): number => {
    const start = at;
    while (at < text.length && isDigit(text.charCodeAt(at))) at++;
    if (at === start) return fail("expected a whole number");
    const digits = text.slice(start, at);
    const n = Number(digits);
    if (n > limit) {
      at = start;
      fail(`${what} ${digits.length > 12 ? digits.slice(0, 12) + "..." : digits} is over the limit of ${limit}`);
    }
    return n;
  };
  const atom = (): Polynomial => {
    skip();
    const c = text[at];
    if (c === "x") {
      at++;
      if (!isDigit(text.charCodeAt(at))) fail("expected a variable index after x (x0, x1, ...)");
      const start = at;
      const i = number(MAX_VARIABLES - 1, "the variable index");
      if (given !== undefined && i >= given) {
        at = start - 1;
        fail(`x${i} is not an input: there are ${given} (x0..x${given - 1})`);
      }
      maxVar = Math.max(maxVar, i);
      return [new Map([[i, 1]])];
    }
    if (c === "0" || c === "1") {
      at++;
      if (isDigit(text.charCodeAt(at))) {
        at--;
        fail("constants are 0 and 1");
      }
      return c === "1" ? [new Map()] : [];
    }
    if (c === "(") {
      if (++depth > MAX_DEPTH) fail(`parentheses nest deeper than ${MAX_DEPTH}`);
      at++;
      const inner = expression();
      if (!eat(")")) fail("expected ')'");
      depth--;
      return inner;
    }
    return fail(c === undefined ? "unexpected end: expected a variable (x0, x1, ...), 0, 1 or '('" : `unexpected '${c}': expected a variable (x0, x1, ...), 0, 1 or '('`);
  };
  const power = (): Polynomial => {
    const base = atom();
    if (!eat("^")) return base;
    skip();
    const e = number(MAX_EXPONENT, "the exponent");
    // squaring: log(e) products, not e of them
    let out: Polynomial = [new Map()];
    let square = base;
    for (let k = e; k > 0; k >>= 1) {
      if (k & 1) out = product(out, square, tooMany);
      if (k > 1) square = product(square, square, tooMany);
    }
    return out;
  };
  const term = (): Polynomial => {
    let out = power();
    while (eat("*")) out = product(out, power(), tooMany);
    return out;
  };
  const expression = (): Polynomial => {
    const out = new Terms();
    for (const m of term()) out.toggle(m);
    while (eat("+")) {
      for (const m of term()) out.toggle(m);
      if (out.map.size > MAX_MONOMIALS) tooMany(out.map.size);
    }
    return out.polynomial;
  };
  const outputs: Polynomial[] = [expression()];
  while (eat(",")) outputs.push(expression());
  skip();
  if (at < text.length) fail(`unexpected '${text[at]}': expected '+', '*', ',' or the end`);
  const inputs = given ?? maxVar + 1;
  if (inputs < 1) throw new ParalensError(`polynomial: "${excerpt(text, 0).line}" has no variables; give { inputs } to say how many it takes`);
  return { inputs, outputs };
}

/**
 * Throws unless `system` is a PolynomialSystem (what parsePolynomial returns): inputs a whole number
 * in 1..MAX_VARIABLES, outputs an array of polynomials, each an array of monomials (Maps from a
 * variable below inputs to an exponent in 1..MAX_EXPONENT), at most MAX_MONOMIALS in all.
 */
function systemArgument(what: string, system: unknown): asserts system is PolynomialSystem {
  const s = system as Partial<PolynomialSystem> | null;
  if (typeof system !== "object" || s === null || !Array.isArray(s.outputs)) {
    throw new ParalensError(`${what}: the system must be a polynomial system ({ inputs, outputs }, from parsePolynomial), got ${describe(system)}`);
  }
  const inputs = s.inputs;
  if (typeof inputs !== "number" || !Number.isInteger(inputs) || inputs < 1 || inputs > MAX_VARIABLES) {
    throw new ParalensError(`${what}: the system's inputs must be a whole number in 1..${MAX_VARIABLES}, got ${describe(inputs)}`);
  }
  let monomials = 0;
  for (const [j, p] of s.outputs.entries()) {
    if (!Array.isArray(p)) throw new ParalensError(`${what}: output ${j} of the system must be an array of monomials, got ${describe(p)}`);
    monomials += p.length;
    if (monomials > MAX_MONOMIALS) throw new ParalensError(`${what}: the system has more than ${MAX_MONOMIALS} monomials`);
    for (const m of p) {
      if (!(m instanceof Map)) throw new ParalensError(`${what}: a monomial of output ${j} must be a Map from variable to exponent, got ${describe(m)}`);
      for (const [i, e] of m) {
        if (!Number.isInteger(i) || i < 0 || i >= inputs || !Number.isInteger(e) || e < 1 || e > MAX_EXPONENT) {
          throw new ParalensError(`${what}: a monomial of output ${j} has x${describe(i)}^${describe(e)}; variables are 0..${inputs - 1} and exponents 1..${MAX_EXPONENT}`);
        }
      }
    }
  }
}

/**
 * The text of a polynomial system in normal form: monomials in a fixed order, joined by " + ".
 *
 * @example
 * ```ts
 * formatPolynomial(parsePolynomial("x1 + x0*x1 + x1"));  // the canonical text of x0 x1
 * ```
 *
 * @category Circuits
 */
export function formatPolynomial(system: PolynomialSystem): string {
  systemArgument("formatPolynomial", system);
  const mono = (m: Monomial): string => (m.size === 0 ? "1" : [...m].sort((a, b) => a[0] - b[0]).map(([i, e]) => (e === 1 ? `x${i}` : `x${i}^${e}`)).join("*"));
  const order = (a: Monomial, b: Monomial): number => b.size - a.size || key(a).localeCompare(key(b));
  return system.outputs.map((p) => (p.length === 0 ? "0" : [...p].sort(order).map(mono).join(" + "))).join(", ");
}

/**
 * The circuit of a polynomial system: each monomial a chain of ANDs (a power repeats its variable), each output the XOR of its monomials.
 *
 * @example
 * ```ts
 * truthTable(circuitLens(polynomialCircuit(parsePolynomial("x0*x1"))));  // Uint8Array [0, 0, 0, 1]
 * ```
 *
 * @category Circuits
 */
export function polynomialCircuit(system: PolynomialSystem): Circuit {
  systemArgument("polynomialCircuit", system);
  return circuit(system.inputs, (g, x) =>
    system.outputs.map((p) => g.sum(p.map((m) => g.product([...m].flatMap(([i, e]) => new Array<number>(e).fill(x[i]!)))))),
  );
}

/**
 * A polynomial system as a lens [[inputs]] -> [[outputs]] over Z2; its
 * reverse pass is the formal derivative of the polynomials.
 *
 * @example
 * ```ts
 * const f = polynomial("x0*x1 + x2 + 1");   // [[3]] -> [[1]]
 * ```
 *
 * @category Circuits
 */
export function polynomial(text: string, options: { inputs?: number } = {}): Lens<readonly [readonly [number]], readonly [readonly [number]], Z2Ops> {
  const system = parsePolynomial(text, options);
  return circuitLens(polynomialCircuit(system), formatPolynomial(system));
}
