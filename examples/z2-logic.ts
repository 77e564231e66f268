// Boolean functions learned exactly by reverse derivative ascent, checked on
// every input:
// - parity of 8 bits by a lookup table lut(8 -> 1) (the seeds' LUT layer):
//   each wrong answer flips the one table entry it read, so one online pass
//   over the 256 inputs learns it;
// - majority of 9 bits by a popcount threshold unit [|p & x| >= 5] that
//   learns its mask p from a random start: its derivative is nonzero only
//   when 4 masked inputs are set, so it learns whenever the first mask has
//   at least 4 bits, and then every error adds bits until all 9 are in.
// It also shows what does not work as simply: a tree of lookup tables
// (two lut(4) feeding a lut(2)) does not learn parity with plain RDA, since
// the output table and the tables under it all flip on the same error.
//
//   npm run example -- z2-logic [--json] [--seeds 8]
import { init, par, seq, type Para, type Wires } from "paralens";
import { joinBits, lut, popcountThreshold, randomBits, rda, splitBits, type Z2Ops } from "paralens/z2";
import { report } from "./cli/report.ts";

const args = process.argv.slice(2);
const seedsAt = args.indexOf("--seeds");
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 8;

await init();
const allInputs = (n: number): number[][] => Array.from({ length: 1 << n }, (_, a) => Array.from({ length: n }, (_, i) => (a >> i) & 1));
type Model = Para<readonly [readonly [number]], readonly [readonly [number]], Z2Ops>;

/** Trains until every input is right (or `maxEpochs`); returns the epochs used and the final accuracy on all inputs. */
async function learn(model: Model, x: number[][], y: number[][], seed: number, maxEpochs: number): Promise<{ epochs: number; accuracy: number; start: number }> {
  const learner = rda(model, { seed });
  const start = Object.values(learner.parameters())[0]!.reduce((a, b) => a + b, 0);
  let epochs = 0;
  let accuracy = learner.evaluate(x, y).accuracy;
  while (accuracy < 1 && epochs < maxEpochs) {
    await learner.fit(x, y, { seed: seed * 1000 + epochs });
    epochs++;
    accuracy = learner.evaluate(x, y).accuracy;
  }
  learner.dispose();
  return { epochs, accuracy, start };
}

function summarise(name: string, runs: { epochs: number; accuracy: number; start: number }[], showStart = false): number {
  const exact = runs.filter((r) => r.accuracy === 1);
  const epochs = exact.map((r) => r.epochs);
  console.log(
    `${name}: exact in ${exact.length} of ${runs.length} seeds` +
      (exact.length > 0 ? ` (epochs needed: ${Math.min(...epochs)} .. ${Math.max(...epochs)})` : "") +
      `; accuracy on all inputs per seed: ${runs.map((r) => `${(100 * r.accuracy).toFixed(0)}%${showStart ? ` (${r.start} bits at first)` : ""}`).join(" ")}`,
  );
  return exact.length / runs.length;
}

const x8 = allInputs(8);
const parity = x8.map((r) => [r.reduce((a, b) => a ^ b, 0)]);
const x9 = allInputs(9);
const majority = x9.map((r) => [r.reduce((a, b) => a + b, 0) >= 5 ? 1 : 0]);
const seedList = Array.from({ length: seeds }, (_, s) => s);
/** `learn` on a fresh model for each seed, one after another. */
async function eachSeed(model: () => Model, x: number[][], y: number[][], maxEpochs: number): Promise<Awaited<ReturnType<typeof learn>>[]> {
  const results = [];
  for (const s of seedList) results.push(await learn(model(), x, y, s, maxEpochs));
  return results;
}

console.log("parity of 8 bits (256 inputs), majority of 9 bits (512 inputs); online RDA, each epoch in a fresh seeded order\n");
const lutParity = summarise("parity, lut(8 -> 1), random table", await eachSeed(() => lut(8, 1, { init: randomBits() }), x8, parity, 5));
const unitMajority = summarise(
  "majority, threshold [|p & x| >= 5], random mask",
  await eachSeed(() => popcountThreshold(9, 1, { a: 2, b: 0, t: -9 }, { init: randomBits() }), x9, majority, 10),
  true,
);
const lutMajority = summarise("majority, lut(9 -> 1), random table", await eachSeed(() => lut(9, 1, { init: randomBits() }), x9, majority, 5));
type F = Para<Wires, Wires, Z2Ops>;
const tree = (): Model =>
  seq(
    splitBits([4, 4]) as F,
    par(lut(4, 1, { init: randomBits() }) as F, lut(4, 1, { init: randomBits() }) as F) as F,
    joinBits([1, 1]) as F,
    lut(2, 1, { init: randomBits() }) as F,
  ) as unknown as Model;
const treeParity = summarise("parity, lut(4) x lut(4) -> lut(2), 50 epochs", await eachSeed(tree, x8, parity, 50));

report("z2-logic", {
  seeds,
  parityLutExactFraction: lutParity,
  majorityThresholdExactFraction: unitMajority,
  majorityLutExactFraction: lutMajority,
  parityLutTreeExactFraction: treeParity,
});
