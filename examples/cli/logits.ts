// Comparing two sets of logits for the same examples: how far apart they are
// and how often their argmax names the label (the interop examples check
// paralens against PyTorch and ONNX Runtime with these).

/** The largest |a[i] - b[i]|; `what` names the caller in the length error. */
export function maxAbsDiff(what: string, a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} logits vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The fraction of rows of `classes` logits whose largest entry is the label. */
export function accuracy(logits: Float32Array, labels: Uint8Array, classes = 10): number {
  let hits = 0;
  for (let n = 0; n < labels.length; n++) {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    if (row.indexOf(Math.max(...row)) === labels[n]) hits++;
  }
  return hits / labels.length;
}
