// Arithmetic between tensors of different shapes, reductions along axes, and
// select. Shapes are at most three axes [n0, n1, n2] (the TypeScript side
// folds longer ones); operands are addressed by element strides, and a stride
// of 0 repeats (broadcasts) an operand along that axis. Results are exact IEEE
// f32 operations; the reductions fix their order of accumulation (below), so
// a run gives the same bits every time.
import { at, hsum, lanemax } from "./simd";

// Op codes of `binary`; the TypeScript side mirrors these numbers.
//   0 add   a + b          4 max      f32x4.max (NaN wins, -0 < +0)
//   1 sub   a - b          5 min      f32x4.min (NaN wins, -0 < +0)
//   2 mul   a * b          6 greater  1.0 if a > b else 0.0 (0.0 if either is NaN)
//   3 div   a / b          7 equal    1.0 if a == b else 0.0 (+0 == -0; NaN != NaN)
export const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, GREATER = 6, EQUAL = 7;

@inline function combine(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == MAX) return f32x4.max(a, b);
  if (op == MIN) return f32x4.min(a, b);
  if (op == GREATER) return v128.and(f32x4.gt(a, b), f32x4.splat(1));
  return v128.and(f32x4.eq(a, b), f32x4.splat(1));
}

// One element through the vector code, so tails and strided elements get the
// same bits (NaN payloads included) as the lanes.
@inline function combine1(op: i32, a: f32, b: f32): f32 {
  return f32x4.extract_lane(combine(op, f32x4.splat(a), f32x4.splat(b)), 0);
}

// One output row of m elements; a2 and b2 are the operands' strides along it.
// The fast paths load whole vectors (both dense) or splat the operand that is
// constant along the row; otherwise four lanes are gathered one by one.
@inline function row(op: i32, c: usize, a: usize, b: usize, m: i32, a2: i32, b2: i32): void {
  if (a2 == 1 && b2 == 1) contiguous(op, c, a, b, m, true, true);
  else if (a2 == 1 && b2 == 0) contiguous(op, c, a, b, m, true, false);
  else if (a2 == 0 && b2 == 1) contiguous(op, c, a, b, m, false, true);
  else {
    const m4 = m & ~3;
    let k = 0;
    for (; k < m4; k += 4) {
      const va = gather4(a, k * a2, a2), vb = gather4(b, k * b2, b2);
      v128.store(at(c, k), combine(op, va, vb));
    }
    for (; k < m; k++) store<f32>(at(c, k), combine1(op, load<f32>(at(a, k * a2)), load<f32>(at(b, k * b2))));
  }
}

// An operand along a row: four consecutive floats, or its one value splatted.
@inline function operand(p: usize, k: i32, dense: bool, splatted: v128): v128 {
  return dense ? v128.load(at(p, k)) : splatted;
}

// Four vectors per step: the loop overhead would otherwise cost as much as
// the arithmetic (the rows are memory-bound).
@inline function contiguous(op: i32, c: usize, a: usize, b: usize, m: i32, aDense: bool, bDense: bool): void {
  const sa = f32x4.splat(load<f32>(a)), sb = f32x4.splat(load<f32>(b));
  const m16 = m & ~15, m4 = m & ~3;
  let k = 0;
  for (; k < m16; k += 16) {
    v128.store(at(c, k), combine(op, operand(a, k, aDense, sa), operand(b, k, bDense, sb)));
    v128.store(at(c, k + 4), combine(op, operand(a, k + 4, aDense, sa), operand(b, k + 4, bDense, sb)));
    v128.store(at(c, k + 8), combine(op, operand(a, k + 8, aDense, sa), operand(b, k + 8, bDense, sb)));
    v128.store(at(c, k + 12), combine(op, operand(a, k + 12, aDense, sa), operand(b, k + 12, bDense, sb)));
  }
  for (; k < m4; k += 4) v128.store(at(c, k), combine(op, operand(a, k, aDense, sa), operand(b, k, bDense, sb)));
  for (; k < m; k++) {
    const x = aDense ? load<f32>(at(a, k)) : load<f32>(a), y = bDense ? load<f32>(at(b, k)) : load<f32>(b);
    store<f32>(at(c, k), combine1(op, x, y));
  }
}

@inline function gather4(p: usize, i: i32, stride: i32): v128 {
  let v = f32x4.splat(load<f32>(at(p, i)));
  v = f32x4.replace_lane(v, 1, load<f32>(at(p, i + stride)));
  v = f32x4.replace_lane(v, 2, load<f32>(at(p, i + 2 * stride)));
  return f32x4.replace_lane(v, 3, load<f32>(at(p, i + 3 * stride)));
}

@inline function rows(
  op: i32, c: usize, a: usize, b: usize, n0: i32, n1: i32, n2: i32,
  a0: i32, a1: i32, a2: i32, b0: i32, b1: i32, b2: i32,
): void {
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      row(op, at(c, (i * n1 + j) * n2), at(a, i * a0 + j * a1), at(b, i * b0 + j * b1), n2, a2, b2);
    }
  }
}

/**
 * c[i, j, k] = a[i a0 + j a1 + k a2] OP b[i b0 + j b1 + k b2] for c dense
 * [n0, n1, n2]; OP by the code table above. c may be a or b when that operand
 * is dense (each element is read before it is written).
 */
