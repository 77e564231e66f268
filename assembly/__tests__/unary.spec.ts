import { filled, addr } from "./helpers";
import { agrees, erf64, probe, sameValue, ulpsOff } from "./reference";
import {
  exp as expKernel, log as logKernel, sqrtKernel, rsqrt, neg, absKernel, square, sign, erf as erfKernel,
} from "../unary";

// Every kernel over lengths 1..37 (vector body, tail, both), on the edge
// values and a spread of ordinary ones, out of place and in place, against
// its float64 formula.
type Kernel = (y: usize, x: usize, n: i32) => void;

const NAMES: string[] = ["exp", "log", "sqrt", "rsqrt", "neg", "abs", "square", "sign", "erf"];

function kernel(k: i32): Kernel {
  if (k == 0) return expKernel;
  if (k == 1) return logKernel;
  if (k == 2) return sqrtKernel;
  if (k == 3) return rsqrt;
  if (k == 4) return neg;
  if (k == 5) return absKernel;
  if (k == 6) return square;
  if (k == 7) return sign;
  return erfKernel;
}

// true when got is what kernel k promises for x
function correct(k: i32, x: f32, got: f32): bool {
  const d = <f64>x;
  if (k == 0) return agrees(got, Math.exp(d), 1.05); // in the subnormals: within one subnormal step
  if (k == 1) return agrees(got, Math.log(d), 1);
  // sqrt, division and products are correctly rounded in f64 and then to f32
  // without a double-rounding error (53 >= 2 * 24 + 2 bits)
  if (k == 2) return sameValue(got, <f32>Math.sqrt(d));
  if (k == 3) return sameValue(got, <f32>(1.0 / <f64>(<f32>Math.sqrt(d))));
  if (k == 4) return reinterpret<u32>(got) == (reinterpret<u32>(x) ^ 0x80000000);
  if (k == 5) return reinterpret<u32>(got) == (reinterpret<u32>(x) & 0x7fffffff);
  if (k == 6) return sameValue(got, <f32>(d * d));
  if (k == 7) return sameValue(got, d > 0 ? <f32>1 : d < 0 ? <f32>-1 : x); // +-0 and NaN map to themselves
  if (isNaN(d)) return isNaN(got);
  return Math.abs(<f64>got - erf64(d)) <= 1e-7;
}

function list(values: f32[]): Float32Array {
  const a = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return a;
}

describe("unary", () => {
  test("each kernel matches its f64 formula at lengths 1..37, edges included", () => {
    for (let k = 0; k < NAMES.length; k++) {
      for (let n = 1; n <= 37; n++) {
        const x = filled(n, probe);
        const y = new Float32Array(n);
        kernel(k)(addr(y), addr(x), n);
        for (let i = 0; i < n; i++) {
          expect(correct(k, x[i], y[i])).toBe(true, NAMES[k] + "(" + x[i].toString() + ") gave " + y[i].toString());
        }
      }
    }
  });

  test("in place gives the same bits as out of place", () => {
    for (let k = 0; k < NAMES.length; k++) {
      const n = 37;
      const x = filled(n, probe);
      const y = new Float32Array(n);
      kernel(k)(addr(y), addr(x), n);
      kernel(k)(addr(x), addr(x), n);
      for (let i = 0; i < n; i++) expect(sameValue(x[i], y[i])).toBe(true, NAMES[k] + " in place at " + i.toString());
    }
  });

  test("the scalar tail gives the same bits as the vector lanes", () => {
    for (let k = 0; k < NAMES.length; k++) {
      for (let v = 0; v < 60; v++) {
        const x = new Float32Array(7); // lanes 0..3 in the body, 4..6 in the tail
        x.fill(probe(v));
        const y = new Float32Array(7);
        kernel(k)(addr(y), addr(x), 7);
        for (let i = 4; i < 7; i++) expect(sameValue(y[i], y[0])).toBe(true, NAMES[k] + " tail at " + x[0].toString());
      }
    }
  });

  test("exp: edge values", () => {
    const x = list([0, -0.0, Infinity, -Infinity, NaN, 89, -104, 88.7]);
    const y = new Float32Array(8);
    expKernel(addr(y), addr(x), 8);
    expect(y[0]).toBe(1);
    expect(y[1]).toBe(1);
    expect(y[2]).toBe(Infinity);
    expect(reinterpret<u32>(y[3])).toBe(0); // +0
    expect(isNaN(y[4])).toBe(true);
    expect(y[5]).toBe(Infinity);
    expect(reinterpret<u32>(y[6])).toBe(0);
    expect(isFinite(y[7])).toBe(true);
  });

  test("log: edge values", () => {
    const x = list([0, -0.0, Infinity, -1, NaN, 1, 1.4e-45, -Infinity]);
    const y = new Float32Array(8);
    logKernel(addr(y), addr(x), 8);
    expect(y[0]).toBe(-Infinity);
    expect(y[1]).toBe(-Infinity);
    expect(y[2]).toBe(Infinity);
    expect(isNaN(y[3])).toBe(true);
    expect(isNaN(y[4])).toBe(true);
    expect(reinterpret<u32>(y[5])).toBe(0); // log 1 = +0 exactly
    expect(ulpsOff(y[6], Math.log(1.401298464324817e-45))).toBeLessThanOrEqual(1);
    expect(isNaN(y[7])).toBe(true);
  });

  test("erf: edge values and odd symmetry", () => {
    const x = list([0, -0.0, Infinity, -Infinity, NaN, 4, 1e-30, 3.9]);
    const y = new Float32Array(8);
    erfKernel(addr(y), addr(x), 8);
    expect(reinterpret<u32>(y[0])).toBe(0);
    expect(reinterpret<u32>(y[1])).toBe(0x80000000);
    expect(y[2]).toBe(1);
    expect(y[3]).toBe(-1);
    expect(isNaN(y[4])).toBe(true);
    expect(y[5]).toBe(1);
    expect(ulpsOff(y[6], erf64(1e-30))).toBeLessThanOrEqual(1);
    const n = 1001;
    const u = filled(n, (i: i32): f32 => <f32>(i - 500) * 0.00731);
    const e = new Float32Array(n);
    erfKernel(addr(e), addr(u), n);
    for (let i = 0; i < n; i++) {
      if (i != 500) expect(reinterpret<u32>(e[i])).toBe(reinterpret<u32>(e[n - 1 - i]) ^ 0x80000000); // u[500] = +0
    }
  });

  test("sign(-0) is -0 and rsqrt(-0) is -Inf", () => {
    const x = filled(2, (i: i32): f32 => -0.0);
    const y = new Float32Array(2);
    sign(addr(y), addr(x), 2);
    expect(reinterpret<u32>(y[0])).toBe(0x80000000);
    rsqrt(addr(y), addr(x), 2);
    expect(y[1]).toBe(-Infinity);
  });
});

