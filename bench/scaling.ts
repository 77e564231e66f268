// Threads: speed at 1 thread and at every core, side by side in one run (gemm 1024, conv forward, cnn-step and mlp-step at batch 64, the transformer step), beside PyTorch at its default thread count and at every core.
//
// Ours: one engine with a worker per extra core; engine().setThreads(1) and
// setThreads(max) alternate round by round (interleaved), so both counts see
// the same machine load. PyTorch runs the same work in its own process, once
// as a user's script would (torch's default thread count, printed), once at
// every core. Targets on a 2-core machine: >= 1.8x from the second core on
// gemm 1024, >= 1.6x on cnn-step, and cnn-step ahead of PyTorch. A first row
// times the peak multiply-add loop on one thread and on two at once: what the
// machine gives a second thread in this run, with no memory traffic.
import { spawn } from "node:child_process";
import {
  type Optimiser, type Para, type Wires, adam, compile, sgd, softmaxCrossEntropy, transformer, initialisers, learning, losses,
} from "../ts-api/index.ts";
import { demoCnn, mnistMlp } from "../examples/models/mnist.ts";
import { conv2d } from "../ts-api/index.ts";
import { THRESHOLDS } from "../ts-api/engine/threads/split.ts";
import { PEAK_FLOPS_PER_ROUND, startEngine } from "./lib/core.ts";
import { peakPair } from "./lib/machine.ts";
import { Report } from "./lib/report.ts";
import { interleaved, med, ratios } from "./lib/timing.ts";
import { runTorch } from "./lib/torch.ts";

const e = await startEngine("all");
const cores = e.threads.max;
if (cores < 2) console.log("one thread only: this machine reports one core, so there is nothing to scale");
const report = new Report("scaling");
const rng = new initialisers.Rng(1);
const BATCH = 64;

/** Rounds of each workload, alternating 1 thread and every core. */
const ROUNDS = 9;

/** Median speeds (work / s) of `run` at 1 thread and at every core, rounds interleaved; their round-by-round ratio. */
function scale(run: () => void, work: number): { one: number; all: number; speedup: number } {
  const t = interleaved({
    one: () => {
      e.setThreads(1);
      run();
    },
    all: () => {
      e.setThreads(cores);
      run();
    },
  }, ROUNDS, 0.5);
  return { one: work / med(t.one), all: work / med(t.all), speedup: med(ratios(t.one, t.all)) };
}

interface TorchRun<T> {
  version: string;
  threads: number;
  result: T;
}
/** A PyTorch script at its default thread count and at every core. */
function torchBoth<T>(script: string, args: string[], pick: (out: Record<string, unknown>) => T): { byDefault: TorchRun<T>; all: TorchRun<T> } | null {
  const run = (threads: number | "default"): TorchRun<T> | null => {
    const out = runTorch<Record<string, unknown>>(script, args, threads);
    return out === null ? null : { version: String(out.version), threads: Number(out.threads), result: pick(out) };
  };
  const byDefault = run("default");
  const all = run(cores);
  return byDefault === null || all === null ? null : { byDefault, all };
}

function row(name: string, unit: string, s: { one: number; all: number; speedup: number }, torch: { byDefault: TorchRun<number>; all: TorchRun<number> } | null, target?: number): void {
  report.add({
    case: name,
    ours: s.all,
    peer: torch === null ? "not installed" : `torch-${torch.byDefault.threads}t (default)`,
    peer_value: torch?.byDefault.result ?? null,
    unit,
    ratio: torch === null ? null : s.all / torch.byDefault.result,
    ours_1t: s.one,
    speedup: s.speedup,
    ...(target === undefined ? {} : { target_speedup: target, met: s.speedup >= target ? "yes" : "no" }),
    ...(torch === null ? {} : { [`torch_${cores}t`]: torch.all.result, [`vs_torch_${cores}t`]: s.all / torch.all.result }),
  });
}

