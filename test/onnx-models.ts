// The models the ONNX tests export: the examples' models (MNIST MLP and CNNs,
// the Iris models), and models that reach every op with a lowering (layer
// norm, gelu, silu, pooling of both kinds, unrolled folds, a circular
// convolution's gathers, reductions and elementwise ops, a two-wire model).
// Each comes with its parameters, so a test can run it on the wasm plan and
// in ONNX Runtime from the same values.
import {
  type Para, type Wires, lens, maxPool2d, conv2d, dense, flatten, layerNorm, seq, par, transformer, initialisers, layers, wires,
} from "../ts-api/index.ts";
import { circularConv2d, deepSets, elman, fold, foldTree, gru, lstm, mealy, point, unfold } from "../ts-api/cdl/index.ts";
import { demoCnn, mnistMlp, referenceCnn } from "../examples/models/mnist.ts";
import { irisSetups } from "../examples/models/iris.ts";
import { irisFeatures, irisLabels } from "../examples/data/iris.ts";
import { initial } from "./util.ts";
import { fromOnnx, onnxParameters } from "../ts-api/io/index.ts";
import { mse, sgd, supervised } from "../ts-api/index.ts";
import { onnx as bnTrainOnnx } from "./fixtures/onnx/bn_train.ts";

type AnyPara = Para<Wires, Wires>;

export interface ExportCase {
  label: string;
  model: AnyPara;
  /** By parameter name, as learner.parameters() gives them. */
  parameters: Record<string, Float32Array>;
  batch: number;
  /** Scale of the random inputs (normal). */
  scale?: number;
  /** Inputs of wires that must hold 0/1 masks. */
  masks?: readonly number[];
  /** Inputs that are token ids, whole numbers below this vocabulary size (every wire of the case). */
  vocab?: number;
}

const byName = (model: AnyPara, values: readonly ArrayLike<number>[]): Record<string, Float32Array> =>
  Object.fromEntries(model.params.map((p, i) => [p.name, Float32Array.from(values[i]!)]));

/** The model with its initialisers' parameters (seeded). */
function initialised(label: string, model: AnyPara, batch: number, extra: Partial<ExportCase> = {}): ExportCase {
  return { label, model, parameters: byName(model, initial(model, 7)), batch, ...extra };
}

/** Iris models trained for a few epochs on the Iris data, as examples/iris.ts trains them (but shorter). */
export async function irisCases(): Promise<ExportCase[]> {
  const cases: ExportCase[] = [];
  for (const setup of irisSetups) {
    const learner = setup.make(1);
    await learner.fit(irisFeatures, irisLabels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))), { epochs: 5, batchSize: setup.batchSize, seed: 1 });
    cases.push({ label: `Iris ${setup.name} (${setup.describe})`, model: learner.model as AnyPara, parameters: learner.parameters(), batch: 5, scale: 3 });
    learner.dispose();
  }
  return cases;
}

/** Batch normalization after a convolution and after a dense layer, with running statistics that are not the initial ones, as after training. */
function normalised(): ExportCase {
  const model = seq(conv2d({ filters: 3, kernel: 3, padding: "same" }), layers.batchNorm(3), flatten, dense(60, 4), layers.batchNorm(4)).at([4, 5, 2]) as AnyPara;
  const c = initialised("conv ; batchNorm over its channels ; flatten ; dense ; batchNorm (BatchNormalization in inference form)", model, 3);
  for (const [name, v] of Object.entries(c.parameters)) {
    if (name.endsWith("running_mean")) v.forEach((_, k) => (v[k] = 0.3 * Math.sin(k + 1)));
    if (name.endsWith("running_var")) v.forEach((_, k) => (v[k] = 1 + 0.5 * Math.cos(k)));
  }
  return c;
}

/** The PyTorch CNN with batch normalization exported in training mode (test/fixtures/onnx/bn_train), imported, after one training step: its images are channels-last inside. */
function importedBatchNorm(): ExportCase {
  const bytes = Uint8Array.from(atob(bnTrainOnnx), (c) => c.charCodeAt(0));
  const model = fromOnnx(bytes);
  const learner = supervised(model, { loss: mse, optimiser: sgd(), rate: 0.1 });
  try {
    learner.setParameters(onnxParameters(bytes));
    const rng = new initialisers.Rng(2);
    learner.step(Float32Array.from({ length: 3 * 160 }, () => rng.normal()), new Float32Array(3 * 3).fill(0.5));
    return { label: "a PyTorch CNN with BatchNorm2d and BatchNorm1d imported in training mode, after a step (statistics channels-last)", model, parameters: learner.parameters(), batch: 3 };
  } finally {
    learner.dispose();
  }
}

