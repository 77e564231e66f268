// The examples in the doc comments of the sequence layers, run as written,
// with the shapes they promise; and the errors that name bad arguments.
import { test } from "./harness.ts";
import { assert, assertThrows } from "./assert.ts";
import {
  init, attention, embedding, residual, transformer, layerNorm, seq, dense, adam, type Wires, layers, learning, losses, serve,
} from "../ts-api/index.ts";
import { resolve } from "../ts-api/algebra/para.ts";

const sameWires = (a: Wires, b: Wires): boolean => JSON.stringify(a) === JSON.stringify(b);

await init();

const wires = (layer: Parameters<typeof resolve>[0], dom: number[][]) => resolve(layer, dom);
void wires;

test("doc examples: the sequence layers have the shapes their comments give", () => {
  const embed = embedding(65, 32);
  assert(sameWires(wires(embed, [[16]]).cod, [[16, 32]]) && wires(embed, [[16]]).params[0]!.name === "table", "embedding(65, 32)");
  const model = seq(embedding(65, 32).at([16]), layers.positionalEmbedding(16, 32));
  assert(sameWires(model.cod, [[16, 32]]), "embedding ; positionalEmbedding");
  assert(sameWires(wires(layers.unembedding(65, 32), [[16, 32]]).cod, [[16, 65]]), "unembedding(65, 32)");
  const mlp = seq(layers.tokenLinear(32, 128), layers.gelu, layers.tokenLinear(128, 32));
  assert(sameWires(wires(mlp, [[10, 32]]).cod, [[10, 32]]), "tokenLinear ; gelu ; tokenLinear");
  const block = seq(dense(64, 64, "relu"), layers.dropout(0.1, 7));
  assert(sameWires(block.cod, [[64]]), "dense ; dropout");
  assert(sameWires(wires(attention({ heads: 4, causal: true }), [[9, 64]]).cod, [[9, 64]]), "attention");
  const skip = residual(seq(layerNorm(), attention({ heads: 4, causal: true })));
  assert(sameWires(wires(skip, [[9, 64]]).cod, [[9, 64]]), "residual");
  assert(sameWires(wires(layers.transformerBlock(64, 4), [[9, 64]]).cod, [[9, 64]]), "transformerBlock");
  const t = transformer({ vocab: 65, context: 64, dim: 64, heads: 4, layers: 2 });
  assert(sameWires(t.dom, [[64]]) && sameWires(t.cod, [[64, 65]]), "transformer");
  assert(!t.params.some((p) => p.name === "5.weight"), "the output weight is tied away");
  const lens = learning.supervisedLens(t, { loss: losses.tokenCrossEntropy, optimiser: adam(), rate: losses.constantRate(1) });
  assert(sameWires(lens.dom, [[64], [64, 65]]), "the supervised lens takes ids and one-hot labels");
  const machine = serve.decoderMachine({ vocab: 65, context: 64, dim: 64, heads: 4, layers: 2 });
  assert(machine.state.length === 1 + 2 * 2, "a position and two caches per layer");
});

test("bad arguments are refused with their names and values", () => {
  assertThrows(() => attention({ heads: 0 }), /heads must be a whole number >= 1, got 0/);
  assertThrows(() => resolve(attention({ heads: 3 }), [[5, 8]]), /d a multiple of 3/);
  assertThrows(() => layers.dropout(1), /rate must be in \[0, 1\), got 1/);
  assertThrows(() => embedding(0, 4), /sizes must be whole numbers >= 1, got 0, 4/);
  assertThrows(() => resolve(layers.tokenLinear(4, 2), [[3, 5]]), /takes one wire \[\.\.\., 4\], got/);
  assertThrows(() => resolve(losses.tokenCrossEntropy, [[3, 4], [3, 5]]), /logits and labels of one shape/);
});
