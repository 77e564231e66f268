// Optimiser updates, in place. Each is the reverse pass of an optimiser lens
// S x P -> P (Cruttwell et al., "Categorical Foundations of Gradient-Based
// Learning", section 3.4): given the state s, the parameter p and the change d
// arriving on the parameter wire (the gradient already scaled by the
// learning-rate lens, so d = -eta * grad for gradient descent), it writes the
// new state and parameter over the old ones.
//
// Scalar tails repeat the vector formula with the same IEEE operations (add,
// mul, div and sqrt are correctly rounded in both), so in the strict build an
// element's result does not depend on whether it falls in the body or the tail.
import { at } from "./simd";

/** p += d */
export function sgdStep(p: usize, d: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(at(p, i), f32x4.add(v128.load(at(p, i)), v128.load(at(d, i))));
  for (; i < n; i++) store<f32>(at(p, i), load<f32>(at(p, i)) + load<f32>(at(d, i)));
}

/** s = gamma s + d; p += s. Also the update of Nesterov momentum. */
export function momentumStep(s: usize, p: usize, d: usize, n: i32, gamma: f32): void {
  const n4 = n & ~3;
  const g = f32x4.splat(gamma);
  let i = 0;
  for (; i < n4; i += 4) {
    const sv = f32x4.add(f32x4.mul(g, v128.load(at(s, i))), v128.load(at(d, i)));
    v128.store(at(s, i), sv);
    v128.store(at(p, i), f32x4.add(v128.load(at(p, i)), sv));
  }
  for (; i < n; i++) {
    const sv = gamma * load<f32>(at(s, i)) + load<f32>(at(d, i));
    store<f32>(at(s, i), sv);
    store<f32>(at(p, i), load<f32>(at(p, i)) + sv);
  }
}

/** g += d^2; p += lr d / (delta + sqrt g)  (Duchi et al. 2011) */
export function adagradStep(g: usize, p: usize, d: usize, n: i32, lr: f32, delta: f32): void {
  const n4 = n & ~3;
  const lv = f32x4.splat(lr), dv = f32x4.splat(delta);
  let i = 0;
  for (; i < n4; i += 4) {
    const di = v128.load(at(d, i));
    const gi = f32x4.add(v128.load(at(g, i)), f32x4.mul(di, di));
    v128.store(at(g, i), gi);
    const step = f32x4.div(f32x4.mul(lv, di), f32x4.add(dv, f32x4.sqrt(gi)));
    v128.store(at(p, i), f32x4.add(v128.load(at(p, i)), step));
  }
  for (; i < n; i++) {
    const di = load<f32>(at(d, i));
    const gi = load<f32>(at(g, i)) + di * di;
    store<f32>(at(g, i), gi);
    store<f32>(at(p, i), load<f32>(at(p, i)) + (lr * di) / (delta + Mathf.sqrt(gi)));
  }
}

/** v = rho v + (1 - rho) d^2; p += lr d / (delta + sqrt v)  (Tieleman & Hinton 2012) */
export function rmspropStep(v: usize, p: usize, d: usize, n: i32, lr: f32, rho: f32, delta: f32): void {
  const n4 = n & ~3;
  const lv = f32x4.splat(lr), dv = f32x4.splat(delta), rv = f32x4.splat(rho), rc = f32x4.splat(1 - rho);
  const rho1: f32 = 1 - rho;
  let i = 0;
  for (; i < n4; i += 4) {
    const di = v128.load(at(d, i));
    const vi = f32x4.add(f32x4.mul(rv, v128.load(at(v, i))), f32x4.mul(rc, f32x4.mul(di, di)));
    v128.store(at(v, i), vi);
    const step = f32x4.div(f32x4.mul(lv, di), f32x4.add(dv, f32x4.sqrt(vi)));
    v128.store(at(p, i), f32x4.add(v128.load(at(p, i)), step));
  }
  for (; i < n; i++) {
    const di = load<f32>(at(d, i));
    const vi = rho * load<f32>(at(v, i)) + rho1 * (di * di);
    store<f32>(at(v, i), vi);
    store<f32>(at(p, i), load<f32>(at(p, i)) + (lr * di) / (delta + Mathf.sqrt(vi)));
  }
}

/** b^e for a whole e >= 0, by squaring. */
function powWhole(b: f64, e: i32): f64 {
  let r: f64 = 1;
  for (let x = b; e > 0; e >>= 1, x *= x) if (e & 1) r *= x;
  return r;
}

/**
 * Adam (Kingma & Ba 2015), with the step count t kept in the state (one f32 at
 * tp): a step is adamCount, then adamUpdate over the n elements,
 *   t = t + 1;  m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2
 *   p += lr (m / (1 - b1^t)) / (delta + sqrt(v / (1 - b2^t)))
 * Two kernels so that a threaded core counts once and cuts the update into
 * runs of elements, with the bits of one whole update.
 */
/** Adam's step count: t = t + 1 (one f32 at tp). */
export function adamCount(tp: usize): void {
  store<f32>(tp, load<f32>(tp) + 1);
}

/**
 * Adam's update of n elements at step t (the f32 at tp, already counted).
 * The bias corrections are computed once per call in f64 and rounded to f32.
 * b^t is taken by repeated squaring (t is a whole number below 2^24): under
 * 50 roundings of f64, far below f32's, and it keeps std's pow and its 6 KB
 * of tables out of the core. For b in {0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99,
 * 0.999, 0.9999} and t up to 2^22 the f32 corrections are the bits pow gives.
 */
export function adamUpdate(m: usize, v: usize, tp: usize, p: usize, d: usize, n: i32,
                           lr: f32, b1: f32, b2: f32, delta: f32): void {
  const t = load<f32>(tp);
  const c1 = <f32>(1 / (1 - powWhole(<f64>b1, <i32>t)));
  const c2 = <f32>(1 / (1 - powWhole(<f64>b2, <i32>t)));
  const n4 = n & ~3;
  const b1v = f32x4.splat(b1), b1c = f32x4.splat(1 - b1), b2v = f32x4.splat(b2), b2c = f32x4.splat(1 - b2);
  const lv = f32x4.splat(lr), dv = f32x4.splat(delta), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
  const b1r: f32 = 1 - b1, b2r: f32 = 1 - b2;
  let i = 0;
  for (; i < n4; i += 4) {
    const di = v128.load(at(d, i));
    const mi = f32x4.add(f32x4.mul(b1v, v128.load(at(m, i))), f32x4.mul(b1c, di));
    const vi = f32x4.add(f32x4.mul(b2v, v128.load(at(v, i))), f32x4.mul(b2c, f32x4.mul(di, di)));
    v128.store(at(m, i), mi);
    v128.store(at(v, i), vi);
    const step = f32x4.div(f32x4.mul(lv, f32x4.mul(mi, c1v)), f32x4.add(dv, f32x4.sqrt(f32x4.mul(vi, c2v))));
    v128.store(at(p, i), f32x4.add(v128.load(at(p, i)), step));
  }
  for (; i < n; i++) {
    const di = load<f32>(at(d, i));
    const mi = b1 * load<f32>(at(m, i)) + b1r * di;
    const vi = b2 * load<f32>(at(v, i)) + b2r * (di * di);
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    store<f32>(at(p, i), load<f32>(at(p, i)) + (lr * (mi * c1)) / (delta + Mathf.sqrt(vi * c2)));
  }
}
