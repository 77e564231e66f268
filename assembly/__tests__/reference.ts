// float64 references and error measures for the unary and broadcasting specs.

const MIN_NORMAL: f64 = 1.1754943508222875e-38;
const MIN_SUBNORMAL: f64 = 1.401298464324817e-45;

/** The spacing of f32 values at |w| (the subnormal spacing below the normals). */
export function f32Ulp(w: f64): f64 {
  const a = Math.abs(w);
  if (a < MIN_NORMAL) return MIN_SUBNORMAL;
  const e = <i64>((reinterpret<u64>(a) >> 52) & 0x7ff) - 1023;
  return reinterpret<f64>(<u64>(e - 23 + 1023) << 52);
}

/** |got - want| in units of the f32 spacing at want. */
export function ulpsOff(got: f32, want: f64): f64 {
  return Math.abs(<f64>got - want) / f32Ulp(want);
}

/**
 * got agrees with the f64 value want to within `ulps`, where want rounds to
 * a finite f32; where it rounds to +-Inf or is NaN, got must be that too.
 */
export function agrees(got: f32, want: f64, ulps: f64): bool {
  if (isNaN(want)) return isNaN(got);
  if (!isFinite(<f32>want)) return got == <f32>want;
  return ulpsOff(got, want) <= ulps;
}

/** Same f32 bits, except that any two NaNs agree (payloads are not part of the contract). */
export function sameValue(got: f32, want: f32): bool {
  if (isNaN(want)) return isNaN(got);
  return reinterpret<u32>(got) == reinterpret<u32>(want);
}

/**
 * erf in float64: its Maclaurin series below 2.5 (terms fall after ~6,
 * cancellation costs < 2 digits), the continued fraction of erfc above
 * (Abramowitz and Stegun 7.1.14). Agrees with libm's erf to 6e-15 on [0, 6].
 */
export function erf64(x: f64): f64 {
  if (isNaN(x)) return x;
  const a = Math.abs(x);
  let r: f64;
  if (a < 2.5) {
    const z = a * a;
    let term = a, sum = a;
    for (let n = 1; Math.abs(term) > 1e-18 * sum; n++) {
      term *= -z / <f64>n;
      sum += term / <f64>(2 * n + 1);
    }
    r = (sum * 2) / Math.sqrt(Math.PI);
  } else if (a < 10) {
    let cf: f64 = 0;
    for (let n = 60; n >= 1; n--) cf = <f64>n / 2 / (a + cf);
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + cf);
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

/**
 * Values that probe the edges: zeros of both signs, infinities, NaN, the
 * smallest subnormal, a subnormal, the smallest normal, the largest finite
 * float, exp's overflow and underflow thresholds, and ordinary numbers.
 */
export const EDGES: f32[] = [
  0, -0.0, Infinity, -Infinity, NaN, 1.4e-45, -1.4e-45, 3.3e-39, -2.9e-39, 1.17549435e-38, 3.4028235e38,
  -3.4028235e38, 88.72, 88.73, -87.33, -103.9, -104.5, 1, -1, 0.5, 2, 1e-30, -1e-30, 3.75, -4.5, 0.99999994,
];

/** The edge values followed by a spread in about [-3, 3]. */
export function probe(i: i32): f32 {
  if (i < EDGES.length) return EDGES[i];
  return <f32>(3.0 * Math.sin(<f64>i * 1.7 + 0.3));
}
