// The served app: the MNIST MLP (784 -> 128 relu -> 10) behind handler.ts,
// predicting with batching and learning online. The same module runs in
// Deno, Bun, Node (through node-adapter.ts) and as a Cloudflare Worker
// (its default export); each host starts it once per process or isolate.
//
// WEIGHTS (Node, Deno, Bun): a safetensors file saved by learner.save(); it
// is loaded at start, and with CHECKPOINT_EVERY steps learnt online it is
// rewritten atomically (checkpointFile), so a restart resumes from it.
import { adam, dense, engine, init, predictor, seq, softmaxCrossEntropy, supervised, serve } from "paralens";
import { type Limits, createHandler } from "./handler.ts";

export interface AppOptions extends Limits {
  maxBatch?: number;
  maxDelayMs?: number;
  maxQueue?: number;
  /** A safetensors file to start from and checkpoint to (not in Workers: they have no file system). */
  weights?: string;
  checkpointEvery?: number;
}

/** Builds the model and its handler; `close` answers what waits and stops. */
export async function start(options: AppOptions = {}): Promise<{ handler: (request: Request) => Promise<Response>; close: () => Promise<void> }> {
  await init();
  const learner = supervised(seq(dense(784, 128, "relu"), dense(128, 10)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, labels: "indices" });
  const file = options.weights === undefined ? undefined : serve.checkpointFile(options.weights);
  const saved = file?.read();
  if (saved !== undefined) await learner.load(saved);
  const batching = { maxBatch: options.maxBatch, maxDelayMs: options.maxDelayMs, maxQueue: options.maxQueue };
  const defined = Object.fromEntries(Object.entries(batching).filter(([, v]) => v !== undefined));
  const served = predictor(learner, defined);
  const trainer = serve.online(learner, { ...defined, ...(file === undefined ? {} : { checkpoint: { everySteps: options.checkpointEvery ?? 100, write: (b: Uint8Array) => file.write(b) } }) });
  const handler = createHandler({ predictor: served, trainer, arenaBytes: () => engine().stats().bytes }, options);
  return {
    handler,
    close: async () => {
      await Promise.all([served.close(), trainer.close()]);
      learner.dispose();
    },
  };
}

let started: ReturnType<typeof start> | undefined;

/** The handler with the default options, started on first use. */
export async function handler(request: Request): Promise<Response> {
  started ??= start();
  return (await started).handler(request);
}

export default { fetch: handler };
