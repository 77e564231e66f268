// Polynomials over Z2: parsing, normal form, evaluation, the formal
// derivative of the reverse pass, and syntax errors that point at the column.
import { init, type Rng, type Value, initialisers } from "../ts-api/index.ts";
import { formatPolynomial, parsePolynomial, polynomial, type Polynomial, type RefBits, refBits, truthTable, z2Reference } from "../ts-api/z2/index.ts";
import { assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { test } from "./harness.ts";

await init();

const V = (b: RefBits): Value => b as unknown as Value;
const B = (v: Value): Uint8Array => (v as unknown as RefBits).bits;

/** A polynomial's value at x: sum over monomials of the product of their variables (powers of a bit are the bit). */
const evaluate = (p: Polynomial, x: number[]): number => p.reduce((s, m) => s ^ [...m.keys()].reduce((t, i) => t & x[i]!, 1), 0);

/** d/dx_i: a monomial with x_i^e contributes e * (the same with x_i^(e-1)), and e is taken mod 2. */
function derivative(p: Polynomial, i: number): Polynomial {
  return p.flatMap((m) => {
    const e = m.get(i) ?? 0;
    if (e % 2 === 0) return [];
    const d = new Map(m);
    if (e === 1) d.delete(i);
    else d.set(i, e - 1);
    return [d];
  });
}

test("x0*x1 + x2 + 1 computes its truth table; the lens is [[3]] -> [[1]]", () => {
  const f = polynomial("x0*x1 + x2 + 1");
  assertDeepEqual([f.dom, f.cod], [[[3]], [[1]]]);
  const table = truthTable(f);
  for (let a = 0; a < 8; a++) assertEqual(table[a], ((a & 1) & ((a >> 1) & 1)) ^ ((a >> 2) & 1) ^ 1, `at ${a}`);
});

test("products of sums expand, equal monomials cancel, exponents stay; the normal form parses back to itself", () => {
  assertEqual(formatPolynomial(parsePolynomial("(x0 + 1)*(x1 + x0)")), "x0*x1 + x0 + x0^2 + x1");
  assertEqual(formatPolynomial(parsePolynomial("x0 + x1 + x0, x1*x1 + x1^2", { inputs: 2 })), "x1, 0");
  assertEqual(formatPolynomial(parsePolynomial("(x0 + x1)^2")), "x0^2 + x1^2", "the Frobenius: (a + b)^2 = a^2 + b^2 over Z2");
  const rng = new initialisers.Rng(20);
  for (let trial = 0; trial < 50; trial++) {
    const text = randomText(rng);
    const once = parsePolynomial(text, { inputs: 4 });
    assertEqual(formatPolynomial(parsePolynomial(formatPolynomial(once), { inputs: 4 })), formatPolynomial(once), text);
  }
});

test("random polynomials: the lens evaluates them and its reverse pass is their formal derivative, on all inputs", () => {
  const rng = new initialisers.Rng(21);
  for (let trial = 0; trial < 30; trial++) {
    const text = `${randomText(rng)}, ${randomText(rng)}`;
    const system = parsePolynomial(text, { inputs: 4 });
    const f = polynomial(text, { inputs: 4 });
    for (let a = 0; a < 16; a++) {
      const x = [0, 1, 2, 3].map((i) => (a >> i) & 1);
      const [[y], r] = f.forward(z2Reference, [], [V(refBits([1, 4], x))]);
      assertDeepEqual(Array.from(B(y!)), system.outputs.map((p) => evaluate(p, x)), `${text} at ${a}`);
      for (const dy of [[1, 0], [0, 1], [1, 1]]) {
        const [, [dx]] = f.reverse(z2Reference, r, [V(refBits([1, 2], dy))]);
        const expected = [0, 1, 2, 3].map((i) => system.outputs.reduce((s, p, j) => s ^ (dy[j]! & evaluate(derivative(p, i), x)), 0));
        assertDeepEqual(Array.from(B(dx!)), expected, `R[${text}] at ${a}, dy ${dy}`);
      }
    }
  }
});

test("syntax errors name the column and point at it", () => {
  assertThrows(() => parsePolynomial("x0*x1 + * x2"), /unexpected '\*': expected a variable .* at column 9\n  x0\*x1 \+ \* x2\n {10}\^/);
  assertThrows(() => parsePolynomial("x0 + (x1"), /expected '\)' at column 9/);
  assertThrows(() => parsePolynomial("x0 x1"), /unexpected 'x': expected '\+', '\*', ',' or the end at column 4/);
  assertThrows(() => parsePolynomial("x0 + "), /unexpected end: expected a variable .* at column 6/);
  assertThrows(() => parsePolynomial("y0"), /unexpected 'y'.* at column 1/);
  assertThrows(() => parsePolynomial("x"), /expected a variable index after x .* at column 2/);
  assertThrows(() => parsePolynomial("x0 + 2"), /unexpected '2'.* at column 6/);
  assertThrows(() => parsePolynomial("x0^"), /expected a whole number at column 4/);
  assertThrows(() => parsePolynomial("x0 + x3", { inputs: 2 }), /x3 is not an input: there are 2 \(x0..x1\) at column 6/);
  assertThrows(() => parsePolynomial("1 + 1"), /has no variables; give \{ inputs \}/);
});

function randomText(rng: Rng): string {
  const terms = Array.from({ length: 1 + rng.int(4) }, () => {
    if (rng.uniform() < 0.15) return "1";
    const factors = Array.from({ length: 1 + rng.int(3) }, () => {
      const v = `x${rng.int(4)}`;
      return rng.uniform() < 0.3 ? `${v}^${1 + rng.int(3)}` : v;
    });
    return rng.uniform() < 0.2 ? `(${factors.join(" + ")})*x${rng.int(4)}` : factors.join("*");
  });
  return terms.join(" + ");
}
