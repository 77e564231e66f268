import { filled, addr, wave } from "./helpers";
import { sameValue } from "./reference";
import {
  binary, reduceSum, reduceMax, selectKernel, ADD, SUB, MUL, DIV, MAX, MIN, GREATER, EQUAL,
} from "../broadcast";

const OPS: string[] = ["add", "sub", "mul", "div", "max", "min", "greater", "equal"];

// Operands mix ordinary numbers with zeros of both signs, infinities, NaN and
// repeats, so that max/min ties, comparisons and equalities all occur.
const POOL: f32[] = [1.5, -2, 0, -0.0, NaN, Infinity, -Infinity, 1.5, 3, -2, 0.25, 7e-39, -1e30];
function va(i: i32): f32 { return POOL[(i * 5) % POOL.length]; }
function vb(i: i32): f32 { return POOL[(i * 3 + 1) % POOL.length]; }

// The op in float64 (sums, products and quotients of f32 are exact enough in
// f64 that one rounding to f32 gives the correctly rounded f32 result); max
// and min follow wasm: NaN wins, and +0 is above -0.
function reference(op: i32, a: f32, b: f32): f32 {
  const x = <f64>a, y = <f64>b;
  if (op == 0) return <f32>(x + y);
  if (op == 1) return <f32>(x - y);
  if (op == 2) return <f32>(x * y);
  if (op == 3) return <f32>(x / y);
  if (op == 4 || op == 5) {
    if (isNaN(x) || isNaN(y)) return NaN;
    if (x == y) {
      const ab = reinterpret<u32>(a), bb = reinterpret<u32>(b); // equal values, or zeros of either sign
      return reinterpret<f32>(op == 4 ? ab & bb : ab | bb);
    }
    return op == 4 ? (x > y ? a : b) : (x < y ? a : b);
  }
  if (op == 6) return x > y ? 1 : 0;
  return x == y ? 1 : 0;
}

// Runs binary on a [n0, n1, n2] output with the given operand strides and
// checks every element, and that nothing past the output was written.
function check(op: i32, n0: i32, n1: i32, n2: i32, a0: i32, a1: i32, a2: i32, b0: i32, b1: i32, b2: i32, label: string): void {
  const aLen = (n0 - 1) * a0 + (n1 - 1) * a1 + (n2 - 1) * a2 + 1;
  const bLen = (n0 - 1) * b0 + (n1 - 1) * b1 + (n2 - 1) * b2 + 1;
  const a = filled(aLen, va), b = filled(bLen, vb);
  const size = n0 * n1 * n2;
  const c = filled(size + 1, (i: i32): f32 => 777);
  binary(op, addr(c), addr(a), addr(b), n0, n1, n2, a0, a1, a2, b0, b1, b2);
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      for (let k = 0; k < n2; k++) {
        const want = reference(op, a[i * a0 + j * a1 + k * a2], b[i * b0 + j * b1 + k * b2]);
        const got = c[(i * n1 + j) * n2 + k];
        const where = OPS[op] + " " + label + " at " + i.toString() + "," + j.toString() + "," + k.toString();
        expect(sameValue(got, want)).toBe(true, where + ": got " + got.toString() + ", want " + want.toString());
      }
    }
  }
  expect(c[size]).toBe(777, OPS[op] + " " + label + " wrote past the output");
}

