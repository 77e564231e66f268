// A Cloudflare Worker that answers Iris predictions:
//
//   POST / {"rows": [[5.1, 3.5, 1.4, 0.2], ...]}  ->  {"classes": [0, ...], "species": ["setosa", ...], "logits": [[...], ...]}
//
// wrangler picks paralens's build for Workers (the "workerd" export
// condition), which imports the core as a compiled .wasm module; the
// weights are a module too (a Data rule in wrangler.toml), so nothing is
// fetched. `wrangler dev` runs it locally, `wrangler deploy` ships it.
import { adam, dense, init, seq, softmaxCrossEntropy, supervised } from "paralens";
import weights from "../iris.safetensors";

const species = ["setosa", "versicolor", "virginica"];

// once per isolate, then shared by every request it serves
const ready = init().then(async () => {
  const learner = supervised(seq(dense(4, 16, "relu"), dense(16, 3)), { loss: softmaxCrossEntropy, optimiser: adam() });
  await learner.load(new Uint8Array(weights));
  return learner;
});

const answer = (body, status = 200) => Response.json(body, { status });

export default {
  async fetch(request) {
    if (request.method !== "POST") return answer({ error: 'POST a JSON body {"rows": [[sepal length, sepal width, petal length, petal width], ...]}' }, 405);
    const learner = await ready;
    let rows;
    try {
      ({ rows } = await request.json());
    } catch {
      return answer({ error: "the body is not JSON" }, 400);
    }
    let logits;
    try {
      logits = learner.predict(rows);
    } catch (e) {
      // paralens names what is wrong with the rows (count, width, a value that is not a finite number)
      return answer({ error: e.message }, 400);
    }
    const out = [];
    for (let i = 0; i < logits.length; i += 3) out.push(Array.from(logits.subarray(i, i + 3)));
    const classes = out.map((l) => l.indexOf(Math.max(...l)));
    return answer({ classes, species: classes.map((c) => species[c]), logits: out });
  },
};