/** A few of every kind of layer that has an ONNX lowering. */
export function layerCases(): ExportCase[] {
  const fold3 = (cons: AnyPara, h: number, t: number, label: string): ExportCase =>
    initialised(label, seq(fold({ nil: point([h]), cons: cons as never }).at(t), dense(h, 2)) as AnyPara, 3);
  const elementwiseModel = wires.diagram("elementwise ops", [[3, 5]], (d, [x]) => {
    const m = d.apply1(layers.reduceMax(), [x!]);
    const e = d.apply1(layers.exp, [d.apply1(layers.elementwise("sub", [3, 5], [3, 1]), [x!, m])]);
    const p = d.apply1(layers.elementwise("div", [3, 5], [3, 1]), [e, d.apply1(layers.reduceSum(), [e])]);
    const q = d.apply1(layers.log, [d.apply1(layers.sqrt, [d.apply1(layers.square, [d.apply1(layers.abs, [x!])])])]);
    const r = d.apply1(layers.elementwise("max", [3, 5], [3, 5]), [d.apply1(layers.neg, [q]), d.apply1(layers.erf, [p])]);
    const column = d.apply1(layers.reshape([5]), [d.apply1(layers.reduceMean(0), [r])]);
    const s = d.apply1(layers.elementwise("min", [3, 5], [5]), [d.apply1(layers.rsqrt, [d.apply1(layers.exp, [x!])]), column]);
    return [d.apply1(layers.elementwise("mul", [3, 5], [3, 1]), [s, d.apply1(layers.reduceSum(), [s])])];
  });
  const twoWires = wires.diagram("where(mask, x, tanh x) and a second output", [[4], [4]], (d, [mask, x]) => [
    d.apply1(layers.where([4]), [mask!, x!, d.apply1(layers.tanh, [x!])]),
    d.apply1(layers.elementwise("add", [4], [4]), [x!, x!]),
  ]);
  return [
    initialised("MNIST MLP 784-128-10", mnistMlp(), 4),
    initialised(
      "a transformer (embedding as Gather, heads as Reshape and Transpose, the causal mask as an additive constant)",
      transformer({ vocab: 11, context: 8, dim: 16, heads: 2, layers: 2 }) as AnyPara, 3, { vocab: 11 },
    ),
    initialised("demo CNN (conv same, relu, max-pool, dense)", demoCnn(), 2),
    initialised("reference CNN (conv valid without bias, max-pool, sigmoid)", referenceCnn(), 2),
    initialised("dense ; layerNorm ; gelu ; dense ; softmax", seq(dense(6, 16), layerNorm(), layers.gelu, dense(16, 4), layers.softmax) as AnyPara, 5),
    initialised("silu, leakyRelu, tanh, layerNorm without affine", seq(dense(5, 8, "tanh"), layers.silu, layers.leakyRelu(0.1), layerNorm({ affine: false }), dense(8, 3)) as AnyPara, 3),
    initialised(
      "conv stride 2 ; avg-pool same ; max-pool valid ; flatten",
      seq(conv2d({ filters: 4, kernel: 3, stride: 2, padding: "same" }), layers.relu, layers.avgPool2d(3, { stride: 2, padding: "same" }), maxPool2d(2), flatten).at([9, 11, 2]) as AnyPara,
      2,
    ),
    normalised(),
    importedBatchNorm(),
    fold3(gru(3, 5), 5, 4, "GRU fold over 4 items ; dense"),
    initialised(
      "LSTM fold over 3 items ; dense of h",
      seq(fold({ nil: par(point([4]), point([4])), cons: lstm(3, 4) }).at(3), par(dense(4, 2), wires.discard([4]))) as AnyPara,
      3,
    ),
    fold3(elman(2, 6), 6, 5, "Elman fold over 5 items"),
    initialised(
      "Mealy machine (GRU cell and readout) over 6 steps",
      mealy(wires.diagram("step", [[2], [4]], (d, [x, h]) => {
        const next = d.apply1(gru(2, 4), [x!, h!], "gru");
        return [d.apply1(dense(4, 1, "sigmoid"), [next], "out"), next];
      }) as AnyPara).outputs(6, point([4])) as AnyPara,
      3,
    ),
    initialised(
      "unfold: 5 outputs of a stream from an encoded state",
      seq(dense(2, 6, "tanh"), unfold(wires.diagram("wave", [[6]], (d, [h]) => [d.apply1(dense(6, 1), [h!], "o"), d.apply1(dense(6, 6, "tanh"), [h!], "n")]) as never).take(5)) as AnyPara,
      3,
    ),
    initialised(
      "tree fold over ((. .) .) with labelled nodes",
      foldTree({ leaf: dense(1, 3, "tanh"), node: seq(wires.concat([2], [3], [3]), dense(8, 3, "tanh")) as AnyPara, label: [2] }).at("((..).)") as AnyPara,
      3,
    ),
    initialised("circular 2-D convolution (tied weights by gather)", circularConv2d(4, 5, 2, 3, 3, 3, { activation: "relu" }) as AnyPara, 2),
    initialised("deep sets over 5 elements", deepSets(5, dense(3, 8, "relu") as AnyPara, dense(8, 2) as AnyPara), 3),
    initialised("elementwise ops, reductions and broadcasting", elementwiseModel as AnyPara, 3),
    initialised("two wires in, two out: where and add", twoWires as AnyPara, 3, { masks: [0] }),
  ];
}

