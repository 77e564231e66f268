// The threaded core: the same Core interface, where each large kernel call is
// cut into tasks that the pool's threads run side by side. The cuts are over
// outputs (rows or columns of a product, whole images, runs of elements or of
// rows), so each output element is computed by one task with the arithmetic
// the whole call would use; the one cut along a sum, a product's K blocks,
// keeps the order of the sum too (gemm adds the block sums to C one by one,
// and so does gemmFold). Results are bit-identical at any thread count.
// Calls too small to gain from it (below the thresholds, measured by
// `npm run bench -- scaling`) run on the calling thread as they are.
import type { Core } from "../core.ts";
import type { Pool } from "./pool.ts";

/** Below these sizes a call runs whole on the calling thread (work in multiply-adds, or elements). */
export const THRESHOLDS = {
  /** m * n * k of a product. */
  gemm: 1 << 17,
  /** Output elements times the taps of each (convolution and pooling). */
  window: 1 << 17,
  /** Elements of an elementwise map or of a row-wise one. */
  elements: 1 << 15,
  /** The most elements of a C whose product is cut over its K blocks (above it, over C). */
  smallOutput: 1 << 14,
};

type Kernel = (...args: number[]) => unknown;

/** [start, end) runs cutting 0..total into at most `parts`, the inner boundaries multiples of `align`. */
export function ranges(total: number, parts: number, align: number): [number, number][] {
  const units = Math.ceil(total / align);
  const count = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let q = 0, start = 0; q < count; q++) {
    const end = q === count - 1 ? total : Math.min(total, Math.round((units * (q + 1)) / count) * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

// Elementwise kernels: which arguments are f32 arrays walked in step, and where n is.
const elementwise: Record<string, { arrays: number[]; n: number }> = {
  add: { arrays: [0, 1, 2], n: 3 },
  addScaled: { arrays: [0, 1, 2], n: 4 },
  scale: { arrays: [0, 1], n: 3 },
  fill: { arrays: [0], n: 2 },
  select: { arrays: [0, 1, 2, 3], n: 4 },
  sgdStep: { arrays: [0, 1], n: 2 },
  momentumStep: { arrays: [0, 1, 2], n: 3 },
  adagradStep: { arrays: [0, 1, 2], n: 3 },
  rmspropStep: { arrays: [0, 1, 2], n: 3 },
};
for (const name of ["sigmoid", "tanh", "relu", "leakyRelu", "exp", "log", "sqrt", "rsqrt", "neg", "abs", "square", "sign", "erf"]) {
  elementwise[name] = { arrays: [0, 1], n: 2 };
}
for (const name of ["sigmoidReverse", "tanhReverse", "reluReverse", "leakyReluReverse"]) elementwise[name] = { arrays: [0, 1, 2], n: 3 };

// Row-wise kernels (rows, cols after the arrays): which arrays advance by a row.
const rowwise: Record<string, { arrays: number[]; rows: number }> = {
  softmax: { arrays: [0, 1], rows: 2 },
  logSoftmax: { arrays: [0, 1], rows: 2 },
  softmaxReverse: { arrays: [0, 1, 2], rows: 3 },
  addRowVector: { arrays: [0, 1], rows: 3 },
};

/**
 * The Core whose large calls run on `pool` in `parts()` pieces (1: as the
 * plain core does); `names` are the kernels in the order tasks index them.
 * A plan's convolution scratch holds one block per piece (PlanContext.parts).
 */
export function threadedCore(
  raw: Core, pool: Pool, parts: () => number, names: readonly string[], partials: { offset: number; bytes: number },
): Core {
  const index = (name: string): number => names.indexOf(name);
  const rawKernels = raw as unknown as Record<string, Kernel>;
  const core: Record<string, unknown> = { ...rawKernels, memory: raw.memory };
  const GEMM_PART = index("gemmPart"), GEMM_BATCH = index("gemmBatch"), GEMM_BLOCKS = index("gemmBlocks"), GEMM_FOLD = index("gemmFold");
  const KC = raw.gemmKBlock();

  /** Queues the cut of one product's C (rows when that packs less twice, else columns). */
  const cutProduct = (o: number, c: number, a: number, b: number, m: number, n: number, k: number, acc: number, p: number): void => {
    // rows: every task packs all of op(B) (n k floats); columns: all of op(A) (4 m k, broadcast)
    if (n < 4 * m) for (const [i0, i1] of ranges(m, p, 4)) pool.add(GEMM_PART, o, c, a, b, m, n, k, acc, i0, i1, 0, n);
    else for (const [j0, j1] of ranges(n, p, 8)) pool.add(GEMM_PART, o, c, a, b, m, n, k, acc, 0, m, j0, j1);
  };
  (["gemmNN", "gemmNT", "gemmTN"] as const).forEach((name, o) => {
    const whole = raw[name];
    core[name] = (c: number, a: number, b: number, m: number, n: number, k: number, acc: number): void => {
      const p = parts();
      if (p < 2 || m * n * k < THRESHOLDS.gemm) return whole(c, a, b, m, n, k, acc);
      // a small C and a long K (a filter gradient): share out the K blocks, then add their sums in order
      const blocks = Math.ceil(k / KC);
      if (m * n <= THRESHOLDS.smallOutput && blocks >= 2 && 4 * m * n * blocks <= partials.bytes) {
        for (const [q0, q1] of ranges(blocks, p, 1)) pool.add(GEMM_BLOCKS, o, partials.offset, a, b, m, n, k, q0, q1);
        pool.run();
        if (m * n * blocks < THRESHOLDS.elements) return raw.gemmFold(c, partials.offset, m, n, blocks, acc, 0, m);
        for (const [i0, i1] of ranges(m, p, 1)) pool.add(GEMM_FOLD, c, partials.offset, m, n, blocks, acc, i0, i1);
        pool.run();
        return;
      }
      if (m < 8 && n < 16) return whole(c, a, b, m, n, k, acc);
      cutProduct(o, c, a, b, m, n, k, acc, p);
      pool.run();
    };
  });
  core.gemmBatch = (o: number, c: number, a: number, b: number, m: number, n: number, k: number, count: number): void => {
    const p = parts();
    if (p < 2 || count * m * n * k < THRESHOLDS.gemm) return raw.gemmBatch(o, c, a, b, m, n, k, count);
    if (count >= p) {
      for (const [e0, e1] of ranges(count, p, 1)) pool.add(GEMM_BATCH, o, c + 4 * e0 * m * n, a + 4 * e0 * m * k, b + 4 * e0 * k * n, m, n, k, e1 - e0);
    } else {
      for (let e = 0; e < count; e++) cutProduct(o, c + 4 * e * m * n, a + 4 * e * m * k, b + 4 * e * k * n, m, n, k, 0, p);
    }
    pool.run();
  };

  // Whole images: conv2d and its input gradient, and pooling. A piece's
  // scratch is its own block of the plan's (blockRows x K floats each), or,
  // when the forward pass keeps the im2col matrix, its own rows of it.
  type Geometry = [n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number];
  const images = (n: number, outPerImage: number, taps: number): [number, number][] | undefined => {
    const p = parts();
    return p < 2 || n < 2 || n * outPerImage * taps < THRESHOLDS.window ? undefined : ranges(n, p, 1);
  };
  core.conv2d = (y: number, x: number, f: number, s: number, rows: number, ...rest: [...Geometry, number, number]): void => {
    const [n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, keep] = rest;
    const k = kh * kw * c;
    const cut = images(n, oh * ow * cout, k);
    if (cut === undefined) return raw.conv2d(y, x, f, s, rows, ...rest);
    cut.forEach(([n0, n1], q) => {
      const scratch = keep ? s + 4 * n0 * oh * ow * k : rows > 0 ? s + 4 * q * rows * k : s;
      pool.add(index("conv2d"), y + 4 * n0 * oh * ow * cout, x + 4 * n0 * h * w * c, f, scratch, rows, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, keep);
    });
    pool.run();
  };
  core.conv2dInputGrad = (dx: number, dy: number, f: number, s: number, rows: number, ...rest: [...Geometry, number]): void => {
    const [n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout] = rest;
    const k = kh * kw * c;
    const cut = images(n, oh * ow * cout, k);
    if (cut === undefined) return raw.conv2dInputGrad(dx, dy, f, s, rows, ...rest);
    cut.forEach(([n0, n1], q) => {
      pool.add(index("conv2dInputGrad"), dx + 4 * n0 * h * w * c, dy + 4 * n0 * oh * ow * cout, f, s + 4 * q * rows * k, rows, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout);
    });
    pool.run();
  };
  core.maxPool2d = (y: number, arg: number, x: number, ...g: Geometry): void => {
    const [n, h, w, c, kh, kw, , , , , oh, ow] = g;
    const cut = images(n, oh * ow * c, kh * kw);
    if (cut === undefined) return raw.maxPool2d(y, arg, x, ...g);
    const [o, i] = [oh * ow * c, h * w * c];
    for (const [n0, n1] of cut) pool.add(index("maxPool2d"), y + 4 * n0 * o, arg + 4 * n0 * o, x + 4 * n0 * i, n1 - n0, ...g.slice(1));
    pool.run();
  };
  core.maxPool2dReverse = (dx: number, arg: number, dy: number, n: number, inSize: number, outSize: number): void => {
    const cut = images(n, outSize, 1);
    if (cut === undefined) return raw.maxPool2dReverse(dx, arg, dy, n, inSize, outSize);
    for (const [n0, n1] of cut) pool.add(index("maxPool2dReverse"), dx + 4 * n0 * inSize, arg + 4 * n0 * outSize, dy + 4 * n0 * outSize, n1 - n0, inSize, outSize);
    pool.run();
  };
  (["avgPool2d", "avgPool2dReverse"] as const).forEach((name, reverse) => {
    core[name] = (out: number, input: number, ...g: Geometry): void => {
      const [n, h, w, c, kh, kw, , , , , oh, ow] = g;
      const cut = images(n, oh * ow * c, kh * kw);
      if (cut === undefined) return raw[name](out, input, ...g);
      // forward: out is y, input is x; reverse: out is dx, input is dy
      const [so, si] = reverse ? [h * w * c, oh * ow * c] : [oh * ow * c, h * w * c];
      for (const [n0, n1] of cut) pool.add(index(name), out + 4 * n0 * so, input + 4 * n0 * si, n1 - n0, ...g.slice(1));
      pool.run();
    };
  });

  // Runs of elements, cut at multiples of 16 floats (whole vectors and cache lines).
  for (const [name, { arrays, n: at }] of Object.entries(elementwise)) {
    const whole = rawKernels[name]!;
    const k = index(name);
    core[name] = (...args: number[]): unknown => {
      const n = args[at]!;
      const p = parts();
      if (p < 2 || n < THRESHOLDS.elements) return whole(...args);
      for (const [i0, i1] of ranges(n, p, 16)) {
        const piece = args.slice();
        for (const a of arrays) piece[a] = args[a]! + 4 * i0;
        piece[at] = i1 - i0;
        pool.add(k, ...piece);
      }
      pool.run();
      return undefined;
    };
  }
  // Runs of rows.
  for (const [name, { arrays, rows: at }] of Object.entries(rowwise)) {
    const whole = rawKernels[name]!;
    const k = index(name);
    core[name] = (...args: number[]): unknown => {
      const [rows, cols] = [args[at]!, args[at + 1]!];
      const p = parts();
      if (p < 2 || rows < 2 || rows * cols < THRESHOLDS.elements) return whole(...args);
      for (const [r0, r1] of ranges(rows, p, 1)) {
        const piece = args.slice();
        for (const a of arrays) piece[a] = args[a]! + 4 * r0 * cols;
        piece[at] = r1 - r0;
        pool.add(k, ...piece);
      }
      pool.run();
      return undefined;
    };
  }
  // causal softmax: runs of whole t x t blocks (a row's mask depends on its row mod t)
  core.causalSoftmax = (y: number, x: number, rows: number, t: number): void => {
    const p = parts();
    const blocks = rows / t;
    if (p < 2 || blocks < 2 || rows * t < THRESHOLDS.elements) return raw.causalSoftmax(y, x, rows, t);
    for (const [b0, b1] of ranges(blocks, p, 1)) pool.add(index("causalSoftmax"), y + 4 * b0 * t * t, x + 4 * b0 * t * t, (b1 - b0) * t, t);
    pool.run();
  };
  return core as unknown as Core;
}
