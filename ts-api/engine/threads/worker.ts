// The program every worker of the pool runs, as source text: it is started
// from a string (Node and Deno: worker_threads with eval; browsers: a Blob
// URL), so it must not import anything and needs no file of its own to be
// served. It instantiates the threaded core on the shared memory, moves its
// GEMM scratch to the block it was given, then claims and runs tasks until
// its stop flag is set (protocol.ts). Between dispatches it spins for a while,
// since in a training step the next large call comes within microseconds,
// then sleeps in Atomics.wait until the caller publishes more work.
import {
  CLAIMS, DONE, FAILED, INDEX_BITS, INDEX_MASK, MESSAGE_BYTE, MESSAGE_LENGTH, MESSAGE_UNITS, OWNER, PARTS, PUBLISH, SCRATCH_ARG,
  SCRATCH_BYTES, SLEEPERS, STOP, TASKS_BYTE, TASK_STRIDE,
} from "./protocol.ts";

/** What a worker is sent once, to start. */
export interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  /** The worker's index (its stop flag is STOP + id). */
  readonly id: number;
  /** Byte offset of the worker's GEMM scratch (useScratch). */
  readonly scratch: number;
  /** Spins of the idle loop before sleeping. */
  readonly spin: number;
}

/** The worker program for `kernels` (task i's first number indexes this list). */
export function workerSource(kernels: readonly string[], nodeStyle: boolean): string {
  const args = Array.from({ length: OWNER - 1 }, (_, i) => `t[b + ${i + 1}]`).join(", ");
  return `"use strict";
const names = ${JSON.stringify(kernels)};
function serve(d) {
  const exports = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  exports.useScratch(d.scratch);
  const kernels = names.map((n) => exports[n]);
  const ctl = new Int32Array(d.control);
  const message = new Uint16Array(d.control, ${MESSAGE_BYTE}, ${MESSAGE_UNITS});
  const t = new Float64Array(d.control, ${TASKS_BYTE});
  const me = d.id + 1, stop = ${STOP} + d.id;
  // runs task q if it is still open in generation gen (and counts it done); false when another thread has it
  function take(q, gen) {
    if (Atomics.compareExchange(ctl, ${CLAIMS} + q, gen << 1, (gen << 1) | 1) !== gen << 1) return false;
    const b = q * ${TASK_STRIDE};
    // a scratch argument moves to this thread's block (the task is this thread's alone now)
    const s = t[b + ${SCRATCH_ARG}];
    if (s !== 0) t[b + s] += me * t[b + ${SCRATCH_BYTES}];
    try {
      kernels[t[b]](${args});
    } catch (err) {
      if (Atomics.compareExchange(ctl, ${FAILED}, 0, q + 1) === 0) {
        const text = String(err && err.message !== undefined ? err.message : err);
        const n = Math.min(text.length, ${MESSAGE_UNITS});
        for (let i = 0; i < n; i++) message[i] = text.charCodeAt(i);
        Atomics.store(ctl, ${MESSAGE_LENGTH}, n);
      }
    }
    Atomics.add(ctl, ${DONE}, 1);
    return true;
  }
  let seen = -1;
  for (;;) {
    const w = Atomics.load(ctl, ${PUBLISH});
    if (w !== seen) {
      seen = w;
      const gen = w >>> ${INDEX_BITS}, n = w & ${INDEX_MASK}, parts = Atomics.load(ctl, ${PARTS});
      if (me < parts) {
        // its own tasks first, in order, then any still open, from the last one back
        for (let q = 0; q < n; q++) if (t[q * ${TASK_STRIDE} + ${OWNER}] === me) take(q, gen);
        for (let q = n - 1; q >= 0; q--) if (t[q * ${TASK_STRIDE} + ${OWNER}] !== me) take(q, gen);
      }
      continue;
    }
    for (let i = 0; i < d.spin && Atomics.load(ctl, ${PUBLISH}) === seen; i++);
    if (Atomics.load(ctl, stop) !== 0) return;
    if (Atomics.load(ctl, ${PUBLISH}) === seen) {
      Atomics.add(ctl, ${SLEEPERS}, 1);
      Atomics.wait(ctl, ${PUBLISH}, seen);
      Atomics.sub(ctl, ${SLEEPERS}, 1);
      if (Atomics.load(ctl, stop) !== 0) return;
    }
  }
}
${
  nodeStyle
    ? `require("node:worker_threads").parentPort.once("message", (d) => serve(d));`
    : `self.onmessage = (e) => { serve(e.data); self.close(); };`
}
`;
}
