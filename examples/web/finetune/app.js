// The page of the fine-tuning example: the ONNX file PyTorch wrote and the
// digits (digits.bin, written by `npm run example -- onnx-finetune -- --web-data`)
// are fetched, and finetune.js imports the model, freezes its convolutions and
// fits its head, as the Node example does; the page shows the accuracies
// before and after, and the same bits as Node give the same parameter hash.
import * as P from "../../../dist/index.js";
import * as io from "../../../dist/io/index.js";
import { decodeDigits, finetune, parameterHash } from "./finetune.js";

const log = document.getElementById("log");
const say = (line) => (log.textContent += `\n${line}`);
const epochs = Number(new URLSearchParams(location.search).get("epochs") ?? 4);

/** The bytes of a file beside the page, with a message that says what to run if it is missing. */
async function fetchBytes(url, missing) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} (${missing})`);
  return new Uint8Array(await response.arrayBuffer());
}

try {
  await P.init();
  const onnx = await fetchBytes("../../models/digits-0-4.onnx", "it is committed with the repository");
  const digits = decodeDigits(await fetchBytes("./digits.bin", "run npm run example -- onnx-finetune -- --web-data"));
  log.textContent = `${digits.train.y.length} digits 5-9 to fit the head on; ${digits.test.y.length} to test on, and ${digits.old.y.length} of 0-4`;
  const t0 = performance.now();
  const { learner, before, after } = await finetune(P, io, onnx, digits, {
    epochs,
    onEpochEnd: (r) => say(`epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  accuracy ${r.accuracy.toFixed(4)}`),
  });
  const seconds = (performance.now() - t0) / 1000;
  say(`digits 5-9: accuracy ${before.new.toFixed(4)} as PyTorch left it, ${after.new.toFixed(4)} after ${seconds.toFixed(1)} s here`);
  say(`digits 0-4: accuracy ${before.old.toFixed(4)} before, ${after.old.toFixed(4)} after (the head now answers 5-9)`);
  const onnxBack = io.toOnnx(learner, { batch: 1 });
  say(`toOnnx: the fine-tuned model as ONNX is ${onnxBack.length} bytes`);
  globalThis.__finetuned = { before, after, hash: parameterHash(learner), threads: P.engine().threads.count };
  learner.dispose();
} catch (e) {
  say(`error: ${e.message}`);
  globalThis.__finetuned = { error: e.message };
}
