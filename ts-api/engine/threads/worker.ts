// The program every worker of the pool runs, as source text: it is started
// from a string (Node and Deno: worker_threads with eval; browsers: a Blob
// URL), so it must not import anything and needs no file of its own to be
// served. It instantiates the threaded core on the shared memory, moves its
// GEMM scratch to the block it was given, then takes and runs tasks until
// its stop flag is set (protocol.ts), with the calling thread's own code for
// it (tasks.ts: its source is part of this program). Between dispatches it spins for a few microseconds,
// since in a training step the next large call comes within microseconds,
// then sleeps in Atomics.wait until the caller publishes more work.
import { INDEX_BITS, INDEX_MASK, MESSAGE_BYTE, MESSAGE_UNITS, PARTS, PUBLISH, SLEEPERS, SLOTS, STOP, TASKS_BYTE } from "./protocol.ts";
import { takeTasks } from "./tasks.ts";

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
  return `"use strict";
const names = ${JSON.stringify(kernels)};
const takeTasks = (${takeTasks.toString()});
function serve(d) {
  const exports = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  exports.useScratch(d.scratch);
  const ctl = new Int32Array(d.control);
  const side = {
    ctl, table: new Float64Array(d.control, ${TASKS_BYTE}), message: new Uint16Array(d.control, ${MESSAGE_BYTE}, ${MESSAGE_UNITS}),
    kernels: names.map((n) => exports[n]), me: d.id + 1, slots: ${JSON.stringify(SLOTS)},
  };
  const stop = ${STOP} + d.id;
  let seen = -1;
  for (;;) {
    const w = Atomics.load(ctl, ${PUBLISH});
    if (w !== seen) {
      seen = w;
      if (side.me < Atomics.load(ctl, ${PARTS})) takeTasks(side, w & ${INDEX_MASK}, w >>> ${INDEX_BITS});
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
