// Groups and their actions on the values of one example. Geometric deep
// learning's constraint f(g . x) = g . f(x) (Bronstein et al. 2021; in seed
// 002 an algebra homomorphism for the group-action monad) needs both sides:
// a group (identity, composition, inverse, sampling) and how it acts on the
// values a wire carries. The actions here move positions along axes: cyclic
// shifts, permutations (of one axis, or of several at once, as a graph's
// adjacency matrix), 2-D translations; `trivial` leaves values alone (an
// invariant output). Laws, which the tests check: e . x = x and
// (g h) . x = g . (h . x).
import { type Shape, shapeArgument } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtShape } from "../engine/errors.ts";
import type { Rng } from "../init/random.ts";

/**
 * A group, with g h = compose(g, h) meaning "h, then g".
 *
 * @category Equivariance
 */
export interface Group<G> {
  /** For messages, e.g. "C4". */
  readonly name: string;
  /** The neutral element e: compose(e, g) = g = compose(g, e). */
  identity(): G;
  /** The product g h: h, then g. */
  compose(g: G, h: G): G;
  /** The element g^-1 with compose(g, g^-1) = identity(). */
  inverse(g: G): G;
  /** A uniformly random element. */
  sample(rng: Rng): G;
  /** Whether g and h are the same element. */
  equal(g: G, h: G): boolean;
}

/**
 * An action of a group on the values of one example of a wire of `shape`.
 *
 * @category Equivariance
 */
export interface Action<G> {
  readonly name: string;
  readonly group: Group<G>;
  readonly shape: Shape;
  /** g . x, x holding one example (row-major, size of `shape`). */
  act(g: G, x: ArrayLike<number>): Float64Array;
}

/**
 * Z_n: shifts by 0..n-1, composed by adding mod n.
 *
 * @example
 * ```ts
 * const c4 = cyclicGroup(4);
 * c4.compose(3, 2);  // 1
 * ```
 *
 * @category Equivariance
 */
export function cyclicGroup(n: number): Group<number> {
  whole("cyclicGroup", n);
  return {
    name: `Z${n}`,
    identity: () => 0,
    compose: (g, h) => (g + h) % n,
    inverse: (g) => (n - g) % n,
    sample: (rng) => rng.int(n),
    equal: (g, h) => g === h,
  };
}

/**
 * S_n: permutations p of 0..n-1 (p[i] is where i goes), composed as functions: (g h)[i] = g[h[i]].
 *
 * @example
 * ```ts
 * const s3 = symmetricGroup(3);
 * const g = s3.sample(new initialisers.Rng(0));
 * s3.equal(s3.compose(g, s3.inverse(g)), s3.identity());  // true
 * ```
 *
 * @category Equivariance
 */
export function symmetricGroup(n: number): Group<Int32Array> {
  whole("symmetricGroup", n);
  return {
    name: `S${n}`,
    identity: () => Int32Array.from({ length: n }, (_, i) => i),
    compose: (g, h) => h.map((hi) => g[hi]!),
    inverse: (g) => {
      const inv = new Int32Array(n);
      g.forEach((gi, i) => (inv[gi] = i));
      return inv;
    },
    sample: (rng) => rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)),
    equal: (g, h) => g.every((v, i) => v === h[i]),
  };
}

/**
 * G x H, componentwise.
 *
 * @example
 * ```ts
 * const g = productGroup(cyclicGroup(2), cyclicGroup(3));
 * g.compose([1, 2], [1, 2]);  // [0, 1]
 * ```
 *
 * @category Equivariance
 */
export function productGroup<G, H>(a: Group<G>, b: Group<H>): Group<readonly [G, H]> {
  groupArgument("productGroup", a, "a");
  groupArgument("productGroup", b, "b");
  return {
    name: `${a.name} x ${b.name}`,
    identity: () => [a.identity(), b.identity()],
    compose: ([g1, h1], [g2, h2]) => [a.compose(g1, g2), b.compose(h1, h2)],
    inverse: ([g, h]) => [a.inverse(g), b.inverse(h)],
    sample: (rng) => [a.sample(rng), b.sample(rng)],
    equal: ([g1, h1], [g2, h2]) => a.equal(g1, g2) && b.equal(h1, h2),
  };
}

/**
 * Moves positions along axes: perms[a] (or null) sends index i of axis a to
 * perms[a][i], i.e. (g . x)[..., perm[i], ...] = x[..., i, ...].
 */
function moveAxes(shape: Shape, perms: readonly (Int32Array | null)[], x: ArrayLike<number>): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length !== size) throw new ParalensError(`action on ${fmtShape(shape)}: got ${x.length} values, expected ${size}`);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let j = 0;
    for (let a = 0; a < shape.length; a++) {
      const idx = Math.floor(i / strides[a]!) % shape[a]!;
      j += (perms[a]?.[idx] ?? idx) * strides[a]!;
    }
    out[j] = x[i]!;
  }
  return out;
}

const shiftPerm = (n: number, g: number): Int32Array => Int32Array.from({ length: n }, (_, i) => (i + g) % n);