describe("binary", () => {
  test("op codes are the numbers the TypeScript side mirrors", () => {
    expect(ADD).toBe(0);
    expect(SUB).toBe(1);
    expect(MUL).toBe(2);
    expect(DIV).toBe(3);
    expect(MAX).toBe(4);
    expect(MIN).toBe(5);
    expect(GREATER).toBe(6);
    expect(EQUAL).toBe(7);
  });

  test("every op in every path, with odd sizes", () => {
    for (let op = 0; op < 8; op++) {
      // both operands dense, back to back (folds into one row) and with a row gap in a
      check(op, 2, 3, 7, 21, 7, 1, 21, 7, 1, "dense");
      check(op, 1, 3, 7, 0, 9, 1, 0, 7, 1, "dense rows, a with gaps");
      // a row vector added to every row (bias): both rows dense, b repeats
      check(op, 3, 4, 9, 36, 9, 1, 0, 0, 1, "row vector b");
      check(op, 1, 5, 37, 0, 0, 1, 0, 37, 1, "row vector a");
      // one number per row (a column vector)
      check(op, 2, 3, 5, 15, 5, 1, 3, 1, 0, "column b");
      check(op, 2, 3, 5, 3, 1, 0, 15, 5, 1, "column a");
      check(op, 2, 3, 37, 111, 37, 1, 3, 1, 0, "long column b"); // the four-vector steps
      check(op, 2, 3, 37, 3, 1, 0, 111, 37, 1, "long column a");
      check(op, 1, 1, 13, 0, 0, 1, 0, 0, 0, "scalar b");
      // strided: a transposed in its last two axes, b repeated over the batch
      check(op, 2, 3, 5, 15, 1, 3, 0, 5, 1, "transposed a");
      check(op, 2, 3, 11, 0, 11, 1, 33, 1, 3, "transposed b");
      check(op, 3, 2, 6, 1, 0, 0, 0, 0, 0, "both repeated");
      // unit axes fold away
      check(op, 5, 1, 1, 1, 0, 0, 2, 0, 0, "unit axes, b with stride 2");
    }
  });

  test("in place over the dense operand, and zero sizes write nothing", () => {
    const n1 = 3, n2 = 7;
    const a = filled(n1 * n2, wave);
    const b = filled(n2, (i: i32): f32 => <f32>i - 3);
    const want = new Float32Array(n1 * n2);
    binary(SUB, addr(want), addr(a), addr(b), 1, n1, n2, 0, n2, 1, 0, 0, 1);
    binary(SUB, addr(a), addr(a), addr(b), 1, n1, n2, 0, n2, 1, 0, 0, 1);
    for (let i = 0; i < n1 * n2; i++) expect(a[i]).toBe(want[i]);
    const d = filled(n1 * n2, wave);
    binary(MUL, addr(d), addr(b), addr(d), 1, n1, n2, 0, 0, 1, 0, n2, 1); // c is b's operand slot here
    for (let i = 0; i < n1 * n2; i++) expect(d[i]).toBe(b[i % n2] * wave(i));
    const c = filled(4, (i: i32): f32 => 777);
    binary(ADD, addr(c), addr(a), addr(b), 2, 0, 2, 0, 0, 1, 0, 0, 1);
    for (let i = 0; i < 4; i++) expect(c[i]).toBe(777);
  });
});

// The documented order of a row reduction, in scalar f32: four lane partials
// over the vector part, combined (l0 + l2) + (l1 + l3), then the tail.
function rowInOrder(isMax: bool, x: Float32Array, off: i32, m: i32): f32 {
  const id: f32 = isMax ? -Infinity : 0;
  let l0 = id, l1 = id, l2 = id, l3 = id;
  const m4 = m & ~3;
  let k = 0;
  for (; k < m4; k += 4) {
    l0 = isMax ? max(l0, x[off + k]) : l0 + x[off + k];
    l1 = isMax ? max(l1, x[off + k + 1]) : l1 + x[off + k + 1];
    l2 = isMax ? max(l2, x[off + k + 2]) : l2 + x[off + k + 2];
    l3 = isMax ? max(l3, x[off + k + 3]) : l3 + x[off + k + 3];
  }
  let s = isMax ? max(max(l0, l2), max(l1, l3)) : (l0 + l2) + (l1 + l3);
  for (; k < m; k++) s = isMax ? max(s, x[off + k]) : s + x[off + k];
  return s;
}

// Runs reduceSum or reduceMax and compares, bit for bit, with the documented
// order computed by hand, and with float64 (sums to 1e-5 of the sum of |x|).
// Places of out the strides never reach must keep their old value.
function checkReduce(isMax: bool, n0: i32, n1: i32, n2: i32, o0: i32, o1: i32, o2: i32, outLen: i32, x: Float32Array, label: string): void {
  const out = filled(outLen, (i: i32): f32 => 777);
  const want = filled(outLen, (i: i32): f32 => 777);
  const sum64 = new Float64Array(outLen), abs64 = new Float64Array(outLen);
  const id: f32 = isMax ? -Infinity : 0;
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) {
    const p = i * o0 + j * o1 + k * o2;
    want[p] = id;
    sum64[p] = isMax ? -Infinity : 0;
  }
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      const off = (i * n1 + j) * n2;
      if (o2 == 0) {
        const p = i * o0 + j * o1;
        const r = rowInOrder(isMax, x, off, n2);
        want[p] = isMax ? max(want[p], r) : want[p] + r;
      }
      for (let k = 0; k < n2; k++) {
        const p = i * o0 + j * o1 + k * o2, v = x[off + k];
        if (o2 != 0) want[p] = isMax ? max(want[p], v) : want[p] + v;
        sum64[p] = isMax ? max(sum64[p], <f64>v) : sum64[p] + <f64>v;
        abs64[p] += Math.abs(<f64>v);
      }
    }
  }
  if (isMax) reduceMax(addr(out), addr(x), n0, n1, n2, o0, o1, o2);
  else reduceSum(addr(out), addr(x), n0, n1, n2, o0, o1, o2);
  const name = (isMax ? "reduceMax " : "reduceSum ") + label;
  for (let p = 0; p < outLen; p++) {
    expect(sameValue(out[p], want[p])).toBe(true, name + " at " + p.toString() + ": got " + out[p].toString() + ", want " + want[p].toString());
    if (want[p] == 777) continue;
    if (isMax) expect(sameValue(out[p], <f32>sum64[p])).toBe(true, name + " against f64 at " + p.toString());
    else expect(Math.abs(<f64>out[p] - sum64[p])).toBeLessThanOrEqual(1e-5 * abs64[p] + 1e-30, name + " against f64");
  }
}

