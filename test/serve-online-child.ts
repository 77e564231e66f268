// A process that learns online for ever, checkpointing to the file named by
// its first argument; test/serve-checkpoint.node.test.ts kills it mid-training
// and starts it again. It resumes from the checkpoint if there is one, and
// announces each checkpoint's hash before and after it is written.
import { hash } from "./serve-hash.ts";
import { dense, init, mse, seq, supervised, serve } from "../ts-api/index.ts";

await init();
const file = serve.checkpointFile(process.argv[2]!);
const learner = supervised(seq(dense(8, 32, "tanh"), dense(32, 2)), { loss: mse, rate: 0.05, seed: 11 });


const saved = file.read();
if (saved !== undefined) {
  await learner.load(saved);
  console.log(`resumed ${hash(await learner.save())}`);
}
const trainer = serve.online(learner, {
  maxBatch: 8,
  maxDelayMs: 0,
  checkpoint: {
    everySteps: 5,
    write(bytes) {
      console.log(`writing ${hash(bytes)}`);
      file.write(bytes);
      console.log(`wrote ${hash(bytes)}`);
    },
  },
});
for (let i = 0; ; i++) {
  const x = Array.from({ length: 8 }, (_, j) => Math.sin(i * 8 + j));
  await Promise.all(Array.from({ length: 8 }, (_, k) => trainer.learn(x.map((v) => v * (k + 1) / 8), [Math.cos(i + k), Math.sin(i - k)])));
}
