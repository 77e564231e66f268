// What the machine itself gives a second thread: the peak multiply-add loop
// (no memory traffic, no synchronisation inside it) on the calling thread
// alone, and on the calling thread and a worker at once. On a shared virtual
// machine the second core is not always a whole core; the scaling suite
// prints this beside its workloads so their speedups can be read against it.
import { Worker } from "node:worker_threads";
import { peakMadd, peakWasm } from "./core.ts";

/** A worker that runs the peak loop each time `both` is called, while the calling thread runs it too. */
export function peakPair(rounds: number): { one(): void; both(): void; close(): void } {
  const peak = peakMadd("strict");
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { workerData: { flags, path, rounds } } = require("node:worker_threads");
const peak = new WebAssembly.Instance(new WebAssembly.Module(require("node:fs").readFileSync(path)), {}).exports.peakMadd;
for (;;) {
  Atomics.wait(flags, 0, 0);
  if (Atomics.load(flags, 0) === 2) break;
  peak(rounds, 2);
  Atomics.store(flags, 0, 0);
  Atomics.store(flags, 1, 1);
}`,
    { eval: true, workerData: { flags, path: peakWasm("strict").pathname, rounds } },
  );
  worker.unref();
  return {
    one: () => void peak(rounds, 1),
    both: () => {
      Atomics.store(flags, 1, 0);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      peak(rounds, 1);
      while (Atomics.load(flags, 1) === 0);
    },
    close: () => {
      Atomics.store(flags, 0, 2);
      Atomics.notify(flags, 0);
    },
  };
}
