// Inference beside ONNX Runtime: the MNIST MLP and the demo CNN at batch 1 and 64, paralens's forward plan against the same graph (toOnnx) in onnxruntime-web (wasm, SIMD) and onnxruntime-node (native), one thread each, interleaved.
//
// Each case is what a caller does per request: copy the input in, run, take
// the output out (paralens: a forward plan's input set, forward(), its output
// sliced; ONNX Runtime: a Tensor over the input, an awaited run(), its output
// data). The outputs are checked to agree first. Rounds interleave the three,
// so the machine's load hits each alike; the median of each case's per-round
// times is reported. onnxruntime-node is native code (AVX-512 where the CPU
// has it): it is shown as the physical reference, not as a peer of wasm.
// The transformer and the decoder are not here: toOnnx cannot yet export
// embeddings and attention.
import * as ortWeb from "onnxruntime-web";
import * as ortNode from "onnxruntime-node";
import { Rng, adam, compile, softmaxCrossEntropy, supervised, toOnnx, type Para, type Wires } from "../ts-api/index.ts";
import { demoCnn, mnistMlp } from "../examples/models/mnist.ts";
import { startEngine } from "./lib/core.ts";
import { med, ratios } from "./lib/timing.ts";
import { Report } from "./lib/report.ts";

await startEngine(1);
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.simd = true;
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length) ?? 7);
/** Seconds each case runs per round. */
const SLICE = 0.25;
const report = new Report("inference");

/** Mean seconds per call over a slice of calls (after one call that warms it). */
function perCall(call: () => void): number {
  call();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SLICE * 1000) {
    call();
    n++;
  }
  return (performance.now() - t0) / 1000 / n;
}
async function perCallAsync(call: () => Promise<unknown>): Promise<number> {
  await call();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SLICE * 1000) {
    await call();
    n++;
  }
  return (performance.now() - t0) / 1000 / n;
}

const models: [string, () => Para<Wires, Wires>][] = [["MNIST MLP 784-128-10", mnistMlp], ["demo CNN", demoCnn]];
for (const [name, make] of models) {
  const model = make();
  const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam(), seed: 1 });
  const width = model.dom[0]!.reduce((a, b) => a * b, 1);
  for (const batch of [1, 64]) {
    const rng = new Rng(batch);
    const x = Float32Array.from({ length: batch * width }, () => rng.uniform());
    const shape = [batch, ...model.dom[0]!];
    const plan = compile(model, { batch, changes: "none", params: learner.params });
    const ours = (): Float32Array => {
      plan.inputs[0]!.data.set(x);
      plan.forward();
      return plan.outputs[0]!.data.slice();
    };
    const bytes = toOnnx(learner, { batch });
    const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    const native = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const runWeb = async (): Promise<Float32Array> => (await web.run({ input: new ortWeb.Tensor("float32", x, shape) })).output!.data as Float32Array;
    const runNative = async (): Promise<Float32Array> => (await native.run({ input: new ortNode.Tensor("float32", x, shape) })).output!.data as Float32Array;

    // the same numbers first: a fast wrong answer is not a result
    const [a, b, c] = [ours(), await runWeb(), await runNative()];
    const scale = Math.max(...a.map(Math.abs));
    for (const [peer, theirs] of [["onnxruntime-web", b], ["onnxruntime-node", c]] as const) {
      const diff = Math.max(...a.map((v, i) => Math.abs(v - theirs[i]!)));
      if (!(diff <= 1e-4 * Math.max(1, scale))) throw new Error(`${name} batch ${batch}: ${peer}'s outputs differ from paralens's by ${diff}`);
    }

    const times = { ours: [] as number[], web: [] as number[], native: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      times.ours.push(perCall(ours));
      times.web.push(await perCallAsync(runWeb));
      times.native.push(await perCallAsync(runNative));
    }
    const [o, w, n] = [med(times.ours) * 1000, med(times.web) * 1000, med(times.native) * 1000];
    // ratios round by round (a slow spell of the machine hits both sides of a round), then their median
    const [vsWeb, vsNode] = [med(ratios(times.web, times.ours)), med(ratios(times.native, times.ours))];
    report.add({ case: `${name}, batch ${batch}`, ours: o, peer: "onnxruntime-web", peer_value: w, unit: "ms", ratio: vsWeb, target: 1.5, met: vsWeb >= 1.5 ? "yes" : "no", ort_node: n, vs_ort_node: vsNode });
    plan.dispose();
    await web.release();
    await native.release();
  }
  learner.dispose();
}
console.log(`medians of ${rounds} interleaved rounds; ratio: the median of the rounds' ratios of the peer's time to paralens's (above 1: paralens is faster)`);
report.finish();
