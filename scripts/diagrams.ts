// npm run diagrams: draws the string diagrams of docs/guide/models-and-layers.md with toSVG: the demo
// MNIST CNN (as a learner, with its optimiser, loss and rate) and a GRU fold.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { init, seq, dense, adam, softmaxCrossEntropy, supervised, show } from "../ts-api/index.ts";
import { fold, gru, point } from "../ts-api/cdl/index.ts";
import { demoCnn } from "../examples/models/mnist.ts";

await init();
const images = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "images");
const cnn = supervised(demoCnn(), { loss: softmaxCrossEntropy, optimiser: adam(), rate: 1 });
writeFileSync(join(images, "mnist-cnn-diagram.svg"), show.toSVG(cnn));
cnn.dispose();
const rnn = seq(fold({ nil: point([8]), cons: gru(1, 8) }).at(4), dense(8, 1));
writeFileSync(join(images, "gru-fold-diagram.svg"), show.toSVG(rnn));
console.log(`wrote ${join(images, "mnist-cnn-diagram.svg")} and gru-fold-diagram.svg`);
