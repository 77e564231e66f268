// Group actions and equivariant layers: the action laws, each layer's
// equivariance error in f32 over 50 sampled group elements (< 1e-5), a dense
// layer as the negative control (> 1e-2), and circular convolution checked
// against a dense layer with a circulant weight built by hand, forward and
// reverse.
import { type Para, dense, init, seq, initialisers, layers } from "../ts-api/index.ts";
import { type Action, checkEquivariance, circularConv1d, circularConv2d, deepSets, deepSetsLayer, meanPool, messagePassing, perElement, permutationAction, shiftAction, sumPool, symmetricGroup, translationAction, trivialAction } from "../ts-api/cdl/index.ts";
import { assert } from "./assert.ts";
import { initial, maxRelError, normal, runReference, sameValues } from "./util.ts";
import { test } from "./harness.ts";

await init();

type AnyPara = Para<readonly (readonly number[])[], readonly (readonly number[])[]>;

test("group actions: e . x = x, (g h) . x = g . (h . x), g^-1 . (g . x) = x", () => {
  const rng = new initialisers.Rng(1);
  const actions: Action<any>[] = [
    shiftAction(7), shiftAction(5, [5, 3]), permutationAction(6, [6, 2]), permutationAction(5, [5, 5], [0, 1]),
    translationAction(4, 5, [4, 5, 2]), trivialAction(permutationAction(4).group, [3]),
  ];
  for (const a of actions) {
    const size = a.shape.reduce((p, d) => p * d, 1);
    for (let trial = 0; trial < 20; trial++) {
      const x = normal(rng, size);
      const [g, h] = [a.group.sample(rng), a.group.sample(rng)];
      assert(sameValues(a.act(a.group.identity(), x), x), `${a.name}: identity`);
      assert(sameValues(a.act(a.group.compose(g, h), x), a.act(g, a.act(h, x))), `${a.name}: composition`);
      assert(sameValues(a.act(a.group.inverse(g), a.act(g, x)), x), `${a.name}: inverse`);
      assert(a.group.equal(a.group.compose(g, a.group.inverse(g)), a.group.identity()), `${a.name}: g g^-1 = e`);
    }
  }
  // a shift really moves values: (1 . x)[i + 1] = x[i]
  assert(sameValues(shiftAction(4).act(1, [1, 2, 3, 4]), [4, 1, 2, 3]), "shift by one");
  assert(sameValues(permutationAction(3, [3, 3], [0, 1]).act(Int32Array.from([1, 2, 0]), [1, 2, 3, 4, 5, 6, 7, 8, 9]), [9, 7, 8, 3, 1, 2, 6, 4, 5]), "conjugation P A P^T");
});

/** Parameters drawn away from their initial values (non-zero biases), so nothing is equivariant by accident. */
function noisy(f: AnyPara, seed: number): Float64Array[] {
  const rng = new initialisers.Rng(seed);
  return initial(f, seed).map((v) => v.map((x) => x + 0.1 * rng.normal()));
}

test("equivariant and invariant layers: error < 1e-5 in f32 over 50 sampled group elements; a dense layer is flagged (> 1e-2)", () => {
  const n = 6;
  const S = permutationAction(n, [n, 3]);
  const group = S.group;
  const cases: [string, AnyPara, Action<any> | Action<any>[], Action<any> | Action<any>[]][] = [
    ["perElement(dense)", perElement(dense(3, 4, "tanh"), n), S, permutationAction(n, [n, 4])],
    ["deepSetsLayer", deepSetsLayer(n, 3, 5, "tanh"), S, permutationAction(n, [n, 5])],
    ["two deepSetsLayers", seq(deepSetsLayer(n, 3, 5, "tanh"), deepSetsLayer(n, 5, 2)) as AnyPara, S, permutationAction(n, [n, 2])],
    ["sumPool", sumPool(n, [3]) as AnyPara, S, trivialAction(group, [3])],
    ["meanPool", meanPool(n, [3]) as AnyPara, S, trivialAction(group, [3])],
    ["deepSets (invariant)", deepSets(n, dense(3, 8, "relu"), seq(dense(8, 8, "relu"), dense(8, 2)) as AnyPara), S, trivialAction(group, [2])],
    ["messagePassing", messagePassing(n, 3, 4, "tanh"), [S, permutationAction(n, [n, n], [0, 1], group)], [permutationAction(n, [n, 4], [0], group), permutationAction(n, [n, n], [0, 1], group)]],
    ["two messagePassing layers", seq(messagePassing(n, 3, 4, "tanh"), messagePassing(n, 4, 2)) as AnyPara, [S, permutationAction(n, [n, n], [0, 1], group)], [permutationAction(n, [n, 2], [0], group), permutationAction(n, [n, n], [0, 1], group)]],
    ["circularConv1d", circularConv1d(12, 2, 3, 3, { activation: "tanh" }), shiftAction(12, [12, 2]), shiftAction(12, [12, 3])],
    ["circularConv1d, kernel 4", circularConv1d(9, 1, 2, 4), shiftAction(9, [9, 1]), shiftAction(9, [9, 2])],
    ["circularConv2d", circularConv2d(5, 6, 2, 3, 3, 3, { activation: "relu" }), translationAction(5, 6, [5, 6, 2]), translationAction(5, 6, [5, 6, 3])],
  ];
  for (const [name, f, input, output] of cases) {
    const { maxError, errors } = checkEquivariance(f, { input, output, samples: 50, seed: 7, params: noisy(f, 3) });
    assert(errors.length === 50, `${name}: 50 samples`);
    assert(maxError < 1e-5, `${name}: equivariance error ${maxError}`);
  }
  const control = dense(8, 8, "tanh");
  const { maxError } = checkEquivariance(control, { input: shiftAction(8), output: shiftAction(8), samples: 50, seed: 7, params: noisy(control, 3) });
  assert(maxError > 1e-2, `dense layer not flagged: ${maxError}`);
  // and a set model that reads positions is flagged too
  const positional = seq(layers.linear(12, 4), dense(4, 2)) as AnyPara;
  const flat = checkEquivariance(positional, { input: permutationAction(12), output: trivialAction(symmetricGroup(12), [2]), params: noisy(positional, 4) });
  assert(flat.maxError > 1e-2, `positional model not flagged: ${flat.maxError}`);
});

