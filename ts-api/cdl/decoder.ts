// Autoregressive generation as a Mealy machine (Gavranović et al. 2024): the
// decoder is a coalgebra I -> O x S of the endofunctor (I -> O x -), in Para
// a cell token x state -> logits x state whose state is the key/value cache
// of every layer and the position. One step embeds one token, appends its
// keys and values to the cache, attends over the cache, and reads the next
// token's logits: O(layers (d^2 + T d)) work per token where re-running the
// full model on the growing prefix costs O(layers T (d^2 + T d)). Its
// parameters are the transformer's, in the same order, so a trained model's
// tensors compile into it as they are. It is built for generation: its
// reverse pass is not defined (train `transformer`, whose outputs it equals).
import type { Value } from "../algebra/category.ts";
import { type Para, para, resolve } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { mealy, type Machine } from "./machines.ts";
import { ParalensError, describe, optionsArgument } from "../engine/errors.ts";
import type { Tensor } from "../engine/tensor.ts";
import { compile, type Compiled } from "../backend/compile.ts";
import type { Rng } from "../init/random.ts";
import type { RealOps } from "../ops/index.ts";
import { bringOps } from "../ops/registry.ts";
import { gelu } from "../layers/gelu.ts";
import { layerNorm } from "../layers/layerNorm.ts";
import { tokenLinear } from "../layers/tokenLinear.ts";
import { type TransformerOptions, transformer } from "../layers/transformer.ts";
import { attentionOps } from "../ops/attention.ts";
import { wireOps } from "../ops/wires.ts";

// its ops (ops/index.ts), registered when a machine is made, not at load: a
// program that makes none carries none of their code
const OPS = [() => wireOps, () => attentionOps];

/** Parameters per block: layerNorm (2), attention (4), layerNorm (2), two tokenLinear (2 + 2). */
const PER_BLOCK = 12;

/**
 * decoderMachine(options): the Mealy machine of the transformer built from the
 * same options (tied, without dropout). Its cell is
 * [[1] token, [1] position, ...caches] -> [[vocab] logits, [1] position, ...caches],
 * caches a key and a value [heads, context, d / heads] per layer. Starting from
 * zeros and fed tokens t_0..t_i, its logits equal the full model's at position i.
 *
 * @example
 * ```ts
 * const machine = serve.decoderMachine({ vocab: 65, context: 64, dim: 64, heads: 4, layers: 2 });
 * ```
 *
 * @category Layers
 */
