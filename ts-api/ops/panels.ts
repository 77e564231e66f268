// A product whose B is a weight of a plan that only predicts: op(B) is packed
// into panels once (assembly/gemm.ts gemmPanels) in memory kept for that
// weight and shared by every plan over it (a predictor's plans for each batch
// size hold one copy), and packed again only when the weight's version moved (engine/tensor.ts:
// taking `data`, `set`, a learner's step, loading; checked at every call, so
// a write by an earlier call of the same pass is seen too). Each call then
// reads the panels (gemmPanels), with the bits of the product that packs B
// itself.
import type { Tensor } from "../engine/tensor.ts";
import type { PlanContext } from "./op.ts";

/**
 * Records c = a op(b) as a product with packed panels, if b is fixed;
 * returns whether it did. A single row of an untransposed B is left to the
 * GEMM's row path, which reads B as it is stored (about 3x faster there).
 */
export function packedProduct(p: PlanContext, c: Tensor, a: Tensor, b: Tensor, m: number, n: number, k: number, transB: boolean): boolean {
  if (!p.fixed(b) || (m === 1 && !transB)) return false;
  // kept from run to run, for this weight (where it lies, how it is read):
  // k rows of n rounded up to whole 8-column panels
  const kept = p.kept(b, `${b.offset} ${n} ${k} ${transB}`, k * ((n + 7) & ~7)), core = p.core;
  p.emit("gemmPanels", () => {
    // B given: packed into the panels as the product runs
    const version = b.version;
    core.gemmPanels(c.offset, a.offset, kept.tensor.offset, m, n, k, version !== kept.packed ? b.offset : 0, +transB);
    kept.packed = version;
  }, [a, b], [c]);
  return true;
}
