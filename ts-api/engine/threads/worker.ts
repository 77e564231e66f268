// The program every worker of the pool runs, as source text: it is started
// from a string (Node and Deno: worker_threads with eval; browsers: a Blob
// URL), so it must not import anything and needs no file of its own to be
// served. It instantiates the threaded core on the shared memory, moves its
// GEMM scratch to the block it was given, then claims and runs tasks until
// its stop flag is set (protocol.ts). Between dispatches it spins for a while,
// since in a training step the next large call comes within microseconds,
// then sleeps in Atomics.wait until the caller publishes more work.
import { CLAIM, DONE, FAILED, INDEX_BITS, INDEX_MASK, SLEEPERS, STOP, TASKS_BYTE, TASK_STRIDE } from "./protocol.ts";

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
  const args = Array.from({ length: TASK_STRIDE - 1 }, (_, i) => `t[b + ${i + 1}]`).join(", ");
  return `"use strict";
const names = ${JSON.stringify(kernels)};
function serve(d) {
  const exports = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  exports.useScratch(d.scratch);
  const kernels = names.map((n) => exports[n]);
  const ctl = new Int32Array(d.control);
  const t = new Float64Array(d.control, ${TASKS_BYTE});
  const stop = ${STOP} + d.id;
  for (;;) {
    let seen;
    for (;;) {
      const w = Atomics.load(ctl, ${CLAIM});
      const next = w & ${INDEX_MASK};
      if (next >= ((w >>> ${INDEX_BITS}) & ${INDEX_MASK})) { seen = w; break; }
      if (Atomics.compareExchange(ctl, ${CLAIM}, w, w + 1) !== w) continue;
      const b = next * ${TASK_STRIDE};
      try {
        kernels[t[b]](${args});
      } catch {
        Atomics.compareExchange(ctl, ${FAILED}, 0, next + 1);
      }
      Atomics.add(ctl, ${DONE}, 1);
    }
    for (let i = 0; i < d.spin && Atomics.load(ctl, ${CLAIM}) === seen; i++);
    if (Atomics.load(ctl, stop) !== 0) return;
    if (Atomics.load(ctl, ${CLAIM}) === seen) {
      Atomics.add(ctl, ${SLEEPERS}, 1);
      Atomics.wait(ctl, ${CLAIM}, seen);
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
