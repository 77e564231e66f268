// The Iris predictions of worker/index.js served by Deno.serve, as on Deno
// Deploy:
//
//   deno run --allow-net --allow-read --allow-env deno-serve.ts
//   curl -d '{"rows": [[5.1, 3.5, 1.4, 0.2]]}' localhost:8000
//
// PORT sets the port (0: any free one); it listens on 127.0.0.1.
import { adam, dense, init, seq, softmaxCrossEntropy, supervised } from "npm:paralens";

const species = ["setosa", "versicolor", "virginica"];

// once per process, then shared by every request
await init();
const learner = supervised(seq(dense(4, 16, "relu"), dense(16, 3)), { loss: softmaxCrossEntropy, optimiser: adam() });
await learner.load(await Deno.readFile(new URL("./iris.safetensors", import.meta.url)));

const answer = (body: unknown, status = 200): Response => Response.json(body, { status });

async function handler(request: Request): Promise<Response> {
  if (request.method !== "POST") return answer({ error: 'POST a JSON body {"rows": [[sepal length, sepal width, petal length, petal width], ...]}' }, 405);
  let rows: number[][];
  try {
    ({ rows } = await request.json());
  } catch {
    return answer({ error: "the body is not JSON" }, 400);
  }
  let logits: Float32Array;
  try {
    logits = learner.predict(rows);
  } catch (e) {
    // paralens names what is wrong with the rows (count, width, a value that is not a finite number)
    return answer({ error: (e as Error).message }, 400);
  }
  const out: number[][] = [];
  for (let i = 0; i < logits.length; i += 3) out.push(Array.from(logits.subarray(i, i + 3)));
  const classes = out.map((l) => l.indexOf(Math.max(...l)));
  return answer({ classes, species: classes.map((c) => species[c]), logits: out });
}

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000), onListen: ({ port }) => console.log(`listening on 127.0.0.1:${port}`) }, handler);
