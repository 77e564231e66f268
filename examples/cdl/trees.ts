// A recursive network evaluating arithmetic expression trees: leaves are
// numbers in [-1, 1], inner nodes are +, - or x (a one-hot label), and the
// target is the value of the expression. The network is a fold over the tree
// (an algebra of A + B x (-)^2): a linear leaf embedding, and a node cell
// reading its operator, both children and their elementwise product (so a
// product of values is in reach). One plan per tree shape, parameters shared.
// No Node APIs here: the tests import these functions too.
import { type Para, type Rng, adam, dense, mse, seq, initialisers, wires } from "paralens";
import { type Bucket, type Tree, StructuredLearner, flattenTree, foldTree, leaf, node, treeShape } from "paralens/cdl";
import type { Log } from "./sequences.ts";

const OPS = ["+", "-", "x"] as const;

/** A random expression with `leaves` leaves: a uniformly random split at every node. */
export function randomExpression(leaves: number, rng: Rng): Tree<number, number> {
  if (leaves === 1) return leaf(Math.round((2 * rng.uniform() - 1) * 100) / 100);
  const left = 1 + rng.int(leaves - 1);
  return node(randomExpression(left, rng), randomExpression(leaves - left, rng), rng.int(3));
}

export function evaluate(t: Tree<number, number>): number {
  if (t.kind === "leaf") return t.value;
  const [a, b] = [evaluate(t.left), evaluate(t.right)];
  return t.label === 0 ? a + b : t.label === 1 ? a - b : a * b;
}

export function show(t: Tree<number, number>): string {
  return t.kind === "leaf" ? String(t.value) : `(${show(t.left)} ${OPS[t.label]} ${show(t.right)})`;
}

/** Expressions grouped by tree shape: leaves [L, 1], one-hot operators [L - 1, 3], values. */
export function expressionBuckets(count: number, leafCounts: readonly number[], rng: Rng): Bucket[] {
  const groups = new Map<string, { leaves: number[]; ops: number[]; values: number[] }>();
  for (let i = 0; i < count; i++) {
    const t = randomExpression(leafCounts[rng.int(leafCounts.length)]!, rng);
    const key = treeShape(t);
    const g = groups.get(key) ?? { leaves: [], ops: [], values: [] };
    const { leaves, labels } = flattenTree(t);
    g.leaves.push(...leaves);
    for (const op of labels) g.ops.push(...OPS.map((_, k) => Number(k === op)));
    g.values.push(evaluate(t));
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ key, x: [Float32Array.from(g.leaves), Float32Array.from(g.ops)], y: Float32Array.from(g.values) }));
}

export interface TreeOptions {
  hidden?: number;
  train?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  log?: Log;
}

/** Trains the tree network on expressions with 1-4 leaves; tests on fresh ones and on 5-leaf trees (shapes never seen). */
export async function trainTreeEvaluator(options: TreeOptions = {}): Promise<Record<string, number>> {
  const { hidden: H = 16, train = 8000, epochs = 60, lr = 0.003, seed = 1, log = () => {} } = options;
  const nodeCell = wires.diagram("node", [[3], [H], [H]], (d, [op, l, r]) => {
    const both = d.apply1(wires.multiply([H]), [l!, r!]);
    const z = d.apply1(seq(wires.concat([3], [H], [H], [H]), dense(3 + 3 * H, 32, "tanh")), [op!, l!, r!, both], "mix");
    return [d.apply1(dense(32, H), [z], "out")];
  });
  const net = foldTree({ leaf: dense(1, H), node: nodeCell, label: [3] });
  const build = (shape: string): Para => seq(net.at(shape), dense(H, 1)) as Para;
  const learner = new StructuredLearner(build, { loss: mse, optimiser: adam({ lr }), rate: 1, seed, key: "(..)" });
  const rng = new initialisers.Rng(seed);
  const started = performance.now();
  await learner.fit(expressionBuckets(train, [1, 2, 3, 4], rng), {
    epochs,
    batchSize: 32,
    seed,
    onEpochEnd: ({ epoch, loss }) => {
      if (epoch % 10 === 0 || epoch === epochs) log(`  epoch ${epoch}: training loss ${loss.toFixed(5)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  // zero: the error of always predicting 0, the floor a model must beat to have learned anything
  const score = (buckets: Bucket[]): { mae: number; within: number; zero: number } => {
    let [err, within, zero, count] = [0, 0, 0, 0];
    for (const b of buckets) {
      learner.predict(b.key, b.x).forEach((p, i) => {
        const e = Math.abs(p - b.y[i]!);
        err += e;
        within += Number(e < 0.1);
        zero += Math.abs(b.y[i]!);
        count++;
      });
    }
    return { mae: err / count, within: within / count, zero: zero / count };
  };
  const test = score(expressionBuckets(1000, [1, 2, 3, 4], new initialisers.Rng(seed + 1000)));
  const bigger = score(expressionBuckets(1000, [5], new initialisers.Rng(seed + 2000)));
  learner.dispose();
  return {
    meanAbsError: test.mae,
    within01: test.within,
    meanAbsErrorPredictingZero: test.zero,
    meanAbsError5Leaves: bigger.mae,
    within01FiveLeaves: bigger.within,
    seconds,
  };
}
