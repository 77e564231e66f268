// The threaded core: the same Core interface, where each large kernel call is
// cut into tasks, a few per thread, which the pool's threads run side by side.
//
// The cuts are over outputs (rows or columns of a product, whole images, runs
// of elements or of rows), so each output element is computed by one task
// with the arithmetic the whole call would use; the one cut along a sum, a
// product's K blocks, keeps the order of the sum too (gemm adds the block
// sums to C one by one, and so does gemmFold). Results are bit-identical at
// any thread count, wherever the cut points fall.
//
// Each thread's tasks are one stretch of the output, the same stretch at
// every call of that size (protocol.ts): the calls of a step then hand each
// thread nearly the same part of a tensor, which it mostly finds in its own
// cache. A stretch is cut into a few pieces (piecesForWork), and a thread
// done early takes the last pieces of one that is behind: on a shared
// machine a thread is paused now and then, and in a plan that reuses memory
// a thread that overwrites another core's cache lines runs slower at that
// call. A product is cut in a grid of column blocks and row runs when it is
// wide enough, else once per thread (each piece would pack a whole operand
// again). Calls too small to gain from
// cutting (below the thresholds, measured by `npm run bench -- scaling`) run
// on the calling thread as they are.
import type { Core, ThreadedCore } from "../core.ts";
import { cuts } from "./cuts.ts";
import { type Pool, runStart } from "./pool.ts";

/** Below these sizes a call runs whole on the calling thread (work in multiply-adds, or elements). */
export const THRESHOLDS = {
  /** m * n * k of a product. */
  gemm: 1 << 17,
  /** Output elements times the taps of each (convolution and pooling). */
  window: 1 << 15,
  /** Elements of an elementwise map or of a row-wise one. */
  elements: 1 << 15,
  /** The most elements of a C whose product is cut over its K blocks (above it, over C). */
  smallOutput: 1 << 14,
};

type Kernel = (...args: number[]) => unknown;

/**
 * How many of `threads` a call of `work` goes to (below 2: it runs whole):
 * every one, or fewer, so that each piece has at least half a threshold's
 * work. On two threads a call is cut from its threshold on; on sixteen, a
 * call of 8 thresholds goes to all of them.
 */
export function threadsForWork(threads: number, work: number, threshold: number): number {
  return Math.min(threads, Math.floor((2 * work) / threshold));
}

/** The most a thread's stretch of a product's whole column blocks may exceed an equal share. */
const UNEVEN = 1.125;
/** The fewest rows of a piece of a product cut in a grid, and the most pieces per thread there. */
const GRID_ROWS = 128;
const GRID_PIECES = 16;

/** The most pieces a thread's stretch of a call is cut into. */
export const PIECES = 8;

/**
 * How many pieces each of `threads` gets of a call of `work`: as many as
 * give each at least half a threshold's work (the rule threadsForWork
 * follows), up to PIECES. A thread that finishes its own pieces takes the
 * others' last ones, so a thread the machine pauses (on a shared machine,
 * for up to milliseconds) holds the call up by at most the piece it is in,
 * not by its whole part.
 */
export function piecesForWork(threads: number, work: number, threshold: number): number {
  return Math.max(1, Math.min(PIECES, Math.floor((2 * work) / (threshold * threads))));
}

/**
 * The Core whose large calls run on `pool` in `parts()` pieces (1: as the
 * plain core does); `names` are the kernels in the order tasks index them.
 * A plan's convolution scratch holds one block per thread (PlanContext.parts).
 */
