// The reverse derivative axioms (Cockett et al., "Reverse derivative
// categories", 2019, RD.1-RD.7) over Z2, checked exhaustively (every input,
// every output change) for each primitive lens, and each primitive's reverse
// pass against the brute-force derivative. Parameters count as inputs here:
// a Para P x A -> B is a map of the base category.
import { init, lens, type Lens, par, type Para, seq, type Wires, wires } from "../ts-api/index.ts";
import { andGate, bruteForceReverse, circuit, circuitLens, exampleFunction, exampleReverse, joinBits, lut, maskedMajority, notGate, paramGate, popcountThreshold, pseudoLinear, selectBits, splitBits, xorGate, type Z2Ops } from "../ts-api/z2/index.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

type F = Para<Wires, Wires, Z2Ops>;
const inBits = (f: F): number => [...f.params.map((p) => p.shape[0]!), ...f.dom.map((s) => s[0]!)].reduce((a, b) => a + b, 0);
const outBits = (f: F): number => f.cod.reduce((a, s) => a + s[0]!, 0);
const bitsOf = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >> i) & 1);
const xorArr = (a: ArrayLike<number>, b: ArrayLike<number>): number[] => Array.from(a, (x, i) => x ^ b[i]!);

// carry = ab + c(a + b): a polynomial with no squared variable (written with
// OR, ab + c(a + b) + abc(a + b), it would square a and b; see z2-derivatives)
const fullAdder = circuitLens(circuit(3, (g, [a, b, c]) => [g.xor(g.xor(a!, b!), c!), g.xor(g.and(a!, b!), g.and(c!, g.xor(a!, b!)))]), "fullAdder");

const primitives: [string, F][] = [
  ["xor", xorGate(2) as F],
  ["and", andGate(2) as F],
  ["not", notGate(2) as F],
  ["copy", wires.copy<Wires, Z2Ops>([[2]]) as F],
  // discard alone has no output bits, so every loop over output changes below
  // would be empty for it; beside id it has one, and its reverse still counts
  ["discard [2] beside id [1]", par(wires.discard<Wires, Z2Ops>([[2]]) as F, wires.id<Wires, Z2Ops>([[1]]) as F) as F],
  ["copy ; (discard x id) = id", seq(wires.copy<Wires, Z2Ops>([[2]]) as F, par(wires.discard<Wires, Z2Ops>([[2]]) as F, wires.id<Wires, Z2Ops>([[2]]) as F) as F) as F],
  ["swap", wires.swap<Wires, Wires, Z2Ops>([[1]], [[2]]) as F],
  ["select", selectBits(3, [2, 0, 0, 1]) as F],
  ["split", splitBits([1, 2]) as F],
  ["join", joinBits([2, 1]) as F],
  ["mask (p & x)", paramGate("and", 2) as F],
  ["flip (p ^ x)", paramGate("xor", 2) as F],
  ["lut(2 -> 1)", lut(2, 1) as F],
  ["lut(1 -> 2)", lut(1, 2) as F],
  ["pseudoLinear(3, ratio 2)", pseudoLinear(3, 1, 2) as F],
  ["maskedMajority(3)", maskedMajority(3) as F],
  ["threshold(2 -> 2; -3|p&x| + 2|p| + 1)", popcountThreshold(2, 2, { a: -3, b: 2, t: 1 }) as F],
  ["full adder circuit", fullAdder as F],
];

/** R[f](a, e_j) for every input a and output j: table[a][j] is the bits of the input change. */
function reverseTable(f: F): number[][][] {
  const [n, m] = [inBits(f), outBits(f)];
  return Array.from({ length: 1 << n }, (_, a) => Array.from({ length: m }, (_, j) => Array.from(exampleReverse(f, bitsOf(a, n), bitsOf(1 << j, m)))));
}

for (const [name, f] of primitives) {
  test(`${name}: RD.2 the reverse derivative is additive in the change, R(a, 0) = 0 (exhaustive)`, () => {
    const [n, m] = [inBits(f), outBits(f)];
    const units = reverseTable(f);
    let checked = 0;
    for (let a = 0; a < 1 << n; a++) {
      for (let b = 0; b < 1 << m; b++) {
        const expected = units[a]!.filter((_, j) => (b >> j) & 1).reduce((s, r) => xorArr(s, r), new Array<number>(n).fill(0));
        assertDeepEqual(Array.from(exampleReverse(f, bitsOf(a, n), bitsOf(b, m))), expected, `a=${a}, b=${b}`);
        checked += b === 0 ? 0 : 1; // b = 0 only checks R(a, 0) = 0
      }
    }
    assert(checked > 0, `RD.2 checked no nonzero change (${n} input bits, ${m} output bits)`);
  });

  test(`${name}: the reverse pass equals the brute-force derivative (exhaustive)`, () => {
    const [n, m] = [inBits(f), outBits(f)];
    const fn = exampleFunction(f);
    let checked = 0;
    for (let a = 0; a < 1 << n; a++) {
      for (let b = 0; b < 1 << m; b++) {
        const at = bitsOf(a, n);
        assertDeepEqual(Array.from(exampleReverse(f, at, bitsOf(b, m))), Array.from(bruteForceReverse(fn, at, bitsOf(b, m))), `a=${a}, b=${b}`);
        checked += b === 0 ? 0 : 1;
      }
    }
    assert(checked > 0, `no nonzero change was checked (${n} input bits, ${m} output bits)`);
  });

  test(`${name}: RD.6 R is linear in the change as a map (its derivative along the change is R itself), RD.7 second derivatives are symmetric`, () => {
    const [n, m] = [inBits(f), outBits(f)];
    const units = reverseTable(f);
    let [linear, symmetric] = [0, 0];
    for (let a = 0; a < 1 << n; a++) {
      for (let b = 0; b < 1 << m; b++) {
        const r = Array.from(exampleReverse(f, bitsOf(a, n), bitsOf(b, m)));
        for (let l = 0; l < m; l++) {
          const moved = Array.from(exampleReverse(f, bitsOf(a, n), bitsOf(b ^ (1 << l), m)));
          assertDeepEqual(xorArr(moved, r), units[a]![l]!, `RD.6 at a=${a}, b=${b}, direction ${l}`);
          linear++;
        }
      }
      // H[j][i][l] = d/da_l of df_j/da_i, by flipping a_l
      for (let j = 0; j < m; j++) {
        for (let i = 0; i < n; i++) {
          for (let l = 0; l < n; l++) {
            const hil = units[a ^ (1 << l)]![j]![i]! ^ units[a]![j]![i]!;
            const hli = units[a ^ (1 << i)]![j]![l]! ^ units[a]![j]![l]!;
            if (hil !== hli) throw new Error(`RD.7: output ${j}, inputs ${i} and ${l} at a=${a}: ${hil} vs ${hli}`);
            symmetric++;
          }
        }
      }
    }
    assert(linear > 0 && symmetric > 0, `RD.6 checked ${linear} case(s), RD.7 ${symmetric}: a map with output and input bits has some`);
  });
}

