// The engine's threads as a user sees them: how many run and why, changing
// the count, clear errors for bad counts, and results that do not depend on
// the count (the cut of each call is over outputs, never a summation).
// threads.node.test.ts checks whole training runs at 1, 2 and 16 threads in
// every runtime.
import { compile, conv2d, dense, engine, flatten, init, maxPool2d, seq, initialisers, layers } from "../ts-api/index.ts";
import { type Engine } from "../ts-api/engine/engine.ts";
import { createEngine, threadsBehind } from "../ts-api/engine/init.ts";
import { MAX_TASKS, MAX_WORKERS } from "../ts-api/engine/threads/protocol.ts";
import { MAX_THREADS } from "../ts-api/engine/threads/runtime.ts";
import { cutRuns, runStart, runs } from "../ts-api/engine/threads/pool.ts";
import { PIECES, THRESHOLDS, piecesForWork, threadsForWork } from "../ts-api/engine/threads/split.ts";
import { FIRST_BACKOFF, LATE_SPINS, Lateness, MAX_BACKOFF, SPINS_PER_UNIT } from "../ts-api/engine/threads/late.ts";
import { assert, assertEqual, assertThrows } from "./assert.ts";
import { runtime, test } from "./harness.ts";

await init();
// (on a page the thread code loads after init: these tests compare one thread with all of them)
await engine().threadsReady();

test("engine().threads says how many threads run and why; Node, Deno and an isolated page run on every core", () => {
  const { count, max, reason } = engine().threads;
  assert(Number.isInteger(count) && count >= 1 && count <= max && max <= MAX_THREADS, `count ${count}, max ${max}`);
  assert(reason.length > 0, "a reason is given");
  const cores = runtime === "browser" ? navigator.hardwareConcurrency : undefined;
  if (runtime !== "browser" || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    if ((cores ?? 2) >= 2) assert(max >= 2, `threaded where memory can be shared (${reason})`);
  }
  assertEqual(MAX_THREADS, MAX_WORKERS + 1, "the engine's limit is the pool's workers plus the calling thread");
});

test("setThreads takes 1 to threads.max and names a bad count; init cannot switch counts", async () => {
  const { max } = engine().threads;
  for (const bad of [0, -1, 1.5, max + 1, Number.NaN]) {
    assertThrows(() => engine().setThreads(bad), new RegExp(`setThreads: count must be a whole number from 1 to ${max} .*got ${String(bad)}`));
  }
  engine().setThreads(1);
  assertEqual(engine().threads.count, 1, "set to one");
  engine().setThreads(max);
  assertEqual(engine().threads.count, max, "and back");
  let message = "";
  await init({ threads: max === 1 ? 2 : 1 }).catch((e: Error) => (message = e.message));
  assert(/already initialised.*setThreads/.test(message), `init with another thread count is refused: "${message}"`);
});

test("runs cut a length into nearly equal runs of whole units, at most one per part", () => {
  const cut = (total: number, parts: number, align: number): [number, number][] => {
    const count = runs(total, parts, align);
    return Array.from({ length: count }, (_, q) => [runStart(total, count, align, q), runStart(total, count, align, q + 1)]);
  };
  assertEqual(JSON.stringify(cut(10, 3, 4)), JSON.stringify([[0, 4], [4, 8], [8, 10]]), "10 in fours");
  assertEqual(JSON.stringify(cut(5, 8, 1)), JSON.stringify([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]), "more parts than units");
  assertEqual(JSON.stringify(cut(64, 2, 16)), JSON.stringify([[0, 32], [32, 64]]), "halves");
  for (const [total, parts, align] of [[1000, 7, 16], [3, 2, 4], [784, 16, 4], [49, 8, 1]] as const) {
    const r = cut(total, parts, align);
    assertEqual(r[0]![0], 0, "starts at 0");
    assertEqual(r[r.length - 1]![1], total, "ends at the total");
    r.forEach(([a, b], i) => {
      assert(b > a && (i === 0 || a === r[i - 1]![1]) && (b === total || b % align === 0), `run ${i} of ${total}/${parts}/${align}: [${a}, ${b})`);
    });
  }
});

test("a call goes to as many threads as give each piece half a threshold's work", () => {
  const t = THRESHOLDS.gemm;
  assertEqual(threadsForWork(2, t - 1, t), 1, "two threads: below the threshold, whole");
  assertEqual(threadsForWork(2, t, t), 2, "two threads: cut at the threshold");
  assertEqual(threadsForWork(16, t, t), 2, "sixteen threads: a threshold's work goes to two");
  assertEqual(threadsForWork(16, 4 * t, t), 8, "four thresholds to eight");
  assertEqual(threadsForWork(16, 64 * t, t), 16, "and a large call to all of them");
  assertEqual(threadsForWork(1, 64 * t, t), 1, "one thread is one thread");
});

