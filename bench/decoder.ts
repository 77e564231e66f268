// Generation per token: the cached (Mealy-machine) decoder vs re-running the full transformer on the growing prefix, 4 blocks, d 128, context 128.
import { compile, transformer, initialisers, serve } from "../ts-api/index.ts";
import { startEngine } from "./lib/core.ts";
import { Report } from "./lib/report.ts";

await startEngine();
const report = new Report("decoder");
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const options = { vocab: 89, context: arg("context", 128), dim: arg("dim", 128), heads: 4, layers: arg("layers", 4) };
const T = options.context;
const full = compile(transformer(options), { batch: 1, changes: "none", seed: 1 });
const decoder = new serve.Decoder(options, full.params);
const rng = new initialisers.Rng(2);
const tokens = Array.from({ length: T }, () => rng.int(options.vocab));

// the full model: each new token re-runs all T positions (later ones padded; causal, so they do not matter) and reads row i
const fullSequence = (): void => {
  for (let i = 0; i < T; i++) {
    full.inputs[0]!.data.set(tokens.slice(0, i + 1));
    full.forward();
  }
};
const cached = (): void => {
  decoder.reset();
  for (let i = 0; i < T; i++) decoder.step(tokens[i]!);
};
const seconds = (f: () => void, rounds: number): number => {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
};
cached();
fullSequence();
const [tc, tf] = [seconds(cached, 5), seconds(fullSequence, 3)];
report.add({ case: `${options.layers}x${options.dim} ${T} tokens, per token`, ours: T / tc, peer: "full model re-run", peer_value: T / tf, unit: "tokens/s", ratio: tf / tc });
decoder.dispose();
full.dispose();
report.finish();
