// Deep Sets (Zaheer et al. 2017) learning functions of sets: the sum and the
// maximum of n numbers in [0, 1). The model rho(sum_i phi(x_i)) is invariant
// under permutations by construction; phi and rho do not depend on n, so one
// set of parameters serves every set size (one plan per size).
// No Node APIs here: the tests import these functions too.
import { type Para, type Rng, adam, dense, mse, seq, initialisers } from "paralens";
import { type Bucket, StructuredLearner, deepSets } from "paralens/cdl";
import type { Log } from "./sequences.ts";

/** Sets of each size, elements uniform in [0, 1), with their sum or maximum. */
export function setBuckets(task: "sum" | "max", sizes: readonly number[], perSize: number, rng: Rng): Bucket[] {
  return sizes.map((n) => {
    const x = new Float32Array(perSize * n);
    const y = new Float32Array(perSize);
    for (let e = 0; e < perSize; e++) {
      let [sum, max] = [0, 0];
      for (let i = 0; i < n; i++) {
        const v = rng.uniform();
        x[e * n + i] = v;
        sum += v;
        max = Math.max(max, v);
      }
      y[e] = task === "sum" ? sum : max;
    }
    return { key: n, x: [x], y };
  });
}

export interface SetOptions {
  task: "sum" | "max";
  hidden?: number;
  sizes?: readonly number[];
  perSize?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  log?: Log;
}

/** Trains rho(sum phi(x_i)) on sets of sizes 2-10; tests on fresh sets of those sizes and of sizes 11-15 (never seen). */
export async function trainDeepSets(options: SetOptions): Promise<Record<string, number>> {
  const { task, hidden: H = 32, sizes = [2, 3, 4, 5, 6, 7, 8, 9, 10], perSize = 400, epochs = 40, lr = 0.003, seed = 1, log = () => {} } = options;
  const phi = seq(dense(1, H, "relu"), dense(H, H, "relu")) as Para;
  const rho = seq(dense(H, H, "relu"), dense(H, 1)) as Para;
  const build = (n: string): Para => deepSets(Number(n), phi, rho);
  const learner = new StructuredLearner(build, { loss: mse, optimiser: adam({ lr }), rate: 1, seed, key: sizes[0]! });
  const started = performance.now();
  await learner.fit(setBuckets(task, sizes, perSize, new initialisers.Rng(seed)), {
    epochs,
    batchSize: 32,
    seed,
    onEpochEnd: ({ epoch, loss }) => {
      if (epoch % 10 === 0 || epoch === epochs) log(`  epoch ${epoch}: training loss ${loss.toFixed(5)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const mae = (buckets: Bucket[]): number => {
    let [err, count] = [0, 0];
    for (const b of buckets) learner.predict(b.key, b.x).forEach((p, i) => ((err += Math.abs(p - b.y[i]!)), count++));
    return err / count;
  };
  const result = {
    meanAbsError: mae(setBuckets(task, sizes, 200, new initialisers.Rng(seed + 1000))),
    meanAbsErrorLarger: mae(setBuckets(task, [11, 12, 13, 14, 15], 200, new initialisers.Rng(seed + 2000))),
    seconds,
  };
  learner.dispose();
  return result;
}
