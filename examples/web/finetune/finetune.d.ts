// The types of finetune.js, for the Node example and the tests that import it.
import type * as Paralens from "../../../ts-api/index.ts";
import type * as ParalensIo from "../../../ts-api/io/index.ts";

/** The imported model's parameters that stay as PyTorch trained them: the two convolutions. */
export declare const FROZEN: readonly string[];
/** Pixels per image. */
export declare const PIXELS: number;

/** Images as floats in [0, 1] (PIXELS each, one after another) and their digits. */
export interface DigitSet {
  x: Float32Array;
  y: number[];
}
/** The new digits to fit on and to test on, and the old digits to test on. */
export interface Digits {
  train: DigitSet;
  test: DigitSet;
  old: DigitSet;
}
/** Accuracy on the new and on the old digits. */
export interface Accuracy {
  new: number;
  old: number;
}

export declare function encodeDigits(sets: readonly { labels: Uint8Array; pixels: Uint8Array }[]): Uint8Array;
export declare function decodeDigits(bytes: Uint8Array): Digits;
export declare function finetune(
  P: typeof Paralens,
  io: typeof ParalensIo,
  onnx: Uint8Array,
  digits: Digits,
  options?: { epochs?: number; batchSize?: number; lr?: number; seed?: number; onEpochEnd?: (r: Paralens.EpochReport) => void },
): Promise<{ learner: Paralens.Learner; before: Accuracy; after: Accuracy }>;
export declare function parameterHash(learner: Paralens.Learner): string;