// Dense sweeps: the bounds asserted are the contracts of math.ts; the worst
// errors found are logged. Points are every `step`-th f32 bit pattern of the
// range, so each binade is sampled evenly.
function sweep(k: i32, from: f32, to: f32, step: u32): f64 {
  const n = 4096;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  let worst: f64 = 0;
  const lo = reinterpret<u32>(from), hi = reinterpret<u32>(to);
  const down = from < 0; // negative floats grow in magnitude as their bits grow
  let bits = lo;
  let done = false;
  while (!done) {
    let m = 0;
    for (; m < n && !done; m++) {
      x[m] = reinterpret<f32>(bits);
      if (down ? bits <= hi + step : bits + step > hi) done = true;
      else bits = down ? bits - step : bits + step;
    }
    kernel(k)(addr(y), addr(x), m);
    for (let i = 0; i < m; i++) {
      const d = <f64>x[i];
      const e = k == 8 ? Math.abs(<f64>y[i] - erf64(d)) : ulpsOff(y[i], k == 0 ? Math.exp(d) : Math.log(d));
      if (!(e <= worst)) worst = e; // NaN errors count as the worst
    }
  }
  return worst;
}

describe("unary accuracy sweeps", () => {
  test("exp: <= 1.05 ulp over [-87, 88]", () => {
    const worst = max(sweep(0, -87, -0.0, 401), sweep(0, 0, 88, 401));
    log<string>("exp worst error: " + worst.toString() + " ulp");
    expect(worst).toBeLessThanOrEqual(1.05);
  });

  test("exp: subnormal results within one subnormal step on [-104, -87]", () => {
    const worst = sweep(0, -104, -87, 31);
    log<string>("exp worst error into the subnormals: " + worst.toString() + " ulp");
    expect(worst).toBeLessThanOrEqual(1);
  });

  test("log: <= 1 ulp over all positive normal and subnormal floats", () => {
    const worst = max(sweep(1, 1.17549435e-38, 3.4028235e38, 1031), sweep(1, 1.4e-45, 1.17549421e-38, 1031));
    log<string>("log worst error: " + worst.toString() + " ulp");
    expect(worst).toBeLessThanOrEqual(1);
  });

  test("log: <= 1 ulp near 1, where the result is small", () => {
    const worst = sweep(1, 0.5, 2, 13);
    log<string>("log worst error on [0.5, 2]: " + worst.toString() + " ulp");
    expect(worst).toBeLessThanOrEqual(1);
  });

  test("erf: absolute error <= 1e-7 over [-5, 5]", () => {
    const worst = max(sweep(8, -5, -0.0, 1009), sweep(8, 0, 5, 1009));
    log<string>("erf worst absolute error: " + worst.toString());
    expect(worst).toBeLessThanOrEqual(1e-7);
  });
});