export function decoderMachine(options: TransformerOptions): Machine {
  bringOps(OPS);
  optionsArgument("decoderMachine", options);
  const { vocab, context: T, dim: d, heads: H, layers: L, expansion = 4 } = options;
  const D = d / H;
  const model = transformer({ ...options, dropout: 0, tied: true });
  const hidden = Math.round(d * expansion);
  const cache: Shape = [H, T, D];
  const state: Wires = [[1], ...Array.from({ length: 2 * L }, () => cache)];
  const norm = resolve(layerNorm(), [[d]]);
  const up = resolve(tokenLinear(d, hidden), [[d]]);
  const act = resolve(gelu, [[hidden]]);
  const down = resolve(tokenLinear(hidden, d), [[hidden]]);
  const iota = Float32Array.from({ length: T }, (_, i) => i);
  const one = new Float32Array([1]);
  const apply = (ops: RealOps, f: Para<Wires, Wires>, p: readonly Value[], x: Value): Value => f.forward(ops, p, [x])[0][0]!;

  const cell = para<Wires, Wires, null>({
    name: `decoder step(${model.name})`,
    dom: [[1], ...state],
    cod: [[vocab], ...state],
    params: model.params,
    forward(ops, p, [token, position, ...caches]) {
      const n = ops.shape(token!)[0]!;
      // one-hot of the position: picks the positional row
      const at = ops.equal(position!, ops.constant(iota, [1, T]));
      let x = ops.plus(ops.reshape(ops.gatherRows(p[0]!, token!), [n, d]), ops.matmul(at, p[1]!, false, false));
      // the cache row of this position for example e and head h: (e H + h) T + position
      const rows = ops.plus(ops.constant(Float32Array.from({ length: n * H }, (_, i) => i * T), [n, H]), position!);
      // keys after the position are masked by a large negative score
      const future = ops.scale(ops.greater(ops.constant(iota, [1, T]), position!), -1e9);
      const next: Value[] = [];
      for (let l = 0; l < L; l++) {
        const w = p.slice(2 + l * PER_BLOCK, 2 + (l + 1) * PER_BLOCK);
        const h = apply(ops, norm, w.slice(0, 2), x);
        const [q, k, v] = [2, 3, 4].map((i) => ops.matmul(h, w[i]!, false, false));
        // a compiled cell writes the row into the cache where it lies (setRows), so a step costs
        // O(d) for the cache rather than O(T d), and the cache it returns is the one it was given
        const write = (c: Value, row: Value): Value => ops.reshape(ops.setRows(ops.reshape(c, [n * H * T, D]), ops.reshape(row, [n * H, D]), rows), [n, H, T, D]);
        const [kc, vc] = [write(caches[2 * l]!, k!), write(caches[2 * l + 1]!, v!)];
        next.push(kc, vc);
        const scores = ops.reshape(ops.batchMatmul(ops.reshape(q!, [n * H, 1, D]), ops.reshape(kc, [n * H, T, D]), false, true), [n, H, T]);
        const masked = ops.plus(ops.scale(scores, 1 / Math.sqrt(D)), ops.reshape(future, [n, 1, T]));
        const weights = ops.reshape(ops.softmax(ops.reshape(masked, [n * H, T])), [n * H, 1, T]);
        const mixed = ops.reshape(ops.batchMatmul(weights, ops.reshape(vc, [n * H, T, D]), false, false), [n, d]);
        x = ops.add(x, ops.matmul(mixed, w[5]!, false, false));
        const m = apply(ops, down, w.slice(10, 12), apply(ops, act, [], apply(ops, up, w.slice(8, 10), apply(ops, norm, w.slice(6, 8), x))));
        x = ops.add(x, m);
      }
      const last = p.slice(2 + L * PER_BLOCK);
      const logits = ops.matmul(apply(ops, norm, last, x), p[0]!, false, true);
      return [[logits, ops.plus(position!, ops.constant(one, [1, 1])), ...next], null];
    },
    reverse() {
      throw new ParalensError("decoder step: has no reverse pass; train transformer(...) and compile its parameters into the decoder");
    },
  });
  if (cell.params.length !== 2 + L * PER_BLOCK + 2) throw new ParalensError(`decoderMachine: ${model.name} has an unexpected parameter list`);
  return mealy(cell, `decoder(${model.name})`);
}

/**
 * How to draw the next token from logits: divide by the temperature (a finite number > 0), keep the topK largest (a whole number; 0: all).
 *
 * @category Layers
 */
export interface SamplingOptions {
  temperature?: number;
  topK?: number;
}

/**
 * A token drawn from softmax(logits / temperature) restricted to the topK largest logits.
 * Logits must be finite numbers: a NaN or an infinite logit (from a model that overflowed) has no
 * probability to give, so it is refused with its index rather than sampled around.
 *
 * @example
 * ```ts
 * serve.sampleToken([0.1, 3, -1], new initialisers.Rng(1), { temperature: 0.5, topK: 2 });   // 1 or 0, mostly 1
 * ```
 *
 * @category Layers
 */
export function sampleToken(logits: ArrayLike<number>, rng: Rng, options: SamplingOptions = {}): number {
  optionsArgument("sampleToken", options);
  checkSampling("sampleToken", options);
  const { temperature = 1, topK = 0 } = options;
  if (!isNumbers(logits)) throw new ParalensError(`sampleToken: logits must be an array or a typed array of numbers, got ${describe(logits)}`);
  if (logits.length === 0) throw new ParalensError("sampleToken: logits is empty; there is no token to draw");
  for (let i = 0; i < logits.length; i++) {
    const v: unknown = logits[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ParalensError(`sampleToken: logit ${i} is ${describe(v)}; logits must be finite numbers`);
  }
  if (typeof (rng as { uniform?: unknown } | null)?.uniform !== "function") throw new ParalensError(`sampleToken: rng must be an Rng (new Rng(seed)), got ${describe(rng)}`);
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  const kept = topK > 0 ? order.slice(0, topK) : order;
  const top = logits[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((logits[i]! - top) / temperature));
  let u = rng.uniform() * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < kept.length; j++) if ((u -= weights[j]!) < 0) return kept[j]!;
  return kept[kept.length - 1]!;
}

