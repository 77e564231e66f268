// The TensorFlow.js peer, in Node: the wasm backend (XNNPACK, SIMD, one
// thread: the threaded build needs workers Node does not give it) with its
// .wasm files read from node_modules, or the plain JavaScript cpu backend.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export type Tf = typeof import("@tensorflow/tfjs");

/** TensorFlow.js with the given backend made current and ready. */
export async function loadTf(backend: "wasm" | "cpu"): Promise<Tf> {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm")));
    wasm.setWasmPaths(dist + "/");
  } else {
    await import("@tensorflow/tfjs-backend-cpu");
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js: the ${backend} backend did not start`);
  await tf.ready();
  return tf;
}