test("a call is cut into a stretch per thread, each in a few pieces of whole units", () => {
  const edges = new Float64Array(MAX_TASKS + 1), owners = new Int32Array(MAX_TASKS);
  const cut = (total: number, align: number, threads: number, pieces: number): string => {
    const count = cutRuns(total, align, threads, pieces, edges, owners);
    return Array.from({ length: count }, (_, q) => `${owners[q]}:${edges[q]}-${edges[q + 1]}`).join(" ");
  };
  assertEqual(cut(64, 1, 2, 1), "0:0-32 1:32-64", "halves");
  assertEqual(cut(64, 1, 2, 4), "0:0-8 0:8-16 0:16-24 0:24-32 1:32-40 1:40-48 1:48-56 1:56-64", "each half in four, thread 0 first");
  assertEqual(cut(100, 16, 2, 2), "0:0-32 0:32-64 1:64-96 1:96-100", "on whole runs of 16 (7 runs, the last short)");
  assertEqual(cut(3, 1, 2, 8), "0:0-1 0:1-2 1:2-3", "no piece is empty");
  assertEqual(cut(2, 1, 4, 8), "0:0-1 1:1-2", "nor is any stretch: fewer threads take part");
  for (const [total, align, threads, pieces] of [[1000, 16, 7, 8], [784, 4, 16, 8], [49, 1, 3, 8], [5, 4, 2, 8]] as const) {
    const count = cutRuns(total, align, threads, pieces, edges, owners);
    assert(edges[0] === 0 && edges[count] === total, `${total}/${align}/${threads}/${pieces}: covers 0..${total}`);
    for (let q = 0; q < count; q++) {
      const [a, b] = [edges[q]!, edges[q + 1]!];
      assert(b > a && (b === total || b % align === 0), `run ${q} of ${total}/${align}/${threads}/${pieces}: [${a}, ${b})`);
      assert(q === 0 || owners[q] === owners[q - 1] || owners[q] === owners[q - 1]! + 1, `run ${q}: a thread's runs are one stretch`);
    }
    const perThread = Array.from({ length: threads }, (_, t) => owners.subarray(0, count).filter((o) => o === t).length);
    assert(perThread.every((k) => k <= pieces), `at most ${pieces} pieces a thread: ${perThread}`);
  }
});

test("a thread's stretch is cut in up to PIECES pieces of at least half a threshold", () => {
  const t = THRESHOLDS.elements;
  assertEqual(piecesForWork(2, t, t), 1, "a threshold on two threads: one piece each");
  assertEqual(piecesForWork(2, 4 * t, t), 4, "four thresholds: four each");
  assertEqual(piecesForWork(2, 100 * t, t), PIECES, "a large call: PIECES each");
  assertEqual(piecesForWork(16, t, t), 1, "a threshold on sixteen threads: one each (on two of them: threadsForWork)");
});

test("a CNN's forward and reverse pass give the same bits on one thread and on all of them", () => {
  const { max } = engine().threads;
  const model = seq(conv2d({ filters: 6, kernel: 3, padding: "same" }), layers.relu, maxPool2d(2), conv2d({ filters: 12, kernel: 3 }), layers.relu, flatten, dense(10 * 10 * 12, 20)).at([24, 24, 3]);
  const plan = compile(model, { batch: 16, changes: "params", seed: 2 });
  const rng = new initialisers.Rng(9);
  plan.inputs[0]!.set(Float32Array.from({ length: plan.inputs[0]!.size }, () => rng.normal()));
  const runAt = (count: number): Float32Array[] => {
    engine().setThreads(count);
    plan.forward();
    const y = plan.outputs[0]!.toArray();
    plan.outputChanges[0]!.set(Float32Array.from({ length: y.length }, (_, i) => Math.sin(i)));
    plan.reverse();
    return [y, ...plan.paramChanges.map((t) => t!.toArray())];
  };
  const one = runAt(1);
  const all = runAt(max);
  engine().setThreads(max);
  one.forEach((a, i) => {
    const b = all[i]!;
    assert(a.length === b.length && a.every((v, j) => Object.is(v, b[j])), `output ${i} is the same at 1 and ${max} threads`);
  });
  plan.dispose();
});