// ---- the machine: the peak loop on one thread, and on two at once ------------------------
// (no memory traffic and no synchronisation inside the loop: the most a second thread can add here)
{
  const rounds = 200_000;
  const pair = peakPair(rounds);
  const t = interleaved({ one: pair.one, all: pair.both }, ROUNDS, 0.5);
  pair.close();
  const gflops = (rounds * PEAK_FLOPS_PER_ROUND) / 1e9;
  report.add({
    case: "machine: peak multiply-adds, no memory (GFLOP/s)", ours: (2 * gflops) / med(t.all), peer: "-", peer_value: null, unit: "GFLOP/s", ratio: null,
    ours_1t: gflops / med(t.one), speedup: med(ratios(t.one, t.all).map((r) => 2 * r)),
  });
}

// ---- gemm, n = 1024 ---------------------------------------------------------------------
{
  const n = 1024;
  const a = e.tensor([n * n], Float32Array.from({ length: n * n }, () => rng.uniform()));
  const b = e.tensor([n * n], Float32Array.from({ length: n * n }, () => rng.uniform()));
  const c = e.tensor([n * n]);
  const s = scale(() => e.core.gemmNN(c.offset, a.offset, b.offset, n, n, n, 0), (2 * n ** 3) / 1e9);
  const torch = torchBoth("torch_gemm.py", [JSON.stringify([["gemmNN", n, n, n]])], (o) => (o.gflops as number[])[0]!);
  row("gemm 1024 (GFLOP/s)", "GFLOP/s", s, torch, 1.8);
  for (const t of [a, b, c]) t.dispose();
}

// ---- conv forward: 64 images 28x28x8 -> 16 filters 3x3 same (the demo CNN's second layer) ----
{
  const [n, h, w, c, k, cout] = [BATCH, 28, 28, 8, 3, 16];
  const layer = conv2d({ filters: cout, kernel: k, padding: "same", bias: false }).at([h, w, c]);
  const plan = compile(layer, { batch: n, changes: "none", seed: 1 });
  plan.inputs[0]!.set(Float32Array.from({ length: plan.inputs[0]!.size }, () => rng.uniform()));
  const flops = (2 * n * h * w * k * k * c * cout) / 1e9;
  const s = scale(() => plan.forward(), flops);
  const torch = torchBoth("torch_conv.py", [JSON.stringify({ n, h, w, c, k, cout, padding: "same" })], (o) => (o.gflops as Record<string, number>).forward!);
  row("conv forward 64x28x28x8 -> 16 (GFLOP/s)", "GFLOP/s", s, torch);
  plan.dispose();
}

// ---- training steps at batch 64: the demo CNN (Adam) and the MLP (SGD) ----------------------
const x = Float32Array.from({ length: BATCH * 784 }, () => rng.uniform());
const y = learning.oneHot(Array.from({ length: BATCH }, () => rng.int(10)), 10);
/** Speeds of one MNIST training step (forward and reverse of the compiled supervised lens) at batch 64, `work` per step. */
function mnistStep(model: Para<Wires, Wires>, optimiser: Optimiser, rate: number, work: number): ReturnType<typeof scale> {
  const plan = compile(learning.supervisedLens(model, { loss: softmaxCrossEntropy, optimiser, rate: losses.constantRate(rate) }), { batch: BATCH, changes: "params", seed: 3 });
  plan.inputs[0]!.set(x);
  plan.inputs[1]!.set(y);
  const s = scale(() => {
    plan.forward();
    plan.reverse();
  }, work);
  plan.dispose();
  return s;
}
row("cnn-step demo CNN b64 (examples/s)", "examples/s", mnistStep(demoCnn(), adam({ lr: 0.002 }), 1, BATCH),
  torchBoth("torch_cnn.py", [String(BATCH)], (o) => (o.examples_per_second as Record<string, number>)[`demo b${BATCH}`]!), 1.6);
row("mlp-step 784-128-10 b64 (steps/s)", "steps/s", mnistStep(mnistMlp(), sgd(), 0.1, 1), torchBoth("torch_mlp.py", [], (o) => o.steps_per_second as number));

