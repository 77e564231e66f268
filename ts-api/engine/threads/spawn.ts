// Where threads come from in each runtime. Node and Deno both have
// node:worker_threads, whose workers can be unref'd, so a script that never
// stops its pool still exits when its work is done; browsers have Worker,
// started from a Blob URL so that nothing needs to be served.
import type { WorkerThreads } from "./runtime.ts";
import { workerSource } from "./worker.ts";

/** A started worker: send it its start message, or stop it for good. */
export interface WorkerHandle {
  post(message: unknown): void;
  terminate(): void;
}

/** Starts workers running the pool's program, in whichever way the runtime offers. */
export type Spawner = () => WorkerHandle;

/** How to start workers: with worker_threads where given (Node, Deno), else a web Worker. */
export function spawner(kernels: readonly string[], threads: WorkerThreads | undefined): Spawner {
  if (threads !== undefined) {
    const source = workerSource(kernels, true);
    return () => {
      const w = new threads.Worker(source, { eval: true });
      w.unref();
      // a worker that fails to start leaves its share to the others (the caller runs what no worker claims)
      w.on("error", () => {});
      return { post: (m) => w.postMessage(m), terminate: () => void w.terminate() };
    };
  }
  const WorkerClass = (globalThis as unknown as { Worker: new (url: string) => Worker }).Worker;
  const url = URL.createObjectURL(new Blob([workerSource(kernels, false)], { type: "text/javascript" }));
  return () => {
    const w = new WorkerClass(url);
    return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
  };
}