test("products give the same bits on one thread and on all, cut over C (rows, columns or a grid of column blocks) or over K, with and without accumulate", () => {
  const e = engine();
  const { max } = e.threads;
  const rng = new initialisers.Rng(4);
  for (const [m, n, k] of [[5, 7, 3000], [33, 17, 1100], [64, 64, 4096], [200, 150, 300], [301, 1000, 270], [130, 512, 40]] as const) {
    const a = e.tensor([m * k], Float32Array.from({ length: m * k }, () => rng.normal()));
    const b = e.tensor([k * n], Float32Array.from({ length: k * n }, () => rng.normal()));
    const start = Float32Array.from({ length: m * n }, () => rng.normal());
    const c = e.tensor([m * n]);
    for (const kernel of ["gemmNN", "gemmNT", "gemmTN"] as const) {
      for (const acc of [0, 1]) {
        const at = (count: number): Float32Array => {
          e.setThreads(count);
          c.data.set(start);
          e.core[kernel](c.offset, a.offset, b.offset, m, n, k, acc);
          return c.toArray();
        };
        const [one, all] = [at(1), at(max)];
        assert(one.every((v, i) => Object.is(v, all[i])), `${kernel} ${m}x${n}x${k} accumulate ${acc}: the same bits at 1 and ${max} threads`);
      }
    }
    for (const t of [a, b, c]) t.dispose();
  }
  e.setThreads(max);
});

test("a kernel that traps on a worker is a clear error, the pool still works after it, and stopThreads leaves one thread", async () => {
  const e = await createEngine({ threads: 2 });
  assertEqual(e.threads.max, runtime === "browser" && !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? 1 : 2, "a second engine with two threads");
  if (e.threads.max < 2) return;
  await e.threadsReady();
  const n = 256;
  const a = e.tensor([n * n], Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3));
  const c = e.tensor([n * n]);
  // B lies past the end of memory: every piece of the product traps
  const outside = e.memory.buffer.byteLength + 4096;
  // (the message is the trap's own, from whichever thread ran the piece)
  assertThrows(() => e.core.gemmNN(c.offset, a.offset, outside, n, n, n, 0), /kernel gemmPart failed: .*out of bounds/);
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  const first = c.toArray();
  e.setThreads(1);
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  assert(first.every((v, i) => Object.is(v, c.data[i])), "after the error, a product on the pool matches one on the calling thread");
  e.setThreads(2);
  e.stopThreads();
  assertEqual(e.threads.count, 1, "one thread after stopThreads");
  assert(/stopThreads/.test(e.threads.reason), `the reason says so: "${e.threads.reason}"`);
  assertThrows(() => e.setThreads(2), /setThreads: count must be a whole number from 1 to 1/);
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  assert(first.every((v, i) => Object.is(v, c.data[i])), "and the same product on the calling thread alone");
});

/** Whether this runtime can share memory with workers (a page only when cross-origin isolated). */
const canShare = (): boolean => typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
const onShared = (e: Engine): boolean => Object.prototype.toString.call(e.memory.buffer) === "[object SharedArrayBuffer]";

test("an engine that starts on one thread (a page's) moves onto threads when they arrive, every tensor where it was", async () => {
  if (!canShare()) return;
  const e = await threadsBehind(false, 2, 256, "two threads, the thread code loading behind");
  assertEqual(e.threads.count, 2, "it says how many threads will run");
  assert(!onShared(e), "until they arrive, the one-thread core runs on its own memory");
  const n = 256;
  const a = e.tensor([n * n], Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3));
  const c = e.tensor([n * n]);
  const table = e.core;
  const oneThread = e.core.gemmNN;
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  const before = c.toArray();
  const kept = c.data;
  const stats = e.stats();
  const threads = await e.threadsReady();
  assertEqual(threads.count, 2, `two threads once they arrive (${threads.reason})`);
  assert(onShared(e), "the engine runs on shared memory");
  assert(e.core === table && e.core.gemmNN !== oneThread, "the same kernel table, holding the threaded core's kernels");
  assertEqual(kept.length, 0, "a view kept from before reads as empty (the old memory is detached), as after the memory grows");
  assert(before.every((v, i) => Object.is(v, c.data[i])), "every tensor keeps its values at its offset");
  assertEqual(JSON.stringify(e.stats()), JSON.stringify({ ...stats, reservedBytes: e.memory.buffer.byteLength }), "the arena holds the same blocks");
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  assert(before.every((v, i) => Object.is(v, c.data[i])), "a product on the pool gives the bits it gave on one thread");
  // B past the end of memory: the product traps in its pieces, so it was cut across the pool
  assertThrows(() => e.core.gemmNN(c.offset, a.offset, e.memory.buffer.byteLength + 4096, n, n, n, 0), /kernel gemmPart failed/);
  const more = e.tensor([4], [1, 2, 3, 4]);
  assertEqual(Array.from(more.toArray()).join(), "1,2,3,4", "the arena goes on allocating in the new memory");
  e.stopThreads();
});

