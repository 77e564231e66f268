// Iris: the reference implementation's two models (a dense sigmoid layer and
// a hidden-layer network, MSE, gradient descent, one example per step) and a
// softmax cross-entropy model trained with Adam on mini-batches.
//
//   npm run example -- iris [--json] [--seed 0]
import { init } from "paralens";
import { irisFeatures, irisLabels } from "./data/iris.ts";
import { irisSetups } from "./models/iris.ts";
import { report } from "./cli/report.ts";

const args = process.argv.slice(2);
const seedAt = args.indexOf("--seed");
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 0;

await init();
console.log(`Iris: ${irisLabels.length} flowers, 4 measurements, 3 species (seed ${seed})\n`);

const metrics: Record<string, number> = {};
for (const setup of irisSetups) {
  console.log(`${setup.name}: ${setup.describe}`);
  const learner = setup.make(seed);
  const every = Math.max(1, Math.round(setup.epochs / 8));
  const history = await learner.fit(irisFeatures, irisLabels, {
    epochs: setup.epochs,
    batchSize: setup.batchSize,
    seed,
    onEpochEnd: (r) => {
      if (r.epoch % every === 0 || r.epoch === 1) {
        console.log(`  epoch ${String(r.epoch).padStart(3)}  loss ${r.loss.toFixed(4)}  accuracy ${r.accuracy.toFixed(4)}`);
      }
    },
  });
  const { accuracy, loss } = learner.evaluate(irisFeatures, irisLabels);
  const msPerEpoch = (1000 * history.seconds) / setup.epochs;
  console.log(`  training accuracy ${accuracy.toFixed(4)}, loss ${loss.toFixed(4)}, ${msPerEpoch.toFixed(3)} ms per epoch\n`);
  metrics[`${setup.name}_accuracy`] = accuracy;
  metrics[`${setup.name}_ms_per_epoch`] = msPerEpoch;
  learner.dispose();
}

report("iris", metrics);
