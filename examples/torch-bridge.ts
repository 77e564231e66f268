// Models trained in PyTorch, run in paralens, and back. examples/torch/train.py
// trains the MNIST MLP (784-128-10 relu) and the demo CNN in PyTorch on the
// same digits as the other examples (written here to a safetensors file the
// script reads) and saves their state_dicts as safetensors; paralens loads
// them with fromTorch and reaches the same test accuracy with the same
// logits. Then an MLP trained in paralens goes to PyTorch with toTorch, and
// PyTorch's logits are compared with paralens's.
//
// Needs PyTorch for /usr/bin/python3 (Debian: apt install python3-torch).
//
//   npm run example -- torch-bridge [--epochs-mlp n] [--epochs-cnn n] [--epochs n] [--json]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  init, adam, softmaxCrossEntropy, supervised, type Para, type Wires,
} from "paralens";
import { decodeSafetensors, encodeSafetensors, fromTorch, toTorch } from "paralens/io";
import { loadMnist } from "./data/mnist.ts";
import { demoCnn, mnistMlp } from "./models/mnist.ts";
import { epochLine, option, report } from "./cli/progress.ts";
import { accuracy, maxAbsDiff } from "./cli/logits.ts";

await init();
const PYTHON = "/usr/bin/python3";
const script = join(dirname(fileURLToPath(import.meta.url)), "torch", "train.py");
const epochsMlp = option("epochs-mlp", 10);
const epochsCnn = option("epochs-cnn", 3);
const epochs = option("epochs", 5);

const python = (args: string[]): string => {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.error !== undefined || r.status !== 0) {
    console.error(`torch-bridge: ${PYTHON} ${script} ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}); it needs PyTorch (Debian: python3-torch)`);
    process.exit(1);
  }
  return r.stdout;
};

const work = mkdtempSync(join(tmpdir(), "paralens-torch-"));
try {
  const { trainX, trainY, testX, testY } = loadMnist({ train: 8000, test: 2000, seed: 0 });
  const data = join(work, "data.safetensors");
  writeFileSync(data, encodeSafetensors({
    train_x: { shape: [trainY.length, 784], values: trainX },
    train_y: { shape: [trainY.length], values: trainY },
    test_x: { shape: [testY.length, 784], values: testX },
    test_y: { shape: [testY.length], values: testY },
  }));
  console.log(`MNIST: ${trainY.length} training and ${testY.length} test digits, written for PyTorch to ${data}`);

  console.log(`PyTorch trains the MLP (${epochsMlp} epochs) and the demo CNN (${epochsCnn} epochs)...`);
  const torchReport = JSON.parse(python(["train", data, work, "--epochs-mlp", String(epochsMlp), "--epochs-cnn", String(epochsCnn)]).trim().split("\n").pop()!) as Record<string, { testAccuracy: number; seconds: number }>;

  const metrics: Record<string, number> = {};
  const models: [string, Para<Wires, Wires>][] = [["mlp", mnistMlp()], ["cnn", demoCnn()]];
  for (const [name, model] of models) {
    const { tensors } = decodeSafetensors(readFileSync(join(work, `${name}.safetensors`)));
    const torchLogits = tensors.get("logits")!.values;
    tensors.delete("logits");
    const learner = supervised(model, { loss: softmaxCrossEntropy });
    learner.setParameters(fromTorch(model, tensors));
    const ours = learner.evaluate(testX, testY);
    const diff = maxAbsDiff("torch-bridge", learner.predict(testX), torchLogits);
    console.log(`${name}: PyTorch test accuracy ${torchReport[name]!.testAccuracy.toFixed(4)}, paralens with its weights ${ours.accuracy.toFixed(4)}; max abs logit difference ${diff.toExponential(2)}`);
    Object.assign(metrics, { [`${name}TorchAccuracy`]: torchReport[name]!.testAccuracy, [`${name}ParalensAccuracy`]: ours.accuracy, [`${name}MaxAbsLogitDiff`]: diff });
    learner.dispose();
  }

  console.log(`paralens trains the MLP (${epochs} epochs) for PyTorch...`);
  const model = mnistMlp();
  const learner = supervised(model, { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, seed: 0 });
  await learner.fit(trainX, trainY, { epochs, batchSize: 64, onEpochEnd: epochLine(epochs) });
  const trained = join(work, "paralens-mlp.safetensors");
  writeFileSync(trained, encodeSafetensors(toTorch(model, learner.parameters(), { "0.weight": "0.weight", "0.bias": "0.bias", "1.weight": "2.weight", "1.bias": "2.bias" })));
  const logitsFile = join(work, "paralens-mlp-logits.safetensors");
  python(["check", trained, data, logitsFile]);
  const torchLogits = decodeSafetensors(readFileSync(logitsFile)).tensors.get("logits")!.values;
  const ours = learner.evaluate(testX, testY);
  const diff = maxAbsDiff("torch-bridge", learner.predict(testX), torchLogits);
  const torchAccuracy = accuracy(torchLogits, testY);
  console.log(`back: paralens test accuracy ${ours.accuracy.toFixed(4)}, PyTorch with those weights ${torchAccuracy.toFixed(4)}; max abs logit difference ${diff.toExponential(2)}`);
  Object.assign(metrics, { backParalensAccuracy: ours.accuracy, backTorchAccuracy: torchAccuracy, backMaxAbsLogitDiff: diff });
  learner.dispose();
  report("torch-bridge", metrics);
} finally {
  rmSync(work, { recursive: true, force: true });
}
