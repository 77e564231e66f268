// Run by allocation.node.test.ts in a child process: counts the garbage
// collections V8 performs while a compiled training step runs many times. A
// step that allocated even a few bytes would fill the young generation and
// trigger collections; one that allocates nothing triggers none. The control
// run allocates 32 bytes a step, to show the count can see it. Modes "plan"
// and "control" run a small model (300,000 steps); "threaded" and
// "threaded-control" a model whose products, activations and SGD updates are
// cut across two threads, 10,000 steps (2,000 for the control), reporting the bytes a step allocates
// (the control then allocates about 56 bytes a step).
import { PerformanceObserver } from "node:perf_hooks";
import { init, compile, seq, dense, softmaxCrossEntropy, sgd, engine, type Para, type Wires, learning, losses } from "../ts-api/index.ts";

const mode = process.argv[2] ?? "plan";
const threaded = mode.startsWith("threaded");
await init({ threads: threaded ? 2 : 1 });
const model: Para<Wires, Wires> = threaded ? seq(dense(64, 512, "relu"), dense(512, 64)) : seq(dense(4, 16, "relu"), dense(16, 3));
const lens = learning.supervisedLens(model, { loss: softmaxCrossEntropy, optimiser: sgd(), rate: losses.constantRate(0.01) });
const plan = compile(lens, { batch: threaded ? 64 : 8, changes: "params" });
plan.inputs[0]!.data.fill(0.5);
plan.inputs[1]!.data.fill(threaded ? 1 / 64 : 1 / 3);

let collections = 0;
const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
observer.observe({ entryTypes: ["gc"] });

const control = mode.endsWith("control");
let sink: unknown;
const steps = threaded ? (control ? 2_000 : 10_000) : 300_000;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) {
    plan.forward();
    plan.reverse();
    if (control) sink = threaded ? [i, i, i, i, plan] : { i, at: plan };
  }
};
const settle = (): Promise<unknown> => new Promise((r) => setTimeout(r, 50)); // (delivers pending gc entries)
run(threaded ? 5_000 : 20_000); // warm up: let the JIT settle
await settle();
if (!threaded) {
  collections = 0;
  run(steps);
  await settle();
  console.log(JSON.stringify({ steps, collections, threads: engine().threads.count }));
} else {
  // The bytes a step allocates, read off the heap across windows that no
  // collection interrupted, the least of three: an allocation in every step
  // shows in each window, while the runtime's own (a late optimised compile)
  // falls in one at most.
  let bytesPerStep = Number.POSITIVE_INFINITY;
  for (let window = 0, tries = 0; window < 3 && tries < 10; tries++) {
    collections = 0;
    const before = process.memoryUsage().heapUsed;
    run(steps);
    const after = process.memoryUsage().heapUsed;
    await settle();
    if (collections > 0) continue;
    bytesPerStep = Math.min(bytesPerStep, (after - before) / steps);
    window++;
  }
  console.log(JSON.stringify({ steps, bytesPerStep, threads: engine().threads.count }));
}
observer.disconnect();
void sink;