function axesOk(what: string, shape: Shape, n: number, axes: readonly number[]): void {
  for (const a of axes) {
    if (shape[a] !== n) throw new ParalensError(`${what}: axis ${a} of ${fmtShape(shape)} must have ${n} positions`);
  }
}

/**
 * Z_n shifting axis 0 (and any other listed axes) cyclically: (g . x)[(i + g) mod n] = x[i].
 *
 * @example
 * ```ts
 * const report = checkEquivariance(circularConv1d(8, 1, 1, 3), { input: shiftAction(8, [8, 1]), output: shiftAction(8, [8, 1]) });
 * report.maxError < 1e-4;  // true
 * ```
 *
 * @category Equivariance
 */
export function shiftAction(n: number, shape: Shape = [n], axes: readonly number[] = [0]): Action<number> {
  const group = cyclicGroup(n);
  shapeArgument("shiftAction", shape);
  axesArgument("shiftAction", shape, axes);
  axesOk("shiftAction", shape, n, axes);
  return {
    name: `${group.name} shifting ${fmtShape(shape)}`,
    group,
    shape,
    act: (g, x) => moveAxes(shape, shape.map((_, a) => (axes.includes(a) ? shiftPerm(n, g) : null)), x),
  };
}

/**
 * S_n permuting the listed axes together (default axis 0: the elements of a
 * set; [0, 1] on [n, n]: an adjacency matrix, rows and columns alike).
 *
 * @example
 * ```ts
 * const act = permutationAction(5, [5, 3]);  // S5 permuting the 5 rows of [5, 3]
 * act.group.name;
 * ```
 *
 * @category Equivariance
 */
export function permutationAction(n: number, shape: Shape = [n], axes: readonly number[] = [0], group?: Group<Int32Array>): Action<Int32Array> {
  group ??= symmetricGroup(n);
  groupArgument("permutationAction", group);
  shapeArgument("permutationAction", shape);
  axesArgument("permutationAction", shape, axes);
  axesOk("permutationAction", shape, n, axes);
  return {
    name: `${group.name} permuting ${fmtShape(shape)}`,
    group,
    shape,
    act: (g, x) => moveAxes(shape, shape.map((_, a) => (axes.includes(a) ? g : null)), x),
  };
}

/**
 * Z_h x Z_w translating axes 0 and 1 cyclically (an image [h, w, ...channels]).
 *
 * @example
 * ```ts
 * const act = translationAction(6, 6, [6, 6, 1]);  // Z6 x Z6 shifting an image
 * act.shape;  // [6, 6, 1]
 * ```
 *
 * @category Equivariance
 */
export function translationAction(h: number, w: number, shape: Shape = [h, w]): Action<readonly [number, number]> {
  whole("translationAction", h);
  whole("translationAction", w);
  shapeArgument("translationAction", shape);
  if (shape[0] !== h || shape[1] !== w) throw new ParalensError(`translationAction: ${fmtShape(shape)} does not start with [${h}, ${w}]`);
  const group = productGroup(cyclicGroup(h), cyclicGroup(w));
  return {
    name: `${group.name} translating ${fmtShape(shape)}`,
    group,
    shape,
    act: ([dy, dx], x) => moveAxes(shape, shape.map((_, a) => (a === 0 ? shiftPerm(h, dy) : a === 1 ? shiftPerm(w, dx) : null)), x),
  };
}

/**
 * The trivial action g . x = x: the output side of an invariant map.
 *
 * @example
 * ```ts
 * trivialAction(cyclicGroup(4), [3]).shape;  // [3]: every element leaves x as it is
 * ```
 *
 * @category Equivariance
 */
export function trivialAction<G>(group: Group<G>, shape: Shape): Action<G> {
  groupArgument("trivialAction", group);
  shapeArgument("trivialAction", shape);
  return { name: `${group.name} fixing ${fmtShape(shape)}`, group, shape, act: (_g, x) => Float64Array.from(x) };
}

/** Throws unless `group` is a Group (cyclicGroup(n), symmetricGroup(n), ... or one written by hand), naming it. */
function groupArgument(what: string, group: unknown, name = "group"): asserts group is Group<unknown> {
  const g = group as Partial<Record<keyof Group<unknown>, unknown>> | null;
  const methods = ["identity", "compose", "inverse", "sample", "equal"] as const;
  if (typeof group !== "object" || g === null || typeof g.name !== "string" || methods.some((m) => typeof g[m] !== "function")) {
    throw new ParalensError(`${what}: ${name} must be a Group ({ name, identity, compose, inverse, sample, equal }: cyclicGroup(n), ...), got ${describe(group)}`);
  }
}

/** Throws unless `axes` is an array of axes of `shape`. */
function axesArgument(what: string, shape: Shape, axes: unknown): asserts axes is readonly number[] {
  if (!Array.isArray(axes) || !axes.every((a) => Number.isInteger(a) && a >= 0 && a < shape.length)) {
    throw new ParalensError(`${what}: axes must be an array of axes of ${fmtShape(shape)} (0..${shape.length - 1}), got ${Array.isArray(axes) ? fmtShape(axes) : describe(axes)}`);
  }
}

function whole(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ParalensError(`${what}: the order must be a whole number >= 1, got ${describe(n)}`);
}