/**
 * A lens that calls, in its forward pass, the ops no layer above reaches:
 * products with transposes (Gemm) and batches of them, log-softmax,
 * comparisons, sign, select, broadcasts, reductions to a shape, slices,
 * concatenations, a gather with holes, and plain sums and scalings.
 */
export function everyOpCase(): ExportCase {
  const W = Float32Array.from({ length: 20 }, (_, i) => Math.cos(i));
  const index = Int32Array.from({ length: 6 }, (_, i) => (i === 2 ? -1 : 5 * i + 1));
  const model = lens({
    name: "every op",
    dom: [[3, 4]],
    cod: [[16], [15], [3, 3], [4, 4], [3, 4], [3, 4], [13], [2, 3]],
    reverse: () => [null],
    forward(ops, [x]) {
      const n = ops.shape(x!)[0]!;
      const rows = ops.reshape(x!, [n * 3, 4]);
      const gram = ops.matmul(rows, rows, true, false); // [4, 4], no batch axis: repeated over it
      const o1 = ops.broadcastTo(ops.reshape(gram, [1, 16]), [n, 16]);
      const o2 = ops.reshape(ops.matmul(rows, ops.constant(W, [5, 4]), false, true), [n, 15]);
      const o3 = ops.batchMatmul(x!, x!, false, true);
      const o4 = ops.batchMatmul(x!, x!, true, false);
      const o5 = ops.logSoftmax(x!);
      const positive = ops.greater(x!, ops.constant(new Float32Array([0]), []));
      const ones = ops.equal(ops.sign(x!), ops.fill([n, 3, 4], 1));
      const picked = ops.select(positive, ops.addScaled(x!, ones, 0.5), ops.scale(ops.abs(x!), -2));
      const o6 = ops.plus(ops.minimum(picked, ops.maxTo(x!, [n, 3, 1])), ops.maximum(ops.sumTo(x!, [n, 1, 4]), ops.zeros([4])));
      const flat = ops.reshape(x!, [n, 12]);
      const parts = ops.concatColumns([ops.sliceColumns(flat, 2, 5, [n, 5]), ops.sliceColumns(flat, 0, 1, [n, 1]), ops.sliceColumns(flat, 5, 7, [n, 7])], [n, 13]);
      const o7 = ops.add(parts, ops.broadcastTo(ops.reshape(ops.sumRows(parts), [1, 13]), [n, 13]));
      const o8 = ops.broadcastTo(ops.reshape(ops.gather(x!, index, [2, 3]), [1, 2, 3]), [n, 2, 3]);
      return [[o1, o2, o3, o4, o5, o6, o7, o8], null];
    },
  }) as unknown as AnyPara;
  return { label: "every op without a layer of its own (Gemm, batches, log-softmax, comparisons, select, slices, gather)", model, parameters: {}, batch: 3 };
}

/** Random normal inputs for every wire of a case (0/1 on mask wires). */
export function inputsFor(c: ExportCase, seed: number): Float32Array[] {
  const rng = new initialisers.Rng(seed);
  return c.model.dom.map((s, i) => {
    const n = c.batch * s.reduce((a, b) => a * b, 1);
    const mask = c.masks?.includes(i) ?? false;
    const vocab = c.vocab;
    if (vocab !== undefined) return Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * vocab));
    return Float32Array.from({ length: n }, () => (mask ? (rng.uniform() < 0.5 ? 1 : 0) : (c.scale ?? 1) * rng.normal()));
  });
}
