import { predictor, Predictor } from "./predictor.ts";
import { online, OnlineLearner } from "./online.ts";
import { checkpointFile } from "./checkpoint-file.ts";
import { decoderMachine, Decoder, sampleToken } from "../cdl/decoder.ts";

/**
 * Running a trained model: a predictor that batches requests, a learner that
 * keeps learning online with checkpoints, and decoding tokens from a sequence
 * model one at a time.
 *
 * @example
 * ```ts
 * const p = serve.predictor({ model: dense(2, 1), parameters: { weight: [0.5, -1], bias: [0] } }, { maxDelayMs: 0 });
 * (await p.predict([2, 1]))[0];  // 0
 * await p.close();
 * ```
 *
 * @namespace
 * @category Serving
 */
export const serve = {
  predictor, Predictor, online, OnlineLearner, checkpointFile, decoderMachine, Decoder, sampleToken,
} as const;
