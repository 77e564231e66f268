// Inference beside ONNX Runtime: the MNIST MLP and the demo CNN at batch 1 and 64, the character transformer's full sequence at batch 1 and 16, and its decoder token by token, paralens's forward plan against the same graph (toOnnx) in onnxruntime-web (wasm, SIMD) and onnxruntime-node (native), one thread each, interleaved.
//
// Each case is what a caller does per request: copy the input in, run, take
// the output out (paralens: a forward plan's input set, forward(), its output
// sliced; ONNX Runtime: a Tensor over the input, an awaited run(), its output
// data). The outputs are checked to agree first. Rounds interleave the three,
// so the machine's load hits each alike; the median of each case's per-round
// times is reported. onnxruntime-node is native code (AVX-512 where the CPU
// has it): it is shown as the physical reference, not as a peer of wasm.
// The decoder's step is a graph whose key/value caches go in and come out
// each token (ScatterND writes the new row), as a user of ONNX Runtime feeds
// them; paralens's Decoder keeps them in place.
import * as ortWeb from "onnxruntime-web";
import * as ortNode from "onnxruntime-node";
import { type Rng, compile, transformer, type Para, type Wires, backends, initialisers, serve } from "../ts-api/index.ts";
import { toOnnx } from "../ts-api/io/index.ts";
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

/** Each model, the batch sizes it runs at, and one input value (images in [0, 1], or token ids). */
interface Case {
  name: string;
  make: () => Para<Wires, Wires>;
  batches: readonly number[];
  value: (rng: Rng) => number;
}
// the character transformer as examples/char-transformer.ts trains it (Moby Dick's 80-odd symbols)
const CHAR = { vocab: 84, context: 128, dim: 128, heads: 4, layers: 4 };
const cases: Case[] = [
  { name: "MNIST MLP 784-128-10", make: mnistMlp, batches: [1, 64], value: (rng) => rng.uniform() },
  { name: "demo CNN", make: demoCnn, batches: [1, 64], value: (rng) => rng.uniform() },
  {
    name: `character transformer (${CHAR.layers} x d ${CHAR.dim}), the full sequence of ${CHAR.context}`,
    make: () => transformer(CHAR), batches: [1, 16], value: (rng) => Math.floor(rng.uniform() * CHAR.vocab),
  },
];
for (const { name, make, batches, value } of cases) {
  const model = make();
  const params = backends.initParams(model, 1);
  const parameters = Object.fromEntries(model.params.map((p, i) => [p.name, params[i]!.toArray()]));
  const width = model.dom[0]!.reduce((a, b) => a * b, 1);
  for (const batch of batches) {
    const rng = new initialisers.Rng(batch);
    const x = Float32Array.from({ length: batch * width }, () => value(rng));
    const shape = [batch, ...model.dom[0]!];
    const plan = compile(model, { batch, changes: "none", params });
    const ours = (): Float32Array => {
      plan.inputs[0]!.data.set(x);
      plan.forward();
      return plan.outputs[0]!.data.slice();
    };
    const bytes = toOnnx(model, { batch, parameters });
    const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    const native = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const runWeb = async (): Promise<Float32Array> => (await web.run({ input: new ortWeb.Tensor("float32", x, shape) })).output!.data as Float32Array;
    const runNative = async (): Promise<Float32Array> => (await native.run({ input: new ortNode.Tensor("float32", x, shape) })).output!.data as Float32Array;

    // the same numbers first: a fast wrong answer is not a result
    const [a, b, c] = [ours(), await runWeb(), await runNative()];
    // (loops, not Math.max(...): a transformer's logits are more arguments than a call may take)
    const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const [peer, theirs] of [["onnxruntime-web", b], ["onnxruntime-node", c]] as const) {
      const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i]!)), 0);
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
  for (const t of params) t.dispose();
}
// the decoder, token by token: a sequence of TOKENS from an empty cache per call
{
  const TOKENS = 64;
  const params = backends.initParams(transformer(CHAR), 1);
  const machine = serve.decoderMachine(CHAR);
  const parameters = Object.fromEntries(machine.cell.params.map((p, i) => [p.name, params[i]!.toArray()]));
  const decoder = new serve.Decoder(CHAR, params);
  const rng = new initialisers.Rng(5);
  const tokens = Array.from({ length: TOKENS }, () => Math.floor(rng.uniform() * CHAR.vocab));
  const ours = (): Float32Array => {
    decoder.reset();
    let logits: Float32Array = new Float32Array(0);
    for (const t of tokens) logits = decoder.step(t);
    return logits;
  };
  const bytes = toOnnx(machine.cell, { batch: 1, parameters });
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const native = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const stateWires = machine.cell.dom.slice(1);
  type Ort = typeof ortWeb | typeof ortNode;
  const theirs = (ort: Ort, session: { run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>> }) => async (): Promise<Float32Array> => {
    let state: Float32Array[] = stateWires.map((w) => new Float32Array(w.reduce((a, b) => a * b, 1)));
    let logits: Float32Array = new Float32Array(0);
    for (const t of tokens) {
      const feeds: Record<string, unknown> = { input0: new ort.Tensor("float32", new Float32Array([t]), [1, 1]) };
      stateWires.forEach((w, i) => (feeds[`input${i + 1}`] = new ort.Tensor("float32", state[i]!, [1, ...w])));
      const out = await session.run(feeds);
      logits = out.output0!.data as Float32Array;
      state = stateWires.map((_, i) => out[`output${i + 1}`]!.data as Float32Array);
    }
    return logits;
  };
  const [runWeb, runNative] = [theirs(ortWeb, web as never), theirs(ortNode, native as never)];
  const [a, b, c] = [ours(), await runWeb(), await runNative()];
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const [peer, z] of [["onnxruntime-web", b], ["onnxruntime-node", c]] as const) {
    const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - z[i]!)), 0);
    if (!(diff <= 1e-4 * Math.max(1, scale))) throw new Error(`decoder: ${peer}'s logits differ from paralens's by ${diff}`);
  }
  const times = { ours: [] as number[], web: [] as number[], native: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    times.ours.push(perCall(ours) / TOKENS);
    times.web.push((await perCallAsync(runWeb)) / TOKENS);
    times.native.push((await perCallAsync(runNative)) / TOKENS);
  }
  const [o, w, n] = [med(times.ours) * 1000, med(times.web) * 1000, med(times.native) * 1000];
  const [vsWeb, vsNode] = [med(ratios(times.web, times.ours)), med(ratios(times.native, times.ours))];
  report.add({ case: `character transformer's decoder, per token (${TOKENS} from an empty cache)`, ours: o, peer: "onnxruntime-web", peer_value: w, unit: "ms", ratio: vsWeb, target: 1.5, met: vsWeb >= 1.5 ? "yes" : "no", ort_node: n, vs_ort_node: vsNode });
  decoder.dispose();
  for (const t of params) t.dispose();
  await web.release();
  await native.release();
}
console.log(`medians of ${rounds} interleaved rounds; ratio: the median of the rounds' ratios of the peer's time to paralens's (above 1: paralens is faster)`);
report.finish();