export function binary(
  op: i32, c: usize, a: usize, b: usize, n0: i32, n1: i32, n2: i32,
  a0: i32, a1: i32, a2: i32, b0: i32, b1: i32, b2: i32,
): void {
  if (n0 <= 0 || n1 <= 0 || n2 <= 0) return;
  // Make rows as long as possible, since the fast paths work a row at a time:
  // axis 1 folds into axis 2 when it has one entry, when axis 2 has one, or
  // when both operands step through it back to back; axis 0 then moves up.
  for (let pass = 0; pass < 2; pass++) {
    if (n1 == 1) {
      // axis 1 is dropped
    } else if (n2 == 1) {
      n2 = n1; a2 = a1; b2 = b1;
    } else if (a1 == n2 * a2 && b1 == n2 * b2) {
      n2 *= n1;
    } else break;
    n1 = n0; a1 = a0; b1 = b0;
    n0 = 1; a0 = 0; b0 = 0;
  }
  // a constant op code per call of rows, so each case compiles to its own loops
  switch (op) {
    case ADD: rows(ADD, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case SUB: rows(SUB, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case MUL: rows(MUL, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case DIV: rows(DIV, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case MAX: rows(MAX, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case MIN: rows(MIN, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    case GREATER: rows(GREATER, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2); break;
    default: rows(EQUAL, c, a, b, n0, n1, n2, a0, a1, a2, b0, b1, b2);
  }
}

// Reductions. out[i o0 + j o1 + k o2] accumulates x[i, j, k] (x dense); a zero
// stride sums (or maxes) that axis away. Order of accumulation, part of the
// numeric contract:
//   o2 = 0: each row x[i, j, :] is first reduced on its own: lane l takes the
//           k = l mod 4 of the vector part in increasing k, the lanes combine
//           as (l0 + l2) + (l1 + l3), then the tail follows in increasing k;
//           the row results then go into out in increasing (i, j).
//   o2 != 0: every out element receives its terms in increasing (i, j, k).
// out is first set to the identity (0, or -Infinity for max) at every index it
// will receive, so it needs no clearing by the caller.
const SUM = 0, MAXIMUM = 1;

@inline function reduce2(op: i32, a: v128, b: v128): v128 {
  return op == SUM ? f32x4.add(a, b) : f32x4.max(a, b);
}

@inline function reduce1(op: i32, a: f32, b: f32): f32 {
  return op == SUM ? a + b : max(a, b); // f32.max: the same rule as f32x4.max
}

@inline function reduceRow(op: i32, x: usize, m: i32): f32 {
  const m4 = m & ~3;
  const identity: f32 = op == SUM ? 0 : -Infinity;
  let acc = f32x4.splat(identity);
  let k = 0;
  for (; k < m4; k += 4) acc = reduce2(op, acc, v128.load(at(x, k)));
  let s = op == SUM ? hsum(acc) : lanemax(acc);
  for (; k < m; k++) s = reduce1(op, s, load<f32>(at(x, k)));
  return s;
}

@inline function reduce(op: i32, out: usize, x: usize, n0: i32, n1: i32, n2: i32, o0: i32, o1: i32, o2: i32): void {
  if (n0 <= 0 || n1 <= 0 || n2 <= 0) return;
  const identity: f32 = op == SUM ? 0 : -Infinity;
  const e0 = o0 != 0 ? n0 : 1, e1 = o1 != 0 ? n1 : 1, e2 = o2 != 0 ? n2 : 1;
  for (let i = 0; i < e0; i++) {
    for (let j = 0; j < e1; j++) {
      for (let k = 0; k < e2; k++) store<f32>(at(out, i * o0 + j * o1 + k * o2), identity);
    }
  }
  const m4 = n2 & ~3;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      const xr = at(x, (i * n1 + j) * n2), base = i * o0 + j * o1;
      if (o2 == 0) {
        const p = at(out, base);
        store<f32>(p, reduce1(op, load<f32>(p), reduceRow(op, xr, n2)));
      } else if (o2 == 1) {
        const p = at(out, base);
        let k = 0;
        for (; k < m4; k += 4) v128.store(at(p, k), reduce2(op, v128.load(at(p, k)), v128.load(at(xr, k))));
        for (; k < n2; k++) store<f32>(at(p, k), reduce1(op, load<f32>(at(p, k)), load<f32>(at(xr, k))));
      } else {
        for (let k = 0; k < n2; k++) {
          const p = at(out, base + k * o2);
          store<f32>(p, reduce1(op, load<f32>(p), load<f32>(at(xr, k))));
        }
      }
    }
  }
}

/** out[i o0 + j o1 + k o2] = sum of x[i, j, k] over the axes with zero stride (order: see above). */
export function reduceSum(out: usize, x: usize, n0: i32, n1: i32, n2: i32, o0: i32, o1: i32, o2: i32): void {
  reduce(SUM, out, x, n0, n1, n2, o0, o1, o2);
}

/** The same with max, from -Infinity; a NaN anywhere in a group makes its result NaN. */
export function reduceMax(out: usize, x: usize, n0: i32, n1: i32, n2: i32, o0: i32, o1: i32, o2: i32): void {
  reduce(MAXIMUM, out, x, n0, n1, n2, o0, o1, o2);
}

/**
 * c[i] = m[i] != 0 ? a[i] : b[i] on n floats, by a bitwise select under a
 * compare mask (exact; -0 counts as 0, NaN as true). c may be any of m, a, b.
 * Named selectKernel because `select` is an AssemblyScript builtin; index.ts
 * exports it as `select`.
 */
export function selectKernel(c: usize, m: usize, a: usize, b: usize, n: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const mask = f32x4.ne(v128.load(at(m, i)), zero);
    v128.store(at(c, i), v128.bitselect(v128.load(at(a, i)), v128.load(at(b, i)), mask));
  }
  for (; i < n; i++) store<f32>(at(c, i), load<f32>(at(m, i)) != 0 ? load<f32>(at(a, i)) : load<f32>(at(b, i)));
}
