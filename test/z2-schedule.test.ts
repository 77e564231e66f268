// The schedule of a compiled plan: gates ordered so that few values are live
// at once (the scratch of a block is slots x block words), whatever order the
// lens traced them in, with the same bits.
import { init, initialisers } from "../ts-api/index.ts";
import { circuit, circuitLens, compileZ2 } from "../ts-api/z2/index.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { test } from "./harness.ts";

await init();

// XOR of 2^k inputs as a balanced tree, built level by level: in traced order
// a whole level is live at once (2^(k-1) values), depth first only k or so
function levelByLevelTree(k: number) {
  return circuit(1 << k, (g, x) => {
    let level = x;
    while (level.length > 1) level = level.flatMap((_, i) => (i % 2 === 0 ? [g.xor(level[i]!, level[i + 1]!)] : []));
    return level;
  });
}

test("a balanced XOR tree traced level by level runs in about log2(width) slots, not width / 2", () => {
  for (const k of [4, 6, 8]) {
    const c = levelByLevelTree(k);
    const plan = compileZ2(circuitLens(c), { batch: 300, changes: "none" });
    // k + 2: one value per level of the tree on the path being built, plus the two leaves being loaded
    assert(plan.stats.forward.slots <= k + 2, `width ${1 << k}: ${plan.stats.forward.slots} slots, want at most ${k + 2}`);
    const rng = new initialisers.Rng(k);
    const rows = Array.from({ length: 300 * (1 << k) }, () => rng.int(2));
    plan.inputs[0]!.write(rows);
    plan.forward();
    const parity = Array.from({ length: 300 }, (_, e) => rows.slice(e << k, (e + 1) << k).reduce((s, b) => s ^ b, 0));
    assertDeepEqual(Array.from(plan.outputs[0]!.read()), parity, `width ${1 << k}`);
    plan.dispose();
  }
});

test("the reverse pass of a chain keeps each forward value once: no more slots than the traced order needs", () => {
  // acc <- (x0 & acc) ^ x(2 or 3): the reverse pass needs every acc, last to first
  const n = 200;
  const c = circuit(4, (g, x) => {
    let acc = x[1]!;
    for (let i = 0; i < n; i++) acc = g.xor(g.and(x[0]!, acc), x[2 + (i & 1)]!);
    return [acc];
  });
  const plan = compileZ2(circuitLens(c), { batch: 130 });
  assert(plan.stats.reverse.slots <= n + 3, `${plan.stats.reverse.slots} slots, want at most ${n + 3}`);
  plan.dispose();
});