const isNumbers = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** Throws unless sampling options are an object with a finite temperature > 0 and a whole topK >= 0. */
function checkSampling(what: string, options: SamplingOptions): void {
  if (typeof options !== "object" || options === null) throw new ParalensError(`${what}: options must be an object ({ temperature, topK }), got ${describe(options)}`);
  const { temperature = 1, topK = 0 } = options;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || !(temperature > 0)) throw new ParalensError(`${what}: temperature must be a finite number > 0, got ${describe(temperature)}`);
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 0) throw new ParalensError(`${what}: topK must be a whole number >= 0 (0: every token), got ${describe(topK)}`);
}

/**
 * An incremental decoder: the decoder machine's cell compiled (batch 1,
 * forward only) on a model's parameter tensors, its state carried from each
 * step to the next. `step(token)` returns the logits of the next token.
 *
 * @example
 * ```ts
 * const options = { vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 };
 * const learner = supervised(transformer(options), { loss: losses.tokenCrossEntropy, optimiser: adam() });
 * const dec = new serve.Decoder(options, learner.params);
 * const logits = dec.step(3);   // Float32Array(vocab): the next token's logits
 * ```
 *
 * @category Layers
 */
export class Decoder {
  readonly machine: Machine;
  private readonly plan: Compiled;
  private position = 0;

  constructor(readonly options: TransformerOptions, params: readonly Tensor[]) {
    this.machine = decoderMachine(options);
    this.plan = compile(this.machine.cell, { batch: 1, params, changes: "none" });
    this.reset();
  }

  /** Tokens fed since the last reset (the decoder holds at most `context`). */
  get length(): number {
    return this.position;
  }

  /** Forgets the sequence: position 0, empty caches. */
  reset(): void {
    for (const t of this.plan.inputs.slice(1)) t.data.fill(0);
    this.position = 0;
  }

  /** Feeds one token (a whole number in [0, vocab)) and returns the next token's logits (a copy). */
  step(token: number): Float32Array {
    this.checkToken("Decoder.step: token", token);
    if (this.position >= this.options.context) throw new ParalensError(`Decoder.step: the context of ${this.options.context} tokens is full; reset() first`);
    const { inputs, outputs } = this.plan;
    inputs[0]!.data[0] = token;
    this.plan.forward();
    // the caches were written where they lie (setRows); only the position is carried over
    for (let i = 1; i < inputs.length; i++) if (outputs[i]!.offset !== inputs[i]!.offset) inputs[i]!.data.set(outputs[i]!.data);
    this.position++;
    return outputs[0]!.toArray();
  }

  /**
   * Continues `prompt` by `count` sampled tokens. When the context fills, the
   * decoder restarts on the last half of it (the model never saw positions past
   * its context).
   */
  generate(prompt: readonly number[], count: number, rng: Rng, sampling: SamplingOptions = {}): number[] {
    // everything is checked before the decoder's state is reset
    if (!Array.isArray(prompt)) throw new ParalensError(`Decoder.generate: prompt must be an array of tokens, got ${describe(prompt)}`);
    prompt.forEach((t, i) => this.checkToken(`Decoder.generate: prompt token ${i}`, t));
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) throw new ParalensError(`Decoder.generate: count must be a whole number >= 0, got ${describe(count)}`);
    if (typeof (rng as { uniform?: unknown } | null)?.uniform !== "function") throw new ParalensError(`Decoder.generate: rng must be an Rng (new Rng(seed)), got ${describe(rng)}`);
    checkSampling("Decoder.generate", sampling);
    const T = this.options.context;
    const tokens = prompt.length > 0 ? [...prompt] : [0];
    this.reset();
    let logits: ArrayLike<number> = [];
    for (const t of tokens.slice(-T)) logits = this.step(t);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const next = sampleToken(logits, rng, sampling);
      out.push(next);
      tokens.push(next);
      if (this.position >= T) {
        this.reset();
        for (const t of tokens.slice(-Math.floor(T / 2))) logits = this.step(t);
      } else {
        logits = this.step(next);
      }
    }
    return out;
  }

  private checkToken(what: string, token: unknown): void {
    const vocab = this.options.vocab;
    if (typeof token !== "number" || !Number.isInteger(token) || token < 0 || token >= vocab) {
      throw new ParalensError(`${what} is ${describe(token)}; tokens are whole numbers in [0, ${vocab})`);
    }
  }

  /** Frees the compiled cell and its state; the decoder cannot step afterwards. */
  dispose(): void {
    this.plan.dispose();
  }
}
