// Golden files written by PyTorch (examples/torch/train.py golden): the same
// weights, mapped by fromTorch, give PyTorch's logits within 1e-5. Node-only
// because it reads the files from disk; the mapping itself is tested portably
// in torch-bridge.test.ts.
import { readFileSync } from "node:fs";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { init, type Para, type Wires } from "../ts-api/index.ts";
import { decodeSafetensors, encodeSafetensors, fromTorch, toTorch } from "../ts-api/io/index.ts";
import { lstmModel, maxAbsDiff, reverseSteps, run, smallCnn, smallMlp } from "./torch-models.ts";

await init();

function golden(file: string) {
  const { tensors } = decodeSafetensors(readFileSync(new URL(`./fixtures/torch/${file}`, import.meta.url)));
  const weights = new Map([...tensors].filter(([n]) => n.startsWith("model.")));
  return { weights, input: tensors.get("input")!, logits: tensors.get("logits")!.values };
}

const cases: [string, string, Para<Wires, Wires>, (x: Float32Array, shape: readonly number[]) => Float32Array][] = [
  ["the MLP 784-16-10", "mlp.safetensors", smallMlp(), (x) => x],
  ["a CNN (conv, pool, conv, pool, linear)", "cnn.safetensors", smallCnn(), (x) => x],
  ["nn.LSTM(3, 5) over 6 steps and a linear readout", "lstm.safetensors", lstmModel(6, 3, 5, 2), (x, s) => reverseSteps(x, s[0]!, s[1]!, s[2]!)],
];

for (const [label, file, model, prepare] of cases) {
  test(`${label}: PyTorch's weights give PyTorch's logits (golden file)`, () => {
    const { weights, input, logits } = golden(file);
    const ours = run(model, fromTorch(model, weights), prepare(input.values, input.shape));
    const diff = maxAbsDiff(ours, logits);
    console.log(`torch-golden ${file}: max abs logit difference ${diff.toExponential(2)}`);
    assert(diff <= 1e-5, `${label}: max abs difference ${diff}`);

    // and back: toTorch gives PyTorch's own tensors (the LSTM's two biases come back summed into bias_ih)
    const back = toTorch(model, fromTorch(model, weights));
    const torchTensors = [...weights.values()];
    const ourTensors = [...back.values()];
    assertEqual(ourTensors.length, torchTensors.length, "as many tensors");
    if (!file.startsWith("lstm")) ourTensors.forEach((t, i) => assertEqual(maxAbsDiff(t.values, torchTensors[i]!.values), 0, `tensor ${i}`));
    const again = run(model, fromTorch(model, decodeSafetensors(encodeSafetensors(back)).tensors), prepare(input.values, input.shape));
    assert(maxAbsDiff(again, ours) <= 1e-6, "toTorch's tensors map back to the same model");
  });
}
