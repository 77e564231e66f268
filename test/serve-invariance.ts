// Whether a predictor's answer for a row depends on what the row was batched
// with: each row is answered alone first, then inside batches of every size
// from 1 to maxBatch, at several positions, and every answer must be the same
// bits. Shared by the one-thread test (every runtime) and the threads test
// (Node), which cuts the larger batches across workers.
import { type Learner, predictor } from "../ts-api/index.ts";
import { assert, assertEqual } from "./assert.ts";

/** Rows of `width` values in [0, 1): the same for every runtime. */
export function testRows(count: number, width: number, seed = 1): Float32Array[] {
  return Array.from({ length: count }, (_, r) => Float32Array.from({ length: width }, (_, j) => (Math.sin((r * width + j) * 0.37 + seed) + 1) / 2));
}

const bits = (a: Float32Array): string => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (u) => u.toString(16)).join(",");

/** Checks every batch size 1..maxBatch at three offsets into `rows`; returns how many answers were compared. */
export async function checkBatchInvariance(learner: Learner, rows: readonly Float32Array[], maxBatch: number): Promise<number> {
  // maxDelayMs 0: calls made in one loop wait for the loop to end, so they form one batch
  const p = predictor(learner, { maxBatch, maxDelayMs: 0 });
  try {
    const alone: string[] = [];
    for (const row of rows) alone.push(bits(await p.predict(row)));
    // the reference is what the learner's own predict gives (batches of its own), so a predictor that got every row wrong the same way would fail
    const direct = learner.predict(rows.length === 0 ? [] : rows.map((r) => Array.from(r)));
    const width = direct.length / rows.length;
    rows.forEach((_, i) => assertEqual(alone[i], bits(direct.subarray(i * width, (i + 1) * width)), `row ${i} alone: the learner's own prediction`));
    let compared = 0;
    for (let n = 1; n <= maxBatch; n++) {
      for (const offset of [0, 3, rows.length - 1]) {
        const picked = Array.from({ length: n }, (_, i) => (offset + i * 5) % rows.length);
        const before = p.stats().batches;
        const answers = await Promise.all(picked.map((r) => p.predict(rows[r]!)));
        assertEqual(p.stats().batches, before + 1, `the ${n} calls ran as one batch`);
        answers.forEach((a, i) => {
          const r = picked[i]!;
          assertEqual(bits(a), alone[r], `row ${r} at position ${i} of a batch of ${n}: the same bits as alone`);
          compared++;
        });
      }
    }
    assert(compared > 0, "compared some answers");
    return compared;
  } finally {
    await p.close();
  }
}