// ---- the same steps on a shared machine: another process busy on one core the whole time --------
// Threads must never make a call slower than one thread: where a core is taken, an idle worker
// that spun would take the CPU time its own caller waits for, so workers sleep after a few
// microseconds of spinning (pool.ts).
{
  const busy = spawn(process.execPath, ["-e", "for (;;);"], { stdio: "ignore" });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    row("mlp-step b64, a core busy elsewhere (steps/s)", "steps/s", mnistStep(mnistMlp(), sgd(), 0.1, 1), null, 1.0);
    row("cnn-step b64, a core busy elsewhere (examples/s)", "examples/s", mnistStep(demoCnn(), adam({ lr: 0.002 }), 1, BATCH), null, 1.0);
  } finally {
    busy.kill();
  }
}

// ---- the transformer step of bench/transformer-step.ts (no PyTorch script for it) ----------
{
  const [B, T, V] = [16, 128, 89];
  const options = { vocab: V, context: T, dim: 128, heads: 4, layers: 4 };
  const plan = compile(learning.supervisedLens(transformer(options), { loss: losses.tokenCrossEntropy, optimiser: sgd(), rate: losses.constantRate(0.1) }), { batch: B, changes: "params" });
  plan.inputs[0]!.set(Float32Array.from({ length: B * T }, () => rng.int(V)));
  const targets = new Float32Array(B * T * V);
  for (let i = 0; i < B * T; i++) targets[i * V + rng.int(V)] = 1;
  plan.inputs[1]!.set(targets);
  const s = scale(() => {
    plan.forward();
    plan.reverse();
  }, B * T);
  row("transformer step 4x128, b16 t128 (tokens/s)", "tokens/s", s, null);
  plan.dispose();
}

// ---- where cutting starts to pay: single kernel calls around split.ts's thresholds ----------
// Each call is timed whole on the calling thread (setThreads(1)) and cut across every core; the
// thresholds in split.ts should sit near the sizes where the ratio passes 1.
{
  const buffer = 1 << 22;
  const a = e.tensor([buffer], Float32Array.from({ length: buffer }, () => rng.normal()));
  const b = e.tensor([buffer], Float32Array.from({ length: buffer }, () => rng.normal()));
  const c = e.tensor([buffer]);
  const probes: [string, number, (size: number) => void, number[]][] = [
    ["gemm n^3 (multiply-adds)", THRESHOLDS.gemm, (s) => { const n = Math.round(Math.cbrt(s)); e.core.gemmNN(c.offset, a.offset, b.offset, n, n, n, 0); }, [1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20]],
    ["exp (elements)", THRESHOLDS.elements, (s) => e.core.exp(c.offset, a.offset, s), [1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 18]],
    ["relu (elements)", THRESHOLDS.elements, (s) => e.core.relu(c.offset, a.offset, s), [1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 18]],
    ["max-pool 2x2, 8 channels (outputs x taps)", THRESHOLDS.window, (s) => {
      const images = Math.max(2, Math.round(s / (14 * 14 * 8 * 4)));
      e.core.maxPool2d(c.offset, b.offset, a.offset, images, 28, 28, 8, 2, 2, 2, 2, 0, 0, 14, 14);
    }, [1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20]],
  ];
  const saved = { ...THRESHOLDS };
  for (const [name, threshold, call, sizes] of probes) {
    const cells = sizes.map((size) => {
      // cut every call, whatever its size, to see what cutting costs or saves
      Object.assign(THRESHOLDS, { gemm: 0, elements: 0, window: 0 });
      const t = interleaved({ one: () => (e.setThreads(1), call(size)), all: () => (e.setThreads(cores), call(size)) }, 5, 0.15);
      Object.assign(THRESHOLDS, saved);
      return `${size}: ${med(ratios(t.one, t.all)).toFixed(2)}x`;
    });
    console.log(`cutting ${name} across ${cores} threads (threshold ${threshold}): ${cells.join(", ")}`);
  }
  for (const t of [a, b, c]) t.dispose();
}

report.finish();
