// The peer of `npm run bench -- serve`: the same fetch handler
// (examples/serve/handler.ts) with onnxruntime-node (native) answering each
// request on its own, on the graph toOnnx writes for the same model, behind
// the same Node http adapter; started by bench/serve.ts in its own process.
import type { AddressInfo } from "node:net";
import * as ort from "onnxruntime-node";
import { adam, dense, init, seq, softmaxCrossEntropy, supervised } from "../ts-api/index.ts";
import { toOnnx } from "../ts-api/io/index.ts";
import { createHandler } from "../examples/serve/handler.ts";
import { listen } from "../examples/serve/node-adapter.ts";

await init({ threads: 1 });
const learner = supervised(seq(dense(784, 128, "relu"), dense(128, 10)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, labels: "indices" });
const session = await ort.InferenceSession.create(toOnnx(learner, { batch: 1 }), { intraOpNumThreads: 1, interOpNumThreads: 1 });
let rows = 0;
const predicting = {
  inWidth: 784,
  outWidth: 10,
  async predict(row: ArrayLike<number>): Promise<Float32Array> {
    const result = await session.run({ input: new ort.Tensor("float32", Float32Array.from(row), [1, 784]) });
    rows++;
    return result.output!.data as Float32Array;
  },
  // one forward pass a request: each is a batch of one
  stats: () => ({ requests: rows, refused: 0, batches: rows, rows, paddedRows: 0, queued: 0 }),
};
const server = await listen(createHandler({ predictor: predicting, arenaBytes: () => 0 }), 0);
console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`);
