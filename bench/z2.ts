// Bit-sliced Z2 circuits: a random 1,000-gate circuit on 1,000,000 examples, forward and reverse, vs a plain-JavaScript bit-sliced evaluator.
//
// The peer is a plain-JavaScript bit-sliced evaluator on Uint32Array words
// running the same scheduled programs (bench/lib/z2-js.ts). Throughput is gate evaluations
// per second: gates evaluated by the pass x examples / seconds. The reverse
// pass recomputes the forward gates it needs block by block, then runs the
// reverse-derivative gates; both evaluators do exactly that work.
//
//   node --import tsx bench/z2.ts [--batch 1000000] [--gates 1000] [--quick]
import Benchmark from "benchmark";
import { threadsOption } from "./lib/core.ts";
import { init, initialisers } from "../ts-api/index.ts";
import { circuitLens, compileZ2, randomCircuit, type Z2Plan } from "../ts-api/z2/index.ts";
import { schedule } from "../ts-api/z2/compile/schedule.ts";
import { type Schedule, Space } from "../ts-api/z2/program.ts";
import { Op, Tracer, nodesOf } from "../ts-api/z2/trace.ts";
import { type JsProgram, jsProgram, runJs } from "./lib/z2-js.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes("--quick");
const BATCH = arg("batch", 1_000_000);
const GATES = arg("gates", 1000);
const INPUTS = 64;

await init({ threads: threadsOption() });
const rng = new initialisers.Rng(2020);
const c = randomCircuit(rng, { inputs: INPUTS, gates: GATES });
const lens = circuitLens(c);
const outs = c.outputs.length;
console.log(`z2: random circuit, ${INPUTS} inputs, ${GATES} gates (45% XOR, 45% AND, 10% NOT; operands uniform over earlier nodes), ${outs} outputs (its sinks); batch ${BATCH.toLocaleString("en")}`);

// ---- wasm: compile with several block sizes, keep the fastest ----------------
// CPU time of this process (ms): on a shared machine, wall time also counts
// the time other processes hold the core, which picks block sizes at random
const cpuTime = (f: () => void): number => {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};
const time = (f: () => void, reps = 3): number => {
  let best = Infinity;
  for (let r = 0; r < reps; r++) best = Math.min(best, cpuTime(f));
  return best;
};
const fill = (u: Uint32Array, seed: number): void => {
  const r = new initialisers.Rng(seed);
  for (let i = 0; i < u.length; i++) u[i] = r.nextUint32();
};
let plan: Z2Plan | undefined;
let planTime = Infinity;
for (const block of [8, 16, 32, 48, 64]) {
  const p = compileZ2(lens, { batch: BATCH, block });
  fill(p.inputs[0]!.u32, 1);
  fill(p.outputChanges[0]!.u32, 2);
  const t = time(() => p.forward()) + time(() => p.reverse());
  console.log(`  wasm block ${String(block).padStart(2)} words: forward + reverse ${t.toFixed(1)} ms (CPU)`);
  if (t < planTime) {
    plan?.dispose();
    [plan, planTime] = [p, t];
  } else p.dispose();
}
const wasm = plan!;
const { forward: fs, reverse: rs } = wasm.stats;
console.log(`  wasm: block ${wasm.stats.block}; forward ${fs.gates} gates in ${fs.instructions} instructions (${fs.slots} slots), reverse ${rs.gates} gates in ${rs.instructions} instructions (${rs.slots} slots)`);

// ---- JS peer: the same programs on Uint32Array words -------------------------
const tracer = new Tracer();
const x = tracer.leaves(Op.INPUT, [BATCH, INPUTS]);
const [[y], residual] = lens.forward(tracer, [], [x]);
const dy = tracer.leaves(Op.INPUT, [BATCH, outs]);
const [, [dx]] = lens.reverse(tracer, residual, [dy]);
const stride = wasm.inputs[0]!.words * 4; // u32 words per wire, as in the wasm layout
const words32 = Math.ceil(BATCH / 32);
const base = { x: 0, y: INPUTS * stride, dy: (INPUTS + outs) * stride, dx: (INPUTS + 2 * outs) * stride };
const heap = new Int32Array((2 * INPUTS + 2 * outs) * stride);
const leafWire = new Map<number, number>();
nodesOf(x).forEach((n, i) => leafWire.set(n, base.x + i * stride));
nodesOf(dy).forEach((n, i) => leafWire.set(n, base.dy + i * stride));
const jsPass = (s: Schedule, rootBase: number): JsProgram => {
  if (s.prologue.count + s.epilogue.count > 0) throw new Error("z2 bench: a circuit without parameters has no prologue or epilogue");
  return jsProgram(s.body, (space, index) => (space === Space.LEAF ? leafWire.get(index)! : rootBase + index * stride));
};
const jsForward = jsPass(schedule(tracer.graph, [...nodesOf(y!)].map((node) => ({ node, batched: true }))), base.y);
const jsReverse = jsPass(schedule(tracer.graph, [...nodesOf(dx!)].map((node) => ({ node, batched: true }))), base.dx);
heap.set(new Int32Array(wasm.inputs[0]!.u32.buffer, wasm.inputs[0]!.offset, INPUTS * stride), base.x);
heap.set(new Int32Array(wasm.outputChanges[0]!.u32.buffer, wasm.outputChanges[0]!.offset, outs * stride), base.dy);
let jsBlock = 0;
let jsTime = Infinity;
for (const block of [32, 64, 128, 256, 512]) {
  const scratch = new Int32Array(Math.max(jsForward.slots, jsReverse.slots) * block);
  const t = time(() => runJs(jsForward, heap, scratch, block, words32, BATCH)) + time(() => runJs(jsReverse, heap, scratch, block, words32, BATCH));
  console.log(`  js block ${String(block).padStart(3)} words: forward + reverse ${t.toFixed(1)} ms (CPU)`);
  if (t < jsTime) [jsBlock, jsTime] = [block, t];
}
const jsScratch = new Int32Array(Math.max(jsForward.slots, jsReverse.slots) * jsBlock);

