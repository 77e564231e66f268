// paralens counterparts of the PyTorch models in examples/torch/train.py's
// golden files, and a way to run any of them on some inputs.
import { conv2d, dense, flatten, maxPool2d, mse, seq, supervised, type Para, type Wires, layers, wires } from "../ts-api/index.ts";
import { fold, lstm, zeroPoint } from "../ts-api/cdl/index.ts";

/** nn.Sequential(Linear(784, 16), ReLU, Linear(16, 10)). */
export const smallMlp = (): Para<Wires, Wires> => seq(dense(784, 16, "relu"), dense(16, 10));

/** conv 3x3 4 same ; relu ; pool 2 ; conv 3x3 6 valid ; relu ; pool 2 ; flatten (NHWC) ; linear 216 -> 10. */
export const smallCnn = (): Para<Wires, Wires> =>
  seq(
    conv2d({ filters: 4, kernel: 3, padding: "same" }), layers.relu, maxPool2d(2),
    conv2d({ filters: 6, kernel: 3 }), layers.relu, maxPool2d(2),
    flatten, dense(6 * 6 * 6, 10),
  ).at([28, 28, 1]);

/**
 * nn.LSTM(inputs, hidden) over `steps` steps from zero state, then a linear
 * readout of the last h. A fold reads the head of its list last, so it is fed
 * the sequence in reverse (see reverseSteps).
 */
export function lstmModel(steps: number, inputs: number, hidden: number, outputs: number): Para<Wires, Wires> {
  const start = wires.diagram("start", [], (d) => [d.apply1(zeroPoint([hidden]), []), d.apply1(zeroPoint([hidden]), [])]);
  const rnn = fold({ nil: start, cons: lstm(inputs, hidden) });
  return wires.diagram("lstm model", [[steps, inputs]], (d, [x]) => {
    const [h] = d.apply(rnn.at(steps), [x!], "rnn");
    return [d.apply1(dense(hidden, outputs), [h!], "readout")];
  }) as Para<Wires, Wires>;
}

/** [batch, steps, width] sequences with their steps in reverse order. */
export function reverseSteps(x: Float32Array, batch: number, steps: number, width: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) for (let t = 0; t < steps; t++) out.set(x.subarray((b * steps + t) * width, (b * steps + t + 1) * width), (b * steps + steps - 1 - t) * width);
  return out;
}

/** The model's outputs with the given parameters. */
export function run(model: Para<Wires, Wires>, parameters: Record<string, ArrayLike<number>>, x: Float32Array): Float32Array {
  const learner = supervised(model, { loss: mse });
  try {
    learner.setParameters(parameters);
    return learner.predict(x);
  } finally {
    learner.dispose();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}
