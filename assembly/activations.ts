// Activations, each beside its reverse pass. Forward: y = f(x) on n elements.
// Reverse: dx = f'(.) * dy, computed from whichever of x and y is cheaper.
//
// The loops are written once (map1, map2) and specialised by a constant op
// code: both are inlined, so the optimiser folds the branch away and each
// export is a straight vector loop. (Passing a closure instead would compile
// to an indirect call per vector.)
import { at, exp4, expm1_4 } from "./simd";

const SIGMOID = 0, TANH = 1, RELU = 2, LEAKY = 3;

@inline function forward(op: i32, v: v128, alpha: f32): v128 {
  if (op == SIGMOID) {
    // 1 / (1 + e^-x)
    return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(v))));
  }
  if (op == TANH) {
    // tanh|x| = -e / (e + 2) with e = expm1(-2|x|): no cancellation near 0 and
    // no overflow for large |x|; the sign of x is then put back.
    const e = expm1_4(f32x4.mul(f32x4.abs(v), f32x4.splat(-2)));
    const t = f32x4.neg(f32x4.div(e, f32x4.add(e, f32x4.splat(2))));
    return v128.or(t, v128.and(v, f32x4.splat(-0.0)));
  }
  if (op == RELU) return f32x4.max(v, f32x4.splat(0));
  // leaky relu: x for x > 0, alpha x otherwise
  return v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.gt(v, f32x4.splat(0)));
}

// u is y for sigmoid and tanh, x for relu and leaky relu.
@inline function reverse(op: i32, u: v128, g: v128, alpha: f32): v128 {
  if (op == SIGMOID) return f32x4.mul(g, f32x4.mul(u, f32x4.sub(f32x4.splat(1), u))); // y (1 - y)
  if (op == TANH) return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(u, u))); // 1 - y^2
  // relu and leaky relu: the derivative at x = 0 is taken from the left (0,
  // resp. alpha), the subgradient most libraries use; hence x > 0 strictly.
  const pos = f32x4.gt(u, f32x4.splat(0));
  if (op == RELU) return v128.and(g, pos);
  return v128.bitselect(g, f32x4.mul(g, f32x4.splat(alpha)), pos);
}

// The scalar tail runs the same vector code on one lane, so every element is
// computed by the same formula whatever its position.
@inline function map1(op: i32, y: usize, x: usize, n: i32, alpha: f32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(y, i), forward(op, v128.load(at(x, i)), alpha));
  for (; i < n; i++) {
    store<f32>(at(y, i), f32x4.extract_lane(forward(op, f32x4.splat(load<f32>(at(x, i))), alpha), 0));
  }
}

@inline function map2(op: i32, dx: usize, u: usize, dy: usize, n: i32, alpha: f32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(dx, i), reverse(op, v128.load(at(u, i)), v128.load(at(dy, i)), alpha));
  for (; i < n; i++) {
    const r = reverse(op, f32x4.splat(load<f32>(at(u, i))), f32x4.splat(load<f32>(at(dy, i))), alpha);
    store<f32>(at(dx, i), f32x4.extract_lane(r, 0));
  }
}

export function sigmoid(y: usize, x: usize, n: i32): void { map1(SIGMOID, y, x, n, 0); }
export function sigmoidReverse(dx: usize, y: usize, dy: usize, n: i32): void { map2(SIGMOID, dx, y, dy, n, 0); }

export function tanh(y: usize, x: usize, n: i32): void { map1(TANH, y, x, n, 0); }
export function tanhReverse(dx: usize, y: usize, dy: usize, n: i32): void { map2(TANH, dx, y, dy, n, 0); }

export function relu(y: usize, x: usize, n: i32): void { map1(RELU, y, x, n, 0); }
export function reluReverse(dx: usize, x: usize, dy: usize, n: i32): void { map2(RELU, dx, x, dy, n, 0); }

export function leakyRelu(y: usize, x: usize, n: i32, alpha: f32): void { map1(LEAKY, y, x, n, alpha); }
export function leakyReluReverse(dx: usize, x: usize, dy: usize, n: i32, alpha: f32): void {
  map2(LEAKY, dx, x, dy, n, alpha);
}