// ---- both compute the same bits ----------------------------------------------
wasm.forward();
wasm.reverse();
runJs(jsForward, heap, jsScratch, jsBlock, words32, BATCH);
runJs(jsReverse, heap, jsScratch, jsBlock, words32, BATCH);
const agree = (t: Z2Plan["outputs"][number], at: number, wires: number): boolean => {
  const u = t.u32;
  for (let w = 0; w < wires; w++) {
    for (let i = 0; i < words32; i++) {
      const bits = i === words32 - 1 && BATCH % 32 !== 0 ? (1 << BATCH % 32) - 1 : -1;
      if (((u[w * stride + i]! ^ heap[at + w * stride + i]!) & bits) !== 0) return false;
    }
  }
  return true;
};
if (!agree(wasm.outputs[0]!, base.y, outs) || !agree(wasm.inputChanges[0]!, base.dx, INPUTS)) {
  throw new Error("z2 bench: the wasm kernel and the JS evaluator disagree");
}
console.log("  wasm and JS results agree bit for bit");

// ---- timing -----------------------------------------------------------------
function median(name: string, fn: () => void): number {
  const samples: number[] = [];
  const rounds = quick ? 1 : 2;
  for (let r = 0; r < rounds; r++) {
    const b = new Benchmark(name, fn, { minSamples: quick ? 3 : 8, maxTime: quick ? 1 : 3, initCount: 1 });
    b.run();
    if (b.error) throw b.error;
    samples.push(...b.stats.sample);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}
interface Row {
  case: string;
  /** The ratio of CPU-time medians (set after the wall-time rounds). */
  cpu_ratio?: number;
  ours: number;
  peer: string;
  peer_value: number;
  unit: string;
  ratio: number;
}
const rows: Row[] = [];
for (const [pass, stats, runWasm, runPeer] of [
  ["forward", fs, () => wasm.forward(), () => runJs(jsForward, heap, jsScratch, jsBlock, words32, BATCH)],
  ["reverse", rs, () => wasm.reverse(), () => runJs(jsReverse, heap, jsScratch, jsBlock, words32, BATCH)],
] as const) {
  const ours = median(`wasm ${pass}`, runWasm);
  const peer = median(`js ${pass}`, runPeer);
  const evals = stats.gates * BATCH;
  rows.push({
    case: `${pass} ${GATES}-gate circuit x ${BATCH} examples (${stats.gates} gates evaluated)`,
    ours: evals / ours,
    peer: "plain JS bit-sliced evaluator (Uint32Array)",
    peer_value: evals / peer,
    unit: "gate evaluations/s",
    ratio: peer / ours,
  });
  console.log(
    `${pass.padEnd(8)} wasm ${(ours * 1000).toFixed(1)} ms = ${(evals / ours / 1e9).toFixed(2)} G gate evals/s | ` +
      `JS ${(peer * 1000).toFixed(1)} ms = ${(evals / peer / 1e9).toFixed(2)} G gate evals/s | ratio ${(peer / ours).toFixed(2)}x (medians)`,
  );
}
// the same comparison in CPU time, less disturbed by other load than wall time
const cpuMedian = (fn: () => void, n: number): number => {
  const samples = Array.from({ length: n }, () => cpuTime(fn)).sort((a, b) => a - b);
  return samples[n >> 1]!;
};
const [wf, jf] = [cpuMedian(() => wasm.forward(), 15), cpuMedian(() => runJs(jsForward, heap, jsScratch, jsBlock, words32, BATCH), 7)];
const [wr, jr] = [cpuMedian(() => wasm.reverse(), 15), cpuMedian(() => runJs(jsReverse, heap, jsScratch, jsBlock, words32, BATCH), 7)];
console.log(`CPU time, medians: forward wasm ${wf.toFixed(1)} ms, JS ${jf.toFixed(1)} ms, ratio ${(jf / wf).toFixed(2)}x; reverse wasm ${wr.toFixed(1)} ms, JS ${jr.toFixed(1)} ms, ratio ${(jr / wr).toFixed(2)}x`);
rows[0]!.cpu_ratio = jf / wf;
rows[1]!.cpu_ratio = jr / wr;
console.log(JSON.stringify({ suite: "z2", peak_gflops: null, rows }));
