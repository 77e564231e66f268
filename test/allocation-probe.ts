// Run by allocation.node.test.ts in a child process: counts the garbage
// collections V8 performs while a compiled training step runs many times. A
// step that allocated even a few bytes would fill the young generation and
// trigger collections; one that allocates nothing triggers none. The control
// run allocates 32 bytes a step, to show the count can see it.
import { PerformanceObserver } from "node:perf_hooks";
import { init, compile, seq, dense, softmaxCrossEntropy, sgd, constantRate, supervisedLens } from "../ts-api/index.ts";

await init();
const lens = supervisedLens(seq(dense(4, 16, "relu"), dense(16, 3)), { loss: softmaxCrossEntropy, optimiser: sgd(), rate: constantRate(0.01) });
const plan = compile(lens, { batch: 8, changes: "params" });
plan.inputs[0]!.data.fill(0.5);
plan.inputs[1]!.data.fill(1 / 3);

let collections = 0;
const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
observer.observe({ entryTypes: ["gc"] });

const control = process.argv[2] === "control";
let sink: unknown;
const steps = 300_000;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) {
    plan.forward();
    plan.reverse();
    if (control) sink = { i, at: plan };
  }
};
run(20_000); // warm up: let the JIT settle
await new Promise((r) => setTimeout(r, 50));
collections = 0;
run(steps);
await new Promise((r) => setTimeout(r, 50)); // deliver pending gc entries
observer.disconnect();
void sink;
console.log(JSON.stringify({ steps, collections }));
