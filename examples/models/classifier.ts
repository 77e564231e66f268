// The demo MNIST classifier (models/mnist.ts's demoCnn), trained once as
// `npm run demo` trains it (6 epochs of Adam 0.002, then 2 of 0.0002) and
// saved as safetensors under build/ (not in the repository); the dreaming and
// adversarial examples load it from there. Node only (reads and writes files).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  supervised, softmaxCrossEntropy, adam, engine, type Para, type Tensor, type Wires,
} from "paralens";
import { encodeSafetensors, decodeSafetensors } from "paralens/io";
import { loadMnist } from "../data/mnist.ts";
import { demoCnn } from "./mnist.ts";
import { epochLine, progressBar } from "../cli/progress.ts";
import { writeOut } from "../images/png.ts";

export const CLASSIFIER_FILE = join(import.meta.dirname, "..", "..", "build", "models", "mnist-cnn.safetensors");
/** A classifier trained in seconds (1 epoch on 2,000 digits) for the examples' --quick runs when the full one was never trained. */
const QUICK_FILE = join(import.meta.dirname, "..", "..", "build", "models", "mnist-cnn-quick.safetensors");

export interface Classifier {
  model: Para<Wires, Wires>;
  /** The model's parameters in its order, as arena tensors (dispose them when done). */
  params: Tensor[];
  /** Seconds spent training it now (0 when it was loaded). */
  trainingSeconds: number;
}

/**
 * The trained demo CNN: loaded from build/models, or trained (about half a
 * minute) and saved there first. `quick`: when the full one is not saved,
 * one trained in seconds on 2,000 digits (saved too), for smoke runs.
 */
export async function trainedClassifier(options: { epochs?: readonly [number, number]; quick?: boolean } = {}): Promise<Classifier> {
  const model = demoCnn();
  let trainingSeconds = 0;
  const quick = options.quick === true && !existsSync(CLASSIFIER_FILE);
  const file = quick ? QUICK_FILE : CLASSIFIER_FILE;
  if (!existsSync(file)) {
    const [first, fine] = quick ? [1, 0] : (options.epochs ?? [6, 2]);
    console.log(`training the demo CNN once (${first} + ${fine} epochs${quick ? " on 2,000 digits" : ""}), to be saved as ${file}`);
    const { trainX, trainY } = loadMnist({ train: quick ? 2000 : 8000, test: 2000, seed: 0 });
    let trained: Record<string, Float32Array> | undefined;
    let done = 0;
    for (const [n, lr] of [[first, 0.002], [fine, 0.0002]] as const) {
      const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr }), rate: 1, seed: 0 });
      if (trained) learner.setParameters(trained);
      const h = await learner.fit(trainX, trainY, { epochs: n, batchSize: 32, seed: done, onBatchEnd: progressBar(first + fine, done), onEpochEnd: epochLine(first + fine, done) });
      trainingSeconds += h.seconds;
      done += n;
      trained = learner.parameters();
      learner.dispose();
    }
    const tensors = Object.fromEntries(model.params.map((p) => [p.name, { shape: p.shape, values: trained![p.name]! }]));
    writeOut(file, encodeSafetensors(tensors));
  }
  const { tensors } = decodeSafetensors(readFileSync(file));
  const params = model.params.map((p) => {
    const t = tensors.get(p.name);
    if (!t || t.shape.join(",") !== p.shape.join(",")) throw new Error(`${file}: no parameter ${p.name} [${p.shape.join(", ")}]; delete the file to retrain`);
    return engine().tensor(p.shape, t.values);
  });
  return { model, params, trainingSeconds };
}