test("an engine that starts on one thread and makes no tensor before the threads arrive moves all the same", async () => {
  if (!canShare()) return;
  const e = await threadsBehind(false, 2, 256, "two threads, the thread code loading behind");
  const threads = await e.threadsReady();
  assertEqual(threads.count, 2, `two threads (${threads.reason})`);
  assert(onShared(e), "the engine runs on shared memory");
  const t = e.tensor([4], [1, 2, 3, 4]);
  assertEqual(Array.from(t.toArray()).join(), "1,2,3,4", "and allocates in it");
  e.stopThreads();
});

test("stopThreads before the threads arrive keeps the engine on one thread", async () => {
  if (!canShare()) return;
  const e = await threadsBehind(false, 2, 256, "two threads, the thread code loading behind");
  const t = e.tensor([3], [1, 2, 3]);
  e.stopThreads();
  const threads = await e.threadsReady();
  assertEqual(threads.count, 1, "one thread");
  assert(/stopThreads/.test(threads.reason), `the reason says so: "${threads.reason}"`);
  assert(!onShared(e), "and its own memory");
  assertEqual(Array.from(t.toArray()).join(), "1,2,3", "with its tensors as they were");
});

test("lateness: a late call sends the next calls alone, twice as many each late call in a row, fewer after calls on time", () => {
  const l = new Lateness();
  const aloneRun = (): number => {
    let k = 0;
    while (l.alone()) k++;
    return k;
  };
  assertEqual(aloneRun(), 0, "no back-off before any late call");
  l.waited(LATE_SPINS);
  assertEqual(aloneRun(), 0, "a wait of LATE_SPINS is on time");
  l.waited(LATE_SPINS + 1);
  assertEqual(aloneRun(), FIRST_BACKOFF);
  l.waited(LATE_SPINS + 1);
  assertEqual(aloneRun(), 2 * FIRST_BACKOFF, "late again: twice as long");
  for (let i = 0; i < 20; i++) l.waited(LATE_SPINS + 1);
  assertEqual(aloneRun(), MAX_BACKOFF, "never longer than MAX_BACKOFF");
  for (let i = 0; i < 20; i++) l.waited(10);
  l.waited(LATE_SPINS + 1);
  assertEqual(aloneRun(), FIRST_BACKOFF, "calls on time ease it back to the first back-off");
  // a call whose threads each have 100 thresholds of work may wait that much longer: its pieces are long
  l.share(100);
  l.waited(LATE_SPINS + 100 * SPINS_PER_UNIT);
  assertEqual(aloneRun(), 0, "a wait within a large call's allowance is on time");
  l.waited(LATE_SPINS + 100 * SPINS_PER_UNIT + 1);
  assertEqual(aloneRun(), FIRST_BACKOFF, "and past it late");
});

test("after a late call a threaded engine runs the next large calls on the calling thread, with the same bits", async () => {
  if (!canShare()) return;
  const e = await createEngine({ threads: 2 });
  await e.threadsReady();
  const pool = (e as unknown as { pool: { workerTasks: number; lateness: Lateness } }).pool;
  const n = 256;
  const a = e.tensor([n * n], Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 11) - 5));
  const c = e.tensor([n * n]);
  e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
  const want = c.toArray();
  // (a call on a busy machine may itself have been late: the back-off then lasts longer, never shorter)
  pool.lateness.waited(Infinity);
  const before = pool.workerTasks;
  for (let i = 0; i < FIRST_BACKOFF; i++) {
    c.data.fill(0);
    e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
    assert(c.toArray().every((v, j) => Object.is(v, want[j])), `call ${i} alone gives the threaded call's bits`);
  }
  assertEqual(pool.workerTasks, before, "no task reached a worker while backing off");
  e.stopThreads();
});

test("the workers take part: tasks the calling thread leaves run on them, by the code both sides share", async () => {
  if (!canShare()) return;
  const e = await createEngine({ threads: 2 });
  await e.threadsReady();
  const pool = (e as unknown as { pool: { workerTasks: number } }).pool;
  const n = 256;
  const a = e.tensor([n * n], Float32Array.from({ length: n * n }, (_, i) => (i % 5) - 2));
  const c = e.tensor([n * n]);
  const started = Date.now();
  // the first products may all run on the calling thread while the worker starts
  while (pool.workerTasks === 0 && Date.now() - started < 10_000) {
    e.core.gemmNN(c.offset, a.offset, a.offset, n, n, n, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert(pool.workerTasks > 0, `a worker ran ${pool.workerTasks} tasks in 10 s of products`);
  e.stopThreads();
});
