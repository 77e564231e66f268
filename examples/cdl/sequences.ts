// Learning functions of variable-length sequences with a fold (the sum and
// the parity of a list) and a transducer with a Mealy machine (the running
// parity of a bit stream). Each list length has its own compiled plan; all
// plans train one shared set of cell parameters (StructuredLearner).
// No Node APIs here: the tests import these functions too.
import { type Para, type Rng, adam, dense, mse, seq, initialisers, losses, wires } from "paralens";
import { type Bucket, StructuredLearner, elman, fold, gru, mealy, point } from "paralens/cdl";

export type Log = (line: string) => void;

/** Lists of each length, items uniform in [0, 1) (sum) or bits (parity), with their targets. */
export function listBuckets(task: "sum" | "parity", lengths: readonly number[], perLength: number, rng: Rng): Bucket[] {
  return lengths.map((T) => {
    const x = new Float32Array(perLength * T);
    const y = new Float32Array(perLength);
    for (let e = 0; e < perLength; e++) {
      let acc = 0;
      for (let t = 0; t < T; t++) {
        const v = task === "sum" ? rng.uniform() : rng.int(2);
        x[e * T + t] = v;
        acc += v;
      }
      y[e] = task === "sum" ? acc : acc % 2;
    }
    return { key: T, x: [x], y };
  });
}

export interface FoldOptions {
  task: "sum" | "parity";
  hidden?: number;
  lengths?: readonly number[];
  testLengths?: readonly number[];
  perLength?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  log?: Log;
}

/**
 * A folding RNN (fold over the list, then a readout) learning the sum
 * (Elman cell, MSE) or the parity (GRU cell, binary cross-entropy) of lists.
 * Returns the test error: mean absolute error for the sum, accuracy for parity.
 */
export async function trainFoldRnn(options: FoldOptions): Promise<Record<string, number>> {
  const { task, hidden: H = 16, lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], perLength = 400, seed = 1, log = () => {} } = options;
  const { epochs = task === "sum" ? 40 : 20, lr = task === "sum" ? 0.003 : 0.01 } = options;
  const testLengths = options.testLengths ?? lengths;
  const rng = new initialisers.Rng(seed);
  const cell = task === "sum" ? elman(1, H) : gru(1, H);
  const rnn = fold({ nil: point([H]), cons: cell });
  const readout = task === "sum" ? dense(H, 1) : dense(H, 1, "sigmoid");
  const build = (T: string): Para => seq(rnn.at(Number(T)), readout) as Para;
  const learner = new StructuredLearner(build, { loss: task === "sum" ? mse : losses.binaryCrossEntropy, optimiser: adam({ lr }), rate: 1, seed, key: lengths[0]! });
  const train = listBuckets(task, lengths, perLength, rng);
  const started = performance.now();
  await learner.fit(train, {
    epochs,
    batchSize: 32,
    seed,
    onEpochEnd: ({ epoch, loss }) => {
      if (epoch % 5 === 0 || epoch === epochs) log(`  epoch ${epoch}: training loss ${loss.toFixed(4)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const score = (buckets: Bucket[]): number => {
    let total = 0;
    let count = 0;
    for (const b of buckets) {
      const pred = learner.predict(b.key, b.x);
      pred.forEach((p, i) => (total += task === "sum" ? Math.abs(p - b.y[i]!) : Number(p > 0.5 === b.y[i]! > 0.5)));
      count += pred.length;
    }
    return total / count;
  };
  const metric = task === "sum" ? "meanAbsError" : "accuracy";
  const result: Record<string, number> = { [metric]: score(listBuckets(task, testLengths, 200, new initialisers.Rng(seed + 1000))), seconds };
  const longer = testLengths.map((T) => T + Math.max(...testLengths));
  result[`${metric}Longer`] = score(listBuckets(task, longer, 200, new initialisers.Rng(seed + 2000)));
  learner.dispose();
  return result;
}

export interface MealyOptions {
  hidden?: number;
  length?: number;
  testLength?: number;
  examples?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  log?: Log;
}

/**
 * A Mealy machine learning running parity: input bit x_t, output the parity of
 * x_0..x_t at every step. Cell: a GRU step and a sigmoid readout of the new
 * state; initial state learned. Returns the per-step accuracy on fresh
 * sequences of the training length and of a longer one.
 */
export async function trainMealyParity(options: MealyOptions = {}): Promise<Record<string, number>> {
  const { hidden: H = 8, length = 10, testLength = 40, examples = 1000, epochs = 20, lr = 0.02, seed = 1, log = () => {} } = options;
  const cell = wires.diagram("parity step", [[1], [H]], (d, [x, h]) => {
    const next = d.apply1(gru(1, H), [x!, h!], "gru");
    return [d.apply1(dense(H, 1, "sigmoid"), [next], "out"), next];
  });
  const machine = mealy(cell);
  const build = (T: string): Para => machine.outputs(Number(T), point([H])) as Para;
  const learner = new StructuredLearner(build, { loss: losses.binaryCrossEntropy, optimiser: adam({ lr }), rate: 1, seed, key: length });
  const data = (T: number, count: number, r: Rng): Bucket => {
    const x = new Float32Array(count * T);
    const y = new Float32Array(count * T);
    for (let e = 0; e < count; e++) {
      let parity = 0;
      for (let t = 0; t < T; t++) {
        const bit = r.int(2);
        parity ^= bit;
        x[e * T + t] = bit;
        y[e * T + t] = parity;
      }
    }
    return { key: T, x: [x], y };
  };
  const started = performance.now();
  await learner.fit([data(length, examples, new initialisers.Rng(seed))], {
    epochs,
    batchSize: 32,
    seed,
    onEpochEnd: ({ epoch, loss }) => {
      if (epoch % 5 === 0 || epoch === epochs) log(`  epoch ${epoch}: training loss ${loss.toFixed(4)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = (b: Bucket): number => {
    const pred = learner.predict(b.key, b.x);
    let hits = 0;
    pred.forEach((p, i) => (hits += Number(p > 0.5 === b.y[i]! > 0.5)));
    return hits / pred.length;
  };
  const result = { stepAccuracy: accuracy(data(length, 500, new initialisers.Rng(seed + 1000))), stepAccuracyLonger: accuracy(data(testLength, 500, new initialisers.Rng(seed + 2000))), seconds };
  learner.dispose();
  return result;
}
