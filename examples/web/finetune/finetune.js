// Bringing a model in and fine-tuning it, as both the Node example
// (examples/onnx-finetune.ts) and the page beside this file run it: the CNN
// PyTorch trained on the digits 0-4 (examples/torch/digits_cnn.py) is
// imported from its ONNX file with its convolutions frozen, and its head is
// fitted to the digits 5-9. The caller passes the paralens module it loaded,
// so the same steps run on Node's build and on the page's.

/** The imported model's parameters that stay as PyTorch trained them: the two convolutions. */
export const FROZEN = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"];

/** Pixels per image: the model reads [1, 28, 28] (PyTorch's channels first). */
export const PIXELS = 28 * 28;

/**
 * The digits as the examples pass them around: for each of three sets (the
 * new digits to train on, the new digits to test on, the old digits to test
 * on) a u32 count, the labels (one byte each) and the pixels (one byte each,
 * value x 255).
 */
export function encodeDigits(sets) {
  const size = sets.reduce((n, s) => n + 4 + s.labels.length * (1 + PIXELS), 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const { labels, pixels } of sets) {
    view.setUint32(at, labels.length, true);
    bytes.set(labels, at + 4);
    bytes.set(pixels, at + 4 + labels.length);
    at += 4 + labels.length * (1 + PIXELS);
  }
  return bytes;
}

/** The three sets of encodeDigits, images as floats in [0, 1] and labels as class indices. */
export function decodeDigits(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sets = [];
  let at = 0;
  for (let k = 0; k < 3; k++) {
    const n = view.getUint32(at, true);
    const labels = Array.from(bytes.subarray(at + 4, at + 4 + n));
    const x = Float32Array.from(bytes.subarray(at + 4 + n, at + 4 + n + n * PIXELS), (v) => v / 255);
    sets.push({ x, y: labels });
    at += 4 + n * (1 + PIXELS);
  }
  const [train, test, old] = sets;
  return { train, test, old };
}

/**
 * Imports `onnx` (with `io`, paralens/io), fits its head to `digits.train` and reports the accuracy on
 * the new and the old digits before and after. Returns the learner too.
 */
export async function finetune(P, io, onnx, digits, { epochs = 3, batchSize = 32, lr = 0.01, seed = 1, onEpochEnd } = {}) {
  const model = io.fromOnnx(onnx, { frozen: FROZEN });
  const learner = P.supervised(model, { loss: P.softmaxCrossEntropy, optimiser: P.adam({ lr }), rate: 1, seed });
  learner.setParameters(io.onnxParameters(onnx));
  const accuracy = () => ({ new: learner.evaluate(digits.test.x, digits.test.y).accuracy, old: learner.evaluate(digits.old.x, digits.old.y).accuracy });
  const before = accuracy();
  await learner.fit(digits.train.x, digits.train.y, { epochs, batchSize, seed, onEpochEnd });
  return { learner, before, after: accuracy() };
}

/** A hash of a learner's parameters (FNV-1a over their float32 bits, in name order): the same bits in Node and in the page give the same hash. */
export function parameterHash(learner) {
  const values = learner.parameters();
  let h = 0x811c9dc5;
  for (const name of Object.keys(values).sort()) {
    const bytes = new Uint8Array(Float32Array.from(values[name]).buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
