// The three GEMM kernels against the float64 reference: random sizes that hit
// every ragged edge of the 4 x 8 tile, sizes past one K block and one N block
// of the packing, accumulate on and off, exact results on integer inputs, and
// no writes outside C.
import { engine, init, type Rng, type RefTensor, type Value, backends, initialisers } from "../ts-api/index.ts";
import { assert, assertClose, assertDeepEqual, assertEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

type Variant = "gemmNN" | "gemmNT" | "gemmTN";
const variants: readonly Variant[] = ["gemmNN", "gemmNT", "gemmTN"];

/** Stored shapes of A and B for C (m x n) = op(A) op(B) with inner size k. */
function stored(v: Variant, m: number, n: number, k: number): [[number, number], [number, number]] {
  return [v === "gemmTN" ? [k, m] : [m, k], v === "gemmNT" ? [n, k] : [k, n]];
}

/** The float64 reference of C0 + op(A) op(B) (C0 = 0 without accumulate). */
function expected(v: Variant, a: Float32Array, b: Float32Array, c0: Float32Array | null, m: number, n: number, k: number): Float64Array {
  const [sa, sb] = stored(v, m, n, k);
  const V = (t: RefTensor): Value => t as unknown as Value;
  const out = backends.reference.matmul(V(backends.refTensor(sa, a)), V(backends.refTensor(sb, b)), v === "gemmTN", v === "gemmNT") as unknown as RefTensor;
  if (c0 !== null) for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! + c0[i]!;
  return out.data;
}

/** Runs one kernel on fresh tensors; C is followed by 8 sentinels that must survive. */
function run(v: Variant, a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number> | null, m: number, n: number, k: number): Float32Array {
  const e = engine();
  const [sa, sb] = stored(v, m, n, k);
  const ta = e.tensor(sa, a), tb = e.tensor(sb, b);
  const tc = e.tensor([m * n + 8]);
  tc.data.fill(-7.25);
  if (c0 !== null) tc.data.set(c0);
  e.core[v](tc.offset, ta.offset, tb.offset, m, n, k, c0 !== null ? 1 : 0);
  const out = tc.data.slice(0, m * n);
  for (let i = m * n; i < m * n + 8; i++) assertEqual(tc.data[i], -7.25, `${v} ${m}x${n}x${k} wrote past C at ${i}`);
  for (const t of [ta, tb, tc]) t.dispose();
  return out;
}

function randomArray(rng: Rng, size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rng.uniform() * 2 - 1;
  return x;
}

function check(v: Variant, rng: Rng, m: number, n: number, k: number, accumulate: boolean): void {
  const a = randomArray(rng, m * k), b = randomArray(rng, k * n);
  const c0 = accumulate ? randomArray(rng, m * n) : null;
  const got = run(v, a, b, c0, m, n, k);
  // sums of k products of values in [-1, 1] can cancel: an absolute floor
  // that grows like the rounding error of such a sum, sqrt(k) ulps of 1
  assertClose(got, expected(v, a, b, c0, m, n, k), { rtol: 1e-4, atol: 1e-6 * Math.sqrt(k) * 8 }, `${v} ${m}x${n}x${k}${accumulate ? " accumulate" : ""}`);
}

for (const v of variants) {
  test(`${v}: random sizes 1..70 match the float64 reference, with and without accumulate`, () => {
    const rng = new initialisers.Rng(variants.indexOf(v) + 11);
    for (let t = 0; t < 40; t++) {
      const [m, n, k] = [1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(70)];
      check(v, rng, m, n, k, t % 2 === 1);
    }
  });

  test(`${v}: larger sizes, several K blocks and N blocks`, () => {
    const rng = new initialisers.Rng(variants.indexOf(v) + 23);
    for (const [m, n, k] of [[129, 257, 65], [64, 128, 784], [33, 300, 530], [5, 10, 1], [1, 1, 1000]] as const) {
      check(v, rng, m, n, k, false);
      check(v, rng, m, n, k, true);
    }
  });

  test(`${v}: small integer inputs give exact results at every edge size`, () => {
    // products and sums of small integers are exact in f32: any misplaced
    // element, lost tail or doubled block shows as an exact mismatch
    const rng = new initialisers.Rng(variants.indexOf(v) + 37);
    const ints = (size: number): Float32Array => Float32Array.from({ length: size }, () => rng.int(9) - 4);
    for (const m of [1, 3, 4, 5, 8, 9]) {
      for (const n of [1, 7, 8, 9, 15, 17]) {
        for (const k of [1, 2, 5, 300]) {
          const a = ints(m * k), b = ints(k * n), c0 = ints(m * n);
          const want = expected(v, a, b, c0, m, n, k);
          const got = run(v, a, b, c0, m, n, k);
          for (let i = 0; i < want.length; i++) assertEqual(got[i], want[i], `${v} ${m}x${n}x${k} element ${i}`);
        }
      }
    }
  });
}

test("gemm: k = 0 gives zeros (or leaves C as it was with accumulate); m or n = 0 writes nothing", () => {
  for (const v of variants) {
    const c0 = [1, 2, 3, 4, 5, 6];
    assertDeepEqual([...run(v, [], [], null, 2, 3, 0)], [0, 0, 0, 0, 0, 0], `${v} k = 0`);
    assertDeepEqual([...run(v, [], [], c0, 2, 3, 0)], c0, `${v} k = 0 accumulate`);
    assertEqual(run(v, [], [1, 2, 3], null, 0, 3, 1).length, 0);
  }
});

test("gemm: the same call twice gives the same bits", () => {
  const rng = new initialisers.Rng(5);
  const [m, n, k] = [37, 41, 600];
  for (const v of variants) {
    const a = randomArray(rng, m * k), b = randomArray(rng, k * n);
    const first = run(v, a, b, null, m, n, k), second = run(v, a, b, null, m, n, k);
    assert(first.every((x, i) => Object.is(x, second[i])), `${v}: two runs differ`);
  }
});

test("a row of C gives the same bits alone (m = 1, B read as stored) as inside a product of many rows, for every orientation", () => {
  const rng = new initialisers.Rng(21);
  for (const v of variants) {
    for (const [n, k] of [[1, 1], [3, 7], [4, 256], [15, 257], [16, 600], [17, 33], [40, 513], [100, 784]] as const) {
      for (const accumulate of [false, true]) {
        const m = 6;
        const [sa] = stored(v, m, n, k);
        const a = randomArray(rng, m * k), b = randomArray(rng, k * n);
        const c0 = accumulate ? randomArray(rng, m * n) : null;
        const all = run(v, a, b, c0, m, n, k);
        for (const i of [0, 3, 5]) {
          // row i of op(A) alone: a 1 x k matrix (stored k x 1 for gemmTN)
          const row = Float32Array.from({ length: k }, (_, p) => (sa[0] === k && v === "gemmTN" ? a[p * m + i]! : a[i * k + p]!));
          const one = run(v, row, b, c0 === null ? null : c0.subarray(i * n, (i + 1) * n), 1, n, k);
          for (let j = 0; j < n; j++) {
            if (!Object.is(one[j], all[i * n + j])) {
              throw new Error(`${v} ${n}x${k} accumulate ${accumulate}: row ${i}, column ${j} is ${one[j]} alone and ${all[i * n + j]} among ${m} rows`);
            }
          }
        }
      }
    }
  }
});
