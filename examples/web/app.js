// Generates text as you type, in the page: the parameters saved by the
// char-transformer example (a safetensors file whose metadata holds the
// alphabet and the model's options) are loaded into the incremental decoder,
// and every change to the prompt samples a new continuation, a few
// characters per animation frame so the page stays responsive.
import { engine, init, initialisers, serve, transformer } from "../../dist/index.js";
import { decodeSafetensors } from "../../dist/io/index.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const modelUrl = params.get("model") ?? "./char-transformer.safetensors";

/** The decoder and alphabet of a saved model. */
async function load(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} (run npm run example -- char-transformer first)`);
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(await response.arrayBuffer()));
  const chars = JSON.parse(metadata.get("alphabet"));
  const options = JSON.parse(metadata.get("options"));
  const e = engine();
  const values = transformer({ ...options, dropout: 0 }).params.map((p) => {
    const t = tensors.get(p.name);
    if (t === undefined) throw new Error(`${url} has no tensor "${p.name}"`);
    return e.tensor(p.shape, t.values);
  });
  return { decoder: new serve.Decoder({ ...options, dropout: 0 }, values), chars, options };
}

for (const id of ["temperature", "topk", "count"]) if (params.has(id)) $(id).value = params.get(id);
await init();
const { decoder, chars, options } = await load(modelUrl);
const index = new Map(chars.map((c, i) => [c, i]));
$("status").textContent = `${options.layers} layers, d = ${options.dim}, ${chars.length} characters; type to continue the text.`;

let run = 0;
/** Samples a continuation of the prompt; a newer keystroke cancels an older run. */
async function continuePrompt() {
  const mine = ++run;
  const prompt = $("prompt").value;
  const count = Math.max(1, Math.min(2000, Math.round(Number($("count").value)) || 200));
  const sampling = { temperature: Number($("temperature").value) || 0.8, topK: Math.max(0, Math.round(Number($("topk").value))) || 0 };
  const rng = new initialisers.Rng(Number(params.get("seed") ?? 1));
  const ids = [...prompt].map((c) => index.get(c) ?? index.get(" ") ?? 0);
  const out = [];
  const show = () => ($("out").innerHTML = `<b>${escape(prompt)}</b>${escape(out.map((i) => chars[i]).join(""))}`);
  // decoder.generate does it all at once; here it is spread over frames
  while (out.length < count) {
    const step = Math.min(8, count - out.length);
    out.push(...decoder.generate([...ids, ...out].slice(-options.context), step, rng, sampling));
    show();
    await new Promise((r) => requestAnimationFrame(r));
    if (mine !== run) return;
  }
  globalThis.__generated = { prompt, text: out.map((i) => chars[i]).join("") };
}
const escape = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);

for (const id of ["prompt", "temperature", "topk", "count"]) $(id).addEventListener("input", () => void continuePrompt());
await continuePrompt();
