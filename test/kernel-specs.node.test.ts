// Every kernel of the wasm core has a spec of its own in assembly/__tests__/
// (run by as-pect: edge values, odd lengths, the error bound), or is checked
// from TypeScript by a test named here, with what it checks. A new kernel
// with neither fails here, naming it; so does a name here the core no longer
// exports, or a test named here that no longer exists or no longer names it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertDeepEqual } from "./assert.ts";
import { kernelNames } from "../ts-api/engine/kernels.generated.ts";

const root = join(import.meta.dirname, "..");

/** Exports of the core that are not kernels, and kernels checked from TypeScript: the test file (which names the kernel's op or API) and why. */
const elsewhere: Record<string, { test?: string; names?: string; why: string }> = {
  heapBase: { why: "where the core's static data ends: a query of the build, not a kernel" },
  scratchBytes: { why: "how much scratch an instance packs its panels in: a query of the build" },
  gemmKBlock: { why: "the GEMM's K block: a query of the build" },
  setRows: { test: "transformer-decoder.test.ts", names: "Decoder", why: "the decoder's cache written row by row gives the logits of a full forward pass" },
  uniformFill: { test: "engine.test.ts", names: "fillUniform", why: "Rng.fillUniform gives uniform()'s values, one per element, in order" },
  binaryCrossEntropyLabelReverse: { test: "primitives.test.ts", names: "binaryCrossEntropy", why: "the loss's reverse in its label input, against the reference and finite differences" },
};

test("every kernel of the core has a spec in assembly/__tests__, or a TypeScript test named with what it checks", () => {
  const specs = readdirSync(join(root, "assembly", "__tests__")).filter((f) => f.endsWith(".spec.ts")).map((f) => readFileSync(join(root, "assembly", "__tests__", f), "utf8")).join("\n");
  const named = (text: string, name: string): boolean => new RegExp(`\\b${name}\\b`).test(text);
  const missing = kernelNames.filter((k) => !(k in elsewhere) && !named(specs, k));
  assertDeepEqual(missing, [], "kernels with no spec and no test named here");
  const stale = Object.keys(elsewhere).filter((k) => !(kernelNames as readonly string[]).includes(k));
  assertDeepEqual(stale, [], "names here the core no longer exports");
  const specced = Object.keys(elsewhere).filter((k) => named(specs, k));
  assertDeepEqual(specced, [], "kernels named here that have a spec now (drop them from the list)");
  const lost = Object.entries(elsewhere).filter(([, e]) => e.test !== undefined && !(existsSync(join(root, "test", e.test)) && named(readFileSync(join(root, "test", e.test), "utf8"), e.names!)));
  assertDeepEqual(lost.map(([k]) => k), [], "kernels whose named test is gone or no longer names what it checks");
});
