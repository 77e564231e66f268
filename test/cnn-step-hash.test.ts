// One training step of the demo CNN from a fixed seed on synthetic digits,
// hashed: FNV-1a over the Float32 bits of every parameter after the step.
// The strict build promises the same bits in every engine, so the test
// runner compares the printed `cnn-step-hash:` line across Node, Deno and
// Chromium; here the step is also checked to be repeatable and to move
// every parameter.
import { init, supervised, softmaxCrossEntropy, adam, engine, initialisers } from "../ts-api/index.ts";
import { demoCnn } from "../examples/models/mnist.ts";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";

await init();

/** FNV-1a (32-bit) over the bytes of Float32 arrays, in order. */
function fnv1a(arrays: readonly Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function oneStep(): { before: Float32Array[]; after: Float32Array[]; loss: number } {
  const batch = 16;
  const rng = new initialisers.Rng(2024);
  const x = Float32Array.from({ length: batch * 28 * 28 }, () => rng.uniform());
  const y = Uint8Array.from({ length: batch }, () => rng.int(10));
  const learner = supervised(demoCnn(), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.001 }), rate: 1, seed: 7 });
  const before = Object.values(learner.parameters());
  const loss = learner.step(x, y);
  const after = Object.values(learner.parameters());
  learner.dispose();
  return { before, after, loss };
}

test("one CNN training step is repeatable to the bit; its hash is printed for cross-engine comparison", () => {
  const first = oneStep();
  const second = oneStep();
  const hash = fnv1a(first.after);
  assertEqual(fnv1a(second.after), hash, "two runs of the same step");
  assert(Number.isFinite(first.loss) && first.loss > 0, `loss ${first.loss}`);
  first.after.forEach((p, i) => {
    const moved = p.some((v, j) => v !== first.before[i]![j]);
    assert(moved && p.every(Number.isFinite), `parameter ${i} moved and is finite`);
  });
  assertEqual(engine().simd, "strict", "the hash is of the strict build");
  console.log(`cnn-step-hash: ${hash}`);
});
