// Losses: each maps a prediction y and a label t (rows x cols) to one loss per
// row, and has a reverse that scales by the incoming change dl (one per row).
// Label gradients that are just scaled copies are left to rowScale, so a plan
// that does not need them does not compute them.
import { at, exp4, rowDot4, rowSum4 } from "./simd";

/** out[r, c] = s * dl[r] * a[r, c] */
export function rowScale(out: usize, a: usize, dl: usize, s: f32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const f = f32x4.splat(s * load<f32>(at(dl, r)));
    const ar = at(a, r * cols), or = at(out, r * cols);
    const c4 = cols & ~3;
    let j = 0;
    for (; j < c4; j += 4) v128.store(at(or, j), f32x4.mul(f, v128.load(at(ar, j))));
    for (; j < cols; j++) store<f32>(at(or, j), f32x4.extract_lane(f, 0) * load<f32>(at(ar, j)));
  }
}

/** Row dot products: l[r] = <a[r], b[r]>, summed in increasing column order. */
export function rowDot(l: usize, a: usize, b: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    let s: f32 = 0;
    for (let j = 0; j < cols; j++) s += load<f32>(at(a, r * cols + j)) * load<f32>(at(b, r * cols + j));
    store<f32>(at(l, r), s);
  }
}

// Mean squared error as in the reference implementation: l = 1/2 sum (y - t)^2.
export function mse(l: usize, y: usize, t: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    let s: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const d = load<f32>(at(y, r * cols + j)) - load<f32>(at(t, r * cols + j));
      s += d * d;
    }
    store<f32>(at(l, r), 0.5 * s);
  }
}
/** dy = dl (y - t); the label's change is its negation. */
export function mseReverse(dy: usize, y: usize, t: usize, dl: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const g = load<f32>(at(dl, r));
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      store<f32>(at(dy, i), g * (load<f32>(at(y, i)) - load<f32>(at(t, i))));
    }
  }
}

// Softmax cross-entropy, fused: from logits z and the log-probabilities lp
// (logSoftmax), l = -sum t lp. Stable for any logits: no exp of an unshifted
// value and no log of a probability is ever taken.
export function crossEntropy(l: usize, lp: usize, t: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const tr = at(t, r * cols), pr = at(lp, r * cols);
    store<f32>(at(l, r), -rowDot4(tr, pr, cols));
  }
}
/** dz = dl (softmax(z) sum(t) - t): labels need not sum to one. The label's change is -dl lp. */
export function softmaxCrossEntropyReverse(dz: usize, lp: usize, t: usize, dl: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const tr = at(t, r * cols), pr = at(lp, r * cols), dr = at(dz, r * cols);
    const mass = rowSum4(tr, cols);
    const g = load<f32>(at(dl, r));
    const mv = f32x4.splat(mass), gv = f32x4.splat(g);
    let j = 0;
    for (; j < c4; j += 4) {
      const p = exp4(v128.load(at(pr, j)));
      v128.store(at(dr, j), f32x4.mul(gv, f32x4.sub(f32x4.mul(p, mv), v128.load(at(tr, j)))));
    }
    // the tail through the same lane code, so every element gets the same bits
    for (; j < cols; j++) {
      const p = exp4(f32x4.splat(load<f32>(at(pr, j))));
      store<f32>(at(dr, j), f32x4.extract_lane(f32x4.mul(gv, f32x4.sub(f32x4.mul(p, mv), f32x4.splat(load<f32>(at(tr, j))))), 0));
    }
  }
}

// Binary cross-entropy on probabilities: l = -sum t log p + (1 - t) log(1 - p).
// p is clamped to [EPS, 1 - EPS] (in both passes) so the loss stays finite.
const EPS: f32 = 1e-7;
@inline function clampP(p: f32): f32 { return min(max(p, EPS), 1 - EPS); }

export function binaryCrossEntropy(l: usize, p: usize, t: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    let s: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const q = clampP(load<f32>(at(p, r * cols + j))), u = load<f32>(at(t, r * cols + j));
      s -= u * Mathf.log(q) + (1 - u) * Mathf.log(1 - q);
    }
    store<f32>(at(l, r), s);
  }
}
/** dp = dl (p - t) / (p (1 - p)) */
export function binaryCrossEntropyReverse(dp: usize, p: usize, t: usize, dl: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const g = load<f32>(at(dl, r));
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const q = clampP(load<f32>(at(p, i)));
      store<f32>(at(dp, i), g * (q - load<f32>(at(t, i))) / (q * (1 - q)));
    }
  }
}
/** dt = dl (log(1 - p) - log p) */
export function binaryCrossEntropyLabelReverse(dt: usize, p: usize, dl: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const g = load<f32>(at(dl, r));
    for (let j = 0; j < cols; j++) {
      const q = clampP(load<f32>(at(p, r * cols + j)));
      store<f32>(at(dt, r * cols + j), g * (Mathf.log(1 - q) - Mathf.log(q)));
    }
  }
}

// Softmax cross-entropy with class indices for labels: row r's label is one
// class c = labels[r] (an f32 holding a whole number, exact below 2^24), so
// no one-hot row is ever stored. l = -lp[r, c]; the reverse is the one-hot
// kernel's with t the indicator of c, dz = dl (softmax(z) - [j == c]),
// written as softmaxCrossEntropyReverse writes it (mass 1), so both give the
// same bits. An index that is not a whole number in [0, cols) (the
// TypeScript boundary refuses those; a plan's inputs are written raw) reads
// and writes nothing out of the row: its loss is NaN and its change the
// softmax alone.
@inline function classOf(labels: usize, r: i32, cols: i32): i32 {
  const v = load<f32>(at(labels, r));
  return v >= 0 && v < <f32>cols && v == Mathf.floor(v) ? <i32>v : -1;
}

/** l[r] = -lp[r, labels[r]] */
export function indexCrossEntropy(l: usize, lp: usize, labels: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const c = classOf(labels, r, cols);
    store<f32>(at(l, r), c < 0 ? NaN : -load<f32>(at(lp, r * cols + c)));
  }
}

/** g (exp(x) - t) in one lane, by the vector code (so a tail element gets the body's bits); not inlined: one copy of exp4 serves every tail. */
function lane(g: f32, x: f32, t: f32): f32 {
  return f32x4.extract_lane(f32x4.mul(f32x4.splat(g), f32x4.sub(exp4(f32x4.splat(x)), f32x4.splat(t))), 0);
}

/**
 * dz[r, j] = dl[r] (exp(lp[r, j]) - [j == labels[r]]): the softmax scaled by
 * dl, then the label's entry scattered in. Off the label the one-hot kernel
 * computes dl (p 1 - 0) = dl p exactly, so both kernels give the same bits.
 */
export function indexCrossEntropyReverse(dz: usize, lp: usize, labels: usize, dl: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const pr = at(lp, r * cols), dr = at(dz, r * cols);
    const g = load<f32>(at(dl, r));
    const gv = f32x4.splat(g);
    let j = 0;
    for (; j < c4; j += 4) v128.store(at(dr, j), f32x4.mul(gv, exp4(v128.load(at(pr, j)))));
    for (; j < cols; j++) store<f32>(at(dr, j), lane(g, load<f32>(at(pr, j)), 0));
    const c = classOf(labels, r, cols);
    if (c >= 0) store<f32>(at(dr, c), lane(g, load<f32>(at(pr, c)), 1));
  }
}
