// What the runtime offers threads, asked before any thread code is loaded
// (start.ts and what it imports come as a chunk of their own, fetched only
// for a threaded engine, so this file must not share a module with them).
// Node, Deno and Bun have node:worker_threads; it is loaded when the first
// worker starts, never at init: in Deno even reading the `process` global
// loads its Node layer, ~30 ms of a cold start.
import { platform, platformNames } from "../platform.ts";

/** The most threads an engine may run (the calling thread and protocol.ts's MAX_WORKERS workers). */
export const MAX_THREADS = 64;

/** The node:worker_threads module of Node and Deno, as the pool uses it. */
export interface WorkerThreads {
  Worker: new (source: string, options: { eval: true }) => {
    postMessage(message: unknown): void;
    terminate(): unknown;
    unref(): void;
    on(event: "error", listener: (err: unknown) => void): void;
  };
}

function builtin<T>(name: string): T | undefined {
  return builtins()?.(name) as T | undefined;
}

/** Whether this runtime has node:worker_threads (Node, Deno, Bun), asked without loading anything. */
function hasWorkerThreads(): boolean {
  const p = platform();
  return p === "node" || p === "deno" || p === "bun";
}

/** Node's, Deno's and Bun's way to load a built-in module, or undefined elsewhere. */
function builtins(): ((name: string) => unknown) | undefined {
  if (!hasWorkerThreads()) return undefined;
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === "function" ? proc.getBuiltinModule.bind(proc) : undefined;
}

/** Node's and Deno's worker_threads, or undefined in a browser. */
export function workerThreads(): WorkerThreads | undefined {
  return builtin<WorkerThreads>("node:worker_threads");
}

/** The logical cores this runtime reports, or 1 if it says nothing. */
export function availableCores(): number {
  // Deno and Bun report their cores on navigator, as browsers do (loading node:os costs Bun ~0.8 ms)
  const os = platform() === "node" ? builtin<{ availableParallelism?(): number; cpus(): unknown[] }>("node:os") : undefined;
  if (os !== undefined) return os.availableParallelism?.() ?? os.cpus().length;
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 1;
}

/**
 * Why this runtime cannot share memory with workers, or undefined if it can.
 * Node, Deno and Bun always can; a browser only on a cross-origin-isolated page.
 */
export function sharingRefused(): string | undefined {
  // not workerThreads(): loading the module takes ~2 ms of a cold start, and it is needed only when a worker starts
  if (hasWorkerThreads()) return undefined;
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean };
  const p = platform();
  if (p === "workerd" || p === "edge-light") return `${platformNames[p]} has no workers to share memory with`;
  if (typeof SharedArrayBuffer === "undefined" || g.crossOriginIsolated === false) {
    return "this page is not cross-origin isolated, so it cannot share memory with workers (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  return g.Worker === undefined ? "this runtime has no workers" : undefined;
}