export function threadedCore(
  raw: ThreadedCore, pool: Pool, parts: () => number, names: readonly string[], partials: { offset: number; bytes: number },
): Core {
  const index = (name: string): number => names.indexOf(name);
  const rawKernels = raw as unknown as Record<string, Kernel>;
  const core: Record<string, unknown> = { ...rawKernels, memory: raw.memory };
  const GEMM_PART = index("gemmPart"), GEMM_BATCH = index("gemmBatch"), GEMM_BLOCKS = index("gemmBlocks"), GEMM_FOLD = index("gemmFold");
  const KC = raw.gemmKBlock(), NC = raw.gemmNBlock();
  // (a call below its threshold never asks whether the workers were late: only calls that would be cut count down a back-off)
  const threadsFor = (work: number, threshold: number): number => {
    const p = threadsForWork(parts(), work, threshold);
    if (p < 2) return p;
    if (pool.lateness.alone()) return 1;
    pool.lateness.share(work / threshold / p);
    return p;
  };

  /**
   * Queues the cut of one product's C. When its column blocks of NC share
   * out nearly evenly, C is cut into a grid: whole column blocks (so op(A) is
   * packed for each block exactly as one thread packs it), each in runs of
   * at least GRID_ROWS rows (each run packs its block of op(B) again, for
   * GRID_ROWS rows or more of work: under 1%). A thread's pieces are its
   * column blocks, top to bottom, and many small pieces let a thread that is
   * ahead take the last ones of a thread that is behind. Else one piece per
   * thread: rows when that packs less twice, else columns.
   */
  const cutProduct = (o: number, c: number, a: number, b: number, m: number, n: number, k: number, acc: number, p: number): void => {
    const blocks = Math.ceil(n / NC);
    if (blocks >= p && Math.min(n, Math.ceil(blocks / p) * NC) * p <= UNEVEN * n) {
      const rowRuns = Math.max(1, Math.min(Math.floor(m / GRID_ROWS), Math.floor((GRID_PIECES * p) / blocks)));
      const count = pool.cut(blocks * rowRuns, 1, p, blocks * rowRuns), e = pool.edges;
      for (let q = 0; q < count; q++) {
        const unit = e[q]!, j = Math.floor(unit / rowRuns), i = unit - j * rowRuns;
        pool.add(GEMM_PART, o, c, a, b, m, n, k, acc, runStart(m, rowRuns, 4, i), runStart(m, rowRuns, 4, i + 1), j * NC, Math.min(n, (j + 1) * NC));
      }
      return;
    }
    // rows: every piece packs all of op(B) (n k floats); columns: all of op(A) (4 m k, broadcast)
    const byRows = n < 4 * m;
    const total = byRows ? m : n, align = byRows ? 4 : 8;
    const count = pool.cut(total, align, p), e = pool.edges;
    for (let q = 0; q < count; q++) {
      const from = e[q]!, to = e[q + 1]!;
      if (byRows) pool.add(GEMM_PART, o, c, a, b, m, n, k, acc, from, to, 0, n);
      else pool.add(GEMM_PART, o, c, a, b, m, n, k, acc, 0, m, from, to);
    }
  };
  // in the order of gemmPart's orientations; gemmPanels's B is packed panels,
  // read by every thread (its column cuts fall on multiples of 8, as they must)
  const products = ["gemmNN", "gemmNT", "gemmTN", "gemmPanels"] as const;
  for (let o = 0; o < products.length; o++) {
    const name = products[o]!;
    const whole = o < 3 ? raw[name as "gemmNN"] : (c: number, a: number, b: number, m: number, n: number, k: number): void => raw.gemmPanels(c, a, b, m, n, k, 0, 0);
    core[name] = (c: number, a: number, b: number, m: number, n: number, k: number, acc: number): void => {
      const p = threadsFor(m * n * k, THRESHOLDS.gemm);
      if (p < 2) return whole(c, a, b, m, n, k, acc);
      // a small C and a long K (a filter gradient): share out the K blocks, then add their sums in order
      const blocks = Math.ceil(k / KC);
      if (m * n <= THRESHOLDS.smallOutput && blocks >= 2 && 4 * m * n * blocks <= partials.bytes) {
        const e = pool.edges;
        const count = pool.cut(blocks, 1, p, piecesForWork(p, m * n * k, THRESHOLDS.gemm));
        for (let q = 0; q < count; q++) pool.add(GEMM_BLOCKS, o, partials.offset, a, b, m, n, k, e[q]!, e[q + 1]!);
        pool.run();
        const pf = threadsFor(m * n * blocks, THRESHOLDS.elements);
        if (pf < 2) return raw.gemmFold(c, partials.offset, m, n, blocks, acc, 0, m);
        const folds = pool.cut(m, 1, pf, piecesForWork(pf, m * n * blocks, THRESHOLDS.elements));
        for (let q = 0; q < folds; q++) pool.add(GEMM_FOLD, c, partials.offset, m, n, blocks, acc, e[q]!, e[q + 1]!);
        pool.run();
        return;
      }
      if (m < 8 && n < 16) return whole(c, a, b, m, n, k, acc);
      cutProduct(o, c, a, b, m, n, k, acc, p);
      pool.run();
    };
  }
  // a call that packs the panels (once per change of the weight) packs them
  // on this thread as it computes C's first row, before any thread reads
  // them; then the whole product is cut as any other (row 0 again, same bits)
  const packed = core.gemmPanels as (c: number, a: number, p: number, m: number, n: number, k: number, acc: number) => void;
  core.gemmPanels = (c: number, a: number, p: number, m: number, n: number, k: number, b: number, t: number): void => {
    if (b !== 0) raw.gemmPanels(c, a, p, 1, n, k, b, t);
    packed(c, a, p, m, n, k, 0);
  };
  core.gemmBatch = (o: number, c: number, a: number, b: number, m: number, n: number, k: number, count: number): void => {
    const p = threadsFor(count * m * n * k, THRESHOLDS.gemm);
    if (p < 2) return raw.gemmBatch(o, c, a, b, m, n, k, count);
    if (count >= p) {
      const r = pool.cut(count, 1, p, piecesForWork(p, count * m * n * k, THRESHOLDS.gemm)), e = pool.edges;
      for (let q = 0; q < r; q++) {
        const e0 = e[q]!, e1 = e[q + 1]!;
        pool.add(GEMM_BATCH, o, c + 4 * e0 * m * n, a + 4 * e0 * m * k, b + 4 * e0 * k * n, m, n, k, e1 - e0);
      }
    } else {
      for (let e = 0; e < count; e++) cutProduct(o, c + 4 * e * m * n, a + 4 * e * m * k, b + 4 * e * k * n, m, n, k, 0, p);
    }
    pool.run();
  };

  // Whole images: conv2d and its input gradient, and pooling. A piece's
  // scratch is the block of the plan's (blockRows x K floats each, one per
  // thread: PlanContext.parts) of the thread that runs it, or, when the
  // forward pass keeps the im2col matrix, its own rows of it.
  const images = (n: number, outPerImage: number, taps: number): number => {
    const work = n * outPerImage * taps, p = threadsFor(work, THRESHOLDS.window);
    return p < 2 || n < 2 ? 0 : pool.cut(n, 1, p, piecesForWork(p, work, THRESHOLDS.window));
  };
  const CONV = index("conv2d"), CONV_INPUT = index("conv2dInputGrad"), MAX = index("maxPool2d"), MAX_REVERSE = index("maxPool2dReverse");
  core.conv2d = (
    y: number, x: number, f: number, s: number, rows: number,
    n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, cout: number, keep: number,
  ): void => {
    const k = kh * kw * c;
    const count = images(n, oh * ow * cout, k);
    if (count === 0) return raw.conv2d(y, x, f, s, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, keep);
    for (let q = 0; q < count; q++) {
      const n0 = pool.edges[q]!, n1 = pool.edges[q + 1]!;
      pool.add(CONV, y + 4 * n0 * oh * ow * cout, x + 4 * n0 * h * w * c, f, keep ? s + 4 * n0 * oh * ow * k : s, rows, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout, keep);
      if (!keep && rows > 0) pool.perThread(3, 4 * rows * k);
    }
    pool.run();
  };
  core.conv2dInputGrad = (
    dx: number, dy: number, f: number, s: number, rows: number,
    n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, cout: number,
  ): void => {
    const k = kh * kw * c;
    const count = images(n, oh * ow * cout, k);
    if (count === 0) return raw.conv2dInputGrad(dx, dy, f, s, rows, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout);
    for (let q = 0; q < count; q++) {
      const n0 = pool.edges[q]!, n1 = pool.edges[q + 1]!;
      pool.add(CONV_INPUT, dx + 4 * n0 * h * w * c, dy + 4 * n0 * oh * ow * cout, f, s, rows, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, cout);
      pool.perThread(3, 4 * rows * k);
    }
    pool.run();
  };
  core.maxPool2d = (
    y: number, arg: number, x: number,
    n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
  ): void => {
    const count = images(n, oh * ow * c, kh * kw);
    if (count === 0) return raw.maxPool2d(y, arg, x, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
    const o = oh * ow * c, i = h * w * c;
    for (let q = 0; q < count; q++) {
      const n0 = pool.edges[q]!, n1 = pool.edges[q + 1]!;
      pool.add(MAX, y + 4 * n0 * o, arg + 4 * n0 * o, x + 4 * n0 * i, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
    }
    pool.run();
  };
  core.maxPool2dReverse = (dx: number, arg: number, dy: number, n: number, inSize: number, outSize: number): void => {
    const count = images(n, outSize, 1);
    if (count === 0) return raw.maxPool2dReverse(dx, arg, dy, n, inSize, outSize);
    for (let q = 0; q < count; q++) {
      const n0 = pool.edges[q]!, n1 = pool.edges[q + 1]!;
      pool.add(MAX_REVERSE, dx + 4 * n0 * inSize, arg + 4 * n0 * outSize, dy + 4 * n0 * outSize, n1 - n0, inSize, outSize);
    }
    pool.run();
  };
  const pools = ["avgPool2d", "avgPool2dReverse"] as const;
  for (let reverse = 0; reverse < pools.length; reverse++) {
    const name = pools[reverse]!;
    const whole = raw[name], kernel = index(name);
    core[name] = (
      out: number, input: number,
      n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
    ): void => {
      const count = images(n, oh * ow * c, kh * kw);
      if (count === 0) return whole(out, input, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      // forward: out is y, input is x; reverse: out is dx, input is dy
      const so = reverse ? h * w * c : oh * ow * c, si = reverse ? oh * ow * c : h * w * c;
      for (let q = 0; q < count; q++) {
        const n0 = pool.edges[q]!, n1 = pool.edges[q + 1]!;
        pool.add(kernel, out + 4 * n0 * so, input + 4 * n0 * si, n1 - n0, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
      }
      pool.run();
    };
  }

  // Runs of elements, cut at multiples of 16 floats (whole vectors and cache
  // lines), and runs of rows. Their kernels take at most 10 arguments; a call
  // passes all 10 (wasm ignores the extra ones), and nothing is allocated.
  const given = new Float64Array(10), piece = new Float64Array(10);
  const cutArrays = (kernel: number, isArray: Uint8Array, at: number, total: number, unit: number, p: number, align: number): void => {
    const count = pool.cut(total, align, p, piecesForWork(p, total * unit, THRESHOLDS.elements)), e = pool.edges;
    for (let q = 0; q < count; q++) {
      const from = e[q]!, to = e[q + 1]!;
      for (let i = 0; i < 10; i++) piece[i] = i === at ? to - from : isArray[i] ? given[i]! + 4 * from * unit : given[i]!;
      pool.add(kernel, piece[0], piece[1], piece[2], piece[3], piece[4], piece[5], piece[6], piece[7], piece[8], piece[9]);
    }
    pool.run();
  };
  // (arguments past a kernel's own are undefined: they become 0, not NaN,
  // since passing NaN on would box it, one allocation per call)
  const take = (
    a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number,
  ): void => {
    given[0] = a0;
    given[1] = a1;
    given[2] = a2 ?? 0;
    given[3] = a3 ?? 0;
    given[4] = a4 ?? 0;
    given[5] = a5 ?? 0;
    given[6] = a6 ?? 0;
    given[7] = a7 ?? 0;
    given[8] = a8 ?? 0;
    given[9] = a9 ?? 0;
  };
  const mask = (arrays: readonly number[]): Uint8Array => {
    const m = new Uint8Array(10);
    for (let i = 0; i < arrays.length; i++) m[arrays[i]!] = 1;
    return m;
  };
  const elementwise = (name: string, arrays: readonly number[], at: number): void => {
    const whole = rawKernels[name]!;
    const kernel = index(name), isArray = mask(arrays);
    core[name] = (
      a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number,
    ): unknown => {
      take(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
      const n = given[at]!;
      const p = threadsFor(n, THRESHOLDS.elements);
      if (p < 2) return whole(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
      cutArrays(kernel, isArray, at, n, 1, p, 16);
      return undefined;
    };
  };
  const rowwise = (name: string, arrays: readonly number[], at: number): void => {
    const whole = rawKernels[name]!;
    const kernel = index(name), isArray = mask(arrays);
    core[name] = (a0: number, a1: number, a2: number, a3: number, a4: number): unknown => {
      take(a0, a1, a2, a3, a4, 0, 0, 0, 0, 0);
      const rows = given[at]!, cols = given[at + 1]!;
      const p = threadsFor(rows * cols, THRESHOLDS.elements);
      if (p < 2 || rows < 2) return whole(a0, a1, a2, a3, a4);
      cutArrays(kernel, isArray, at, rows, cols, p, 1);
      return undefined;
    };
  };
  // (plain loops over the table: a first call of Object.entries or flatMap costs JavaScriptCore a millisecond at a cold start)
  for (const name in cuts) {
    const cut = cuts[name as keyof typeof cuts];
    if ("elements" in cut) elementwise(name, cut.elements, cut.count);
    else if ("rows" in cut) rowwise(name, cut.rows, cut.at);
  }
  // a batch's bias gradient: groups of 4 columns (each column is summed on its
  // own, rows in order, wherever the groups are cut). Every piece reads every
  // row, but the sum of one column group is a chain of dependent adds, so two
  // chains side by side finish in about half the time.
  const SUM_ROWS = index("sumRowsPart");
  core.sumRows = (out: number, x: number, rows: number, cols: number): void => {
    const p = threadsFor(rows * cols, THRESHOLDS.elements);
    if (p < 2 || cols < 8) return raw.sumRows(out, x, rows, cols);
    const count = pool.cut(cols, 4, p, piecesForWork(p, rows * cols, THRESHOLDS.elements)), e = pool.edges;
    for (let q = 0; q < count; q++) pool.add(SUM_ROWS, out, x, rows, cols, e[q]!, e[q + 1]!);
    pool.run();
  };
  // causal softmax: runs of whole t x t blocks (a row's mask depends on its row mod t)
  const CAUSAL = index("causalSoftmax");
  core.causalSoftmax = (y: number, x: number, rows: number, t: number): void => {
    const p = threadsFor(rows * t, THRESHOLDS.elements);
    const blocks = rows / t;
    if (p < 2 || blocks < 2) return raw.causalSoftmax(y, x, rows, t);
    const count = pool.cut(blocks, 1, p, piecesForWork(p, rows * t, THRESHOLDS.elements)), e = pool.edges;
    for (let q = 0; q < count; q++) {
      const b0 = e[q]!, b1 = e[q + 1]!;
      pool.add(CAUSAL, y + 4 * b0 * t * t, x + 4 * b0 * t * t, (b1 - b0) * t, t);
    }
    pool.run();
  };
  // every kernel declared to have a cut of its own has its code above
  for (const name in cuts) {
    const cut = cuts[name as keyof typeof cuts];
    if ("own" in cut && core[name] === rawKernels[name]) throw new Error(`threads: ${name} is declared cut (${cut.own}) but has no cut`);
  }
  return core as unknown as Core;
}
