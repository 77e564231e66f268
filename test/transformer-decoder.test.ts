// The Mealy-machine decoder with a key/value cache against the full model
// re-run on the growing prefix, and sampling with temperature and top-k.
import { test } from "./harness.ts";
import { assert, assertClose } from "./assert.ts";
import { compile, engine, init, transformer, type RefTensor, type Value, backends, initialisers, serve } from "../ts-api/index.ts";
import { attentionOps } from "../ts-api/ops/attention.ts";

await init();

test("the decoder's logits equal the full model's at every position of a growing prefix", () => {
  const options = { vocab: 13, context: 11, dim: 12, heads: 3, layers: 2 };
  const full = compile(transformer(options), { batch: 1, changes: "none", seed: 7 });
  const decoder = new serve.Decoder(options, full.params);
  try {
    const tokens = [5, 0, 12, 3, 3, 7, 1, 9, 11, 2, 4];
    full.inputs[0]!.set(tokens);
    full.forward();
    const all = full.outputs[0]!.toArray();
    tokens.forEach((t, i) => {
      const step = decoder.step(t);
      assertClose(step, all.subarray(i * 13, (i + 1) * 13), { rtol: 1e-4, atol: 1e-5 }, `position ${i}`);
    });
    // after a reset the cache starts again from nothing
    decoder.reset();
    assertClose(decoder.step(tokens[0]!), all.subarray(0, 13), { rtol: 1e-4, atol: 1e-5 }, "after reset");
  } finally {
    decoder.dispose();
    full.dispose();
  }
});

test("the decoder is the cell of a Mealy machine: token x state -> logits x state", () => {
  const m = serve.decoderMachine({ vocab: 5, context: 4, dim: 4, heads: 2, layers: 1 });
  assert(m.input.length === 1 && m.input[0] === 1, "input: one token");
  assert(m.output[0] === 5, "output: the logits");
  assert(m.state.length === 3, `state: the position and a key and a value cache, got ${m.state.length} wires`);
});

test("the compiled cell, writing its caches in place, steps a batch of two as the float64 reference's cell does", () => {
  const options = { vocab: 7, context: 5, dim: 8, heads: 2, layers: 2 };
  const m = serve.decoderMachine(options);
  const plan = compile(m.cell, { batch: 2, changes: "none", seed: 3 });
  try {
    const V = (t: RefTensor): Value => t as unknown as Value;
    const params = plan.params.map((t) => V(backends.refTensor(t.shape, t.toArray())));
    let state = plan.inputs.slice(1).map((t) => V(backends.refTensor(t.shape)));
    for (const [i, tokens] of [[3, 0], [6, 6], [1, 4]].entries()) {
      plan.inputs[0]!.set(tokens);
      plan.forward();
      const [[logits, ...next]] = m.cell.forward(backends.reference, params, [V(backends.refTensor([2, 1], tokens)), ...state]);
      assertClose(plan.outputs[0]!.toArray(), (logits as unknown as RefTensor).data, { rtol: 1e-4, atol: 1e-5 }, `step ${i}: the logits`);
      next.forEach((c, j) => assertClose(plan.outputs[j + 1]!.toArray(), (c as unknown as RefTensor).data, { rtol: 1e-4, atol: 1e-5 }, `step ${i}: state ${j}`));
      // the caches it returns are the ones it was given, written where they lie; the position is new
      plan.outputs.slice(2).forEach((c, j) => assert(c.offset === plan.inputs[j + 2]!.offset, `step ${i}: cache ${j} in place`));
      plan.inputs[1]!.set(plan.outputs[1]!.toArray());
      state = next;
    }
  } finally {
    plan.dispose();
  }
});

test("setRows writes rows in place in a plan, a later id winning and an id outside the table writing nothing, as the reference does", () => {
  const table = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const rows = [10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42];
  const ids = [2, -1, 2, 3];
  const expected = backends.refTensor([3, 3], [0, 1, 2, 3, 4, 5, 30, 31, 32]);
  const viaReference = attentionOps.setRows.reference!(backends.refTensor([3, 3], table), backends.refTensor([4, 3], rows), backends.refTensor([4], ids)) as RefTensor;
  assert(viaReference.data.every((v, i) => v === expected.data[i]), `reference: ${[...viaReference.data]}`);
  const e = engine();
  const [t, r, k] = [e.tensor([3, 3], table), e.tensor([4, 3], rows), e.tensor([4], ids)];
  e.core.setRows(t.offset, 3, 3, r.offset, k.offset, 4);
  assert(t.toArray().every((v, i) => v === expected.data[i]), `kernel: ${[...t.toArray()]}`);
  for (const x of [t, r, k]) x.dispose();
});

test("sampling: top-k keeps the k largest logits, low temperature picks the largest", () => {
  const rng = new initialisers.Rng(1);
  const logits = [0.1, 2, -1, 1.9, 0.5];
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(serve.sampleToken(logits, rng, { topK: 2 }));
  assert(seen.size === 2 && seen.has(1) && seen.has(3), `top-2 drew ${[...seen]}`);
  for (let i = 0; i < 50; i++) assert(serve.sampleToken(logits, rng, { temperature: 0.01 }) === 1, "temperature 0.01 picks the largest");
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[serve.sampleToken(logits, rng)]!++;
  const p = logits.map(Math.exp), z = p.reduce((a, b) => a + b);
  counts.forEach((c, i) => assert(Math.abs(c / 4000 - p[i]! / z) < 0.03, `token ${i}: ${c / 4000} vs ${p[i]! / z}`));
});