/** The circular convolution by its definition, y[q, co] = b[co] + sum x[p, ci] k[t, ci, co] with t = p - q + c (mod n) inside the kernel. */
function convByHand(grid: number[], ks: number[], cin: number, cout: number, k: Float64Array, b: Float64Array, x: Float64Array, batch: number): Float64Array {
  const cells = grid.reduce((a, d) => a * d, 1);
  const at = (i: number): number[] => (grid.length === 1 ? [i] : [Math.floor(i / grid[1]!), i % grid[1]!]);
  const y = new Float64Array(batch * cells * cout);
  for (let e = 0; e < batch; e++) {
    for (let q = 0; q < cells; q++) {
      for (let co = 0; co < cout; co++) {
        let s = b[co]!;
        for (let p = 0; p < cells; p++) {
          const t = at(p).map((pa, a) => (((pa - at(q)[a]! + Math.floor(ks[a]! / 2)) % grid[a]!) + grid[a]!) % grid[a]!);
          if (t.some((ta, a) => ta >= ks[a]!)) continue;
          const tk = grid.length === 1 ? t[0]! : t[0]! * ks[1]! + t[1]!;
          for (let ci = 0; ci < cin; ci++) s += x[(e * cells + p) * cin + ci]! * k[(tk * cin + ci) * cout + co]!;
        }
        y[(e * cells + q) * cout + co] = s;
      }
    }
  }
  return y;
}

test("circular convolution = a dense layer with circulant tied weights; its kernel gradient = the tying map's reverse of the dense gradient", () => {
  const rng = new initialisers.Rng(9);
  const N = 3;
  for (const [grid, ks, cin, cout] of [[[7], [3], 2, 3], [[4, 5], [3, 2], 2, 2]] as [number[], number[], number, number][]) {
    const cells = grid.reduce((a, d) => a * d, 1);
    const conv = grid.length === 1 ? circularConv1d(grid[0]!, cin, cout, ks[0]!) : circularConv2d(grid[0]!, grid[1]!, cin, cout, ks[0]!, ks[1]!);
    const [k, b] = noisy(conv, 10);
    // the circulant weight, entry by entry from the definition (no library index)
    const W = new Float64Array(cells * cin * cells * cout);
    const owner = new Int32Array(W.length).fill(-1);
    const at = (i: number): number[] => (grid.length === 1 ? [i] : [Math.floor(i / grid[1]!), i % grid[1]!]);
    for (let p = 0; p < cells; p++) {
      for (let q = 0; q < cells; q++) {
        const t = at(p).map((pa, a) => (((pa - at(q)[a]! + Math.floor(ks[a]! / 2)) % grid[a]!) + grid[a]!) % grid[a]!);
        if (t.some((ta, a) => ta >= ks[a]!)) continue;
        const tk = grid.length === 1 ? t[0]! : t[0]! * ks[1]! + t[1]!;
        for (let ci = 0; ci < cin; ci++) {
          for (let co = 0; co < cout; co++) {
            const w = (p * cin + ci) * cells * cout + q * cout + co;
            owner[w] = (tk * cin + ci) * cout + co;
            W[w] = k![owner[w]!]!;
          }
        }
      }
    }
    const B = Float64Array.from({ length: cells * cout }, (_, i) => b![i % cout]!);
    const flatDense = dense(cells * cin, cells * cout) as AnyPara;
    const x = normal(rng, N * cells * cin);
    const dy = normal(rng, N * cells * cout);
    const c = runReference({ lens: conv, batch: N, params: [k!, b!], inputs: [x], changes: [dy] });
    const d = runReference({ lens: flatDense, batch: N, params: [W, B], inputs: [x], changes: [dy] });
    assert(maxRelError(c.outputs[0]!, d.outputs[0]!) < 1e-12, `${grid}: conv and tied dense differ`);
    assert(maxRelError(c.outputs[0]!, convByHand(grid, ks, cin, cout, k!, b!, x, N)) < 1e-12, `${grid}: conv and its definition differ`);
    assert(maxRelError(c.inputChanges[0]!, d.inputChanges[0]!) < 1e-12, `${grid}: input changes differ`);
    // the tying map's reverse: every kernel entry sums the dense gradient over the entries copied from it
    const dk = new Float64Array(k!.length);
    d.paramChanges[0]!.forEach((g, w) => owner[w]! >= 0 && (dk[owner[w]!] = dk[owner[w]!]! + g));
    const db = new Float64Array(cout);
    d.paramChanges[1]!.forEach((g, i) => (db[i % cout] = db[i % cout]! + g));
    assert(maxRelError(c.paramChanges[0]!, dk) < 1e-12, `${grid}: kernel gradient`);
    assert(maxRelError(c.paramChanges[1]!, db) < 1e-12, `${grid}: bias gradient`);
  }
});
