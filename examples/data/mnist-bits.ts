// MNIST zeros and ones as bits for the Boolean-circuit examples, encoded as
// in Wilson & Zanasi's experiments (Reverse Derivative Ascent, 2020): a
// pixel is set where its grey level (0..255) exceeds 32. Node only (reads
// the mnist package's files through ./mnist.ts).
import { loadMnist, MNIST_PIXELS } from "./mnist.ts";

/** MNIST zeros and ones (label bit: the digit) from the seeded split of examples/data/mnist.ts, pixels binarised at > 32 of 255. */
export function mnistZeroOneBits(): { train: { x: Uint8Array[]; y: number[][] }; test: { x: Uint8Array[]; y: number[][] } } {
  const { trainX, trainY, testX, testY } = loadMnist();
  const pick = (X: Float32Array, Y: Uint8Array): { x: Uint8Array[]; y: number[][] } => {
    const out: { x: Uint8Array[]; y: number[][] } = { x: [], y: [] };
    for (let i = 0; i < Y.length; i++) {
      if (Y[i]! > 1) continue;
      // pixels are grey / 255; the rounding guards against x / 255 * 255 landing just off an integer
      out.x.push(Uint8Array.from(X.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), (p) => (Math.round(p * 255) > 32 ? 1 : 0)));
      out.y.push([Y[i]!]);
    }
    return out;
  };
  return { train: pick(trainX, trainY), test: pick(testX, testY) };
}