test("RD.3 structure maps: R[id](a, b) = b, R[copy](a, (b1, b2)) = b1 + b2, R[discard](a, ()) = 0, R[swap]((a1, a2), (b1, b2)) = (b2, b1)", () => {
  for (let a = 0; a < 16; a++) {
    const at = bitsOf(a, 2);
    for (let b = 0; b < 16; b++) {
      const [b1, b2] = [bitsOf(b, 2), bitsOf(b >> 2, 2)];
      assertDeepEqual(Array.from(exampleReverse(wires.id<Wires, Z2Ops>([[2]]) as F, at, b1)), b1, "id");
      assertDeepEqual(Array.from(exampleReverse(wires.copy<Wires, Z2Ops>([[2]]) as F, at, [...b1, ...b2])), xorArr(b1, b2), "copy");
      assertDeepEqual(Array.from(exampleReverse(wires.discard<Wires, Z2Ops>([[2]]) as F, at, [])), [0, 0], "discard");
      assertDeepEqual(Array.from(exampleReverse(wires.swap<Wires, Wires, Z2Ops>([[2]], [[2]]) as F, [...at, ...at], [...b1, ...b2])), [...b2, ...b1], "swap");
    }
  }
});

// Two maps of one type and their sum f + g = copy ; (f x g) ; xor.
const sum = (f: F, g: F): F => seq(wires.copy<Wires, Z2Ops>(f.dom) as F, par(f, g) as F, xorGate(outBits(f)) as F) as F;
const zero = (dom: Wires, w: number): F =>
  lens<Wires, Wires, number, Z2Ops>({ name: "zero", dom, cod: [[w]], forward: (k, [x]) => [[k.zeros([k.shape(x!)[0]!, w])], k.shape(x!)[0]!], reverse: (k, batch) => dom.map((s) => k.zeros([batch, s[0]!])) }) as F;

test("RD.1 the reverse derivative of a sum is the sum of the reverse derivatives; R[0] = 0 (exhaustive)", () => {
  const pairs: [F, F][] = [
    [xorGate(2) as F, andGate(2) as F],
    [notGate(3) as F, selectBits(3, [2, 0, 1]) as F],
    [fullAdder as F, selectBits(3, [0, 0]) as F],
  ];
  for (const [f, g] of pairs) {
    const [n, m] = [inBits(f), outBits(f)];
    for (let a = 0; a < 1 << n; a++) {
      for (let b = 0; b < 1 << m; b++) {
        const [at, d] = [bitsOf(a, n), bitsOf(b, m)];
        const expected = xorArr(exampleReverse(f, at, d), exampleReverse(g, at, d));
        assertDeepEqual(Array.from(exampleReverse(sum(f, g), at, d)), expected, `${f.name} + ${g.name} at a=${a}, b=${b}`);
        assertDeepEqual(Array.from(exampleReverse(zero(f.dom, m), at, d)), new Array<number>(n).fill(0), "R[0]");
      }
    }
  }
});

test("RD.4 pairing: R[<f, g>](a, (b, c)) = R[f](a, b) + R[g](a, c); RD.5 chain rule: R[f ; g](a, c) = R[f](a, R[g](f(a), c))", () => {
  const f = fullAdder as F; // [3] -> [2]
  const g = andGate(1) as unknown as Lens<Wires, Wires, Z2Ops>; // [1] x [1] -> [1]
  const pair = seq(wires.copy<Wires, Z2Ops>([[3]]) as F, par(f, notGate(3) as F) as F) as F;
  const chain = seq(f, splitBits([1, 1]) as F, g as F) as F;
  const fn = exampleFunction(f);
  for (let a = 0; a < 8; a++) {
    const at = bitsOf(a, 3);
    for (let b = 0; b < 32; b++) {
      const [bf, bg] = [bitsOf(b, 2), bitsOf(b >> 2, 3)];
      const expected = xorArr(exampleReverse(f, at, bf), exampleReverse(notGate(3) as F, at, bg));
      assertDeepEqual(Array.from(exampleReverse(pair, at, [...bf, ...bg])), expected, `RD.4 at a=${a}, b=${b}`);
    }
    for (const c of [0, 1]) {
      const inner = exampleReverse(seq(splitBits([1, 1]) as F, g as F) as F, fn(at), [c]);
      assertDeepEqual(Array.from(exampleReverse(chain, at, [c])), Array.from(exampleReverse(f, at, inner)), `RD.5 at a=${a}, c=${c}`);
    }
  }
});
