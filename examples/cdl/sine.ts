// An unfold generating a sine wave. The coalgebra S -> O x S reads an output
// off the state and moves the state on: o = s R + c, s' = tanh(s W + b). An
// encoder turns a phase phi into the first state; the stream from it should
// be sin(phi + w t), t = 0, 1, 2, ... Trained on `steps` outputs, then also
// asked for twice as many (steps it never saw).
// No Node APIs here: the tests import these functions too.
import { type Para, type Rng, adam, dense, mse, supervised, initialisers, wires } from "paralens";
import { unfold } from "paralens/cdl";
import type { Log } from "./sequences.ts";

export interface SineOptions {
  hidden?: number;
  steps?: number;
  period?: number;
  examples?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  log?: Log;
}

function waves(count: number, steps: number, period: number, rng: Rng): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(count * 2);
  const y = new Float32Array(count * steps);
  for (let e = 0; e < count; e++) {
    const phi = 2 * Math.PI * rng.uniform();
    x.set([Math.cos(phi), Math.sin(phi)], e * 2);
    for (let t = 0; t < steps; t++) y[e * steps + t] = Math.sin(phi + (2 * Math.PI * t) / period);
  }
  return { x, y };
}

/** Trains the generator; returns the test mean squared error over the trained steps and over twice as many. */
export function trainSine(options: SineOptions = {}): Record<string, number> {
  const { hidden: H = 16, steps = 40, period = 20, examples = 512, epochs = 80, lr = 0.005, seed = 1, log = () => {} } = options;
  const cell = wires.diagram("wave step", [[H]], (d, [s]) => [d.apply1(dense(H, 1), [s!], "readout"), d.apply1(dense(H, H, "tanh"), [s!], "next")]);
  const stream = unfold(cell);
  const generator = (k: number): Para =>
    wires.diagram("sine generator", [[2]], (d, [phase]) => [d.apply1(stream.take(k), [d.apply1(dense(2, H, "tanh"), [phase!], "encoder")])]);
  const learner = supervised(generator(steps) as Para<readonly [readonly [2]], readonly [readonly [number, 1]]>, { loss: mse, optimiser: adam({ lr }), rate: 1, seed });
  const train = waves(examples, steps, period, new initialisers.Rng(seed));
  const started = performance.now();
  let last = 0;
  // fit is asynchronous (it yields to the event loop); step keeps this function synchronous
  const rng = new initialisers.Rng(seed + 7);
  const order = Array.from({ length: examples }, (_, i) => i);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(order);
    let total = 0;
    for (let from = 0; from < examples; from += 32) {
      const rows = order.slice(from, from + 32);
      const x = Float32Array.from(rows.flatMap((r) => [train.x[r * 2]!, train.x[r * 2 + 1]!]));
      const y = Float32Array.from(rows.flatMap((r) => Array.from(train.y.subarray(r * steps, (r + 1) * steps))));
      total += learner.step(x, y) * rows.length;
    }
    last = total / examples;
    if (epoch % 10 === 0 || epoch === epochs) log(`  epoch ${epoch}: training loss ${last.toFixed(5)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const meanSquare = (k: number, model: Para): number => {
    const test = waves(200, k, period, new initialisers.Rng(seed + 1000));
    const pred = supervised(model as Para<readonly [readonly [2]], readonly [readonly [number, 1]]>, { loss: mse, seed });
    pred.setParameters(learner.parameters());
    const y = pred.predict(test.x);
    pred.dispose();
    let s = 0;
    y.forEach((v, i) => (s += (v - test.y[i]!) ** 2));
    return s / y.length;
  };
  const result = { mseTrainedSteps: meanSquare(steps, generator(steps)), mseTwiceAsLong: meanSquare(2 * steps, generator(2 * steps)), trainingLoss: last, seconds };
  learner.dispose();
  return result;
}