function reduceCases(isMax: bool, n0: i32, n1: i32, n2: i32): void {
  const x = filled(n0 * n1 * n2, (i: i32): f32 => wave(i) * <f32>(i % 5 + 1));
  checkReduce(isMax, n0, n1, n2, n1, 1, 0, n0 * n1, x, "last axis");
  checkReduce(isMax, n0, n1, n2, n2, 0, 1, n0 * n2, x, "middle axis");
  checkReduce(isMax, n0, n1, n2, 0, n2, 1, n1 * n2, x, "batch");
  checkReduce(isMax, n0, n1, n2, 0, 0, 0, 1, x, "everything");
  checkReduce(isMax, n0, n1, n2, 0, 1, 0, n1, x, "batch and last axis");
  checkReduce(isMax, n0, n1, n2, n1 * n2, n2, 1, n0 * n1 * n2, x, "nothing (a copy)");
  checkReduce(isMax, n0, n1, n2, 0, 1, n1, n1 * n2, x, "batch, into a transposed out");
  checkReduce(isMax, n0, n1, n2, 0, 2 * n2, 1, 2 * n1 * n2, x, "batch, into rows with gaps");
}

describe("reductions", () => {
  test("reduceSum along each axis, the batch, and all, in the documented order", () => {
    reduceCases(false, 3, 5, 7);
    reduceCases(false, 2, 3, 37);
    reduceCases(false, 4, 2, 1);
    reduceCases(false, 1, 1, 3);
  });

  test("reduceMax likewise; NaN propagates and an all -Inf group stays -Inf", () => {
    reduceCases(true, 3, 5, 7);
    reduceCases(true, 2, 3, 37);
    reduceCases(true, 4, 2, 1);
    const x = filled(2 * 9, (i: i32): f32 => (i < 9 ? -Infinity : wave(i)));
    x[13] = NaN;
    checkReduce(true, 1, 2, 9, 0, 1, 0, 2, x, "rows with -Inf and NaN");
    const out = new Float32Array(2);
    reduceMax(addr(out), addr(x), 1, 2, 9, 0, 1, 0);
    expect(out[0]).toBe(-Infinity);
    expect(isNaN(out[1])).toBe(true);
  });
});

const MASKS: f32[] = [0, 1, -0.0, NaN, -2, 1.4e-45, Infinity];

describe("select", () => {
  test("c = m != 0 ? a : b at lengths 1..37, bit for bit; -0 counts as 0 and NaN as true", () => {
    for (let n = 1; n <= 37; n++) {
      const m = filled(n, (i: i32): f32 => MASKS[(i * 3) % 7]);
      const a = filled(n, va), b = filled(n, vb);
      const c = new Float32Array(n);
      selectKernel(addr(c), addr(m), addr(a), addr(b), n);
      for (let i = 0; i < n; i++) {
        const w = MASKS[(i * 3) % 7];
        const want = !(w == 0) ? a[i] : b[i];
        expect(reinterpret<u32>(c[i])).toBe(reinterpret<u32>(want), "select at " + i.toString() + " of " + n.toString());
      }
      selectKernel(addr(b), addr(m), addr(a), addr(b), n); // in place over b
      for (let i = 0; i < n; i++) expect(reinterpret<u32>(b[i])).toBe(reinterpret<u32>(c[i]));
    }
  });
});
