// The roots phase of compileZ2: what results each pass must produce. The
// forward pass writes the outputs and tapped values; the reverse pass the
// tapped values again (a training step is one reverse() call) and the
// changes that were asked for. Each result gets a bit tensor (or writes over
// the parameters, for an update), and each of its bits becomes a root: a
// traced node and the address of the wire it is stored to.
import type { Change, Value } from "../../algebra/category.ts";
import type { Para } from "../../algebra/para.ts";
import type { Shape, Wires } from "../../algebra/shapes.ts";
import type { Engine } from "../../engine/engine.ts";
import { ParalensError, fmtShape } from "../../engine/errors.ts";
import { BitTensor } from "../bits.ts";
import type { Z2Ops } from "../ops.ts";
import type { Root } from "../program.ts";
import { nodesOf } from "../trace.ts";
import type { TracedPasses } from "./trace.ts";

/** The tensors a plan writes its results to. */
export interface Destinations {
  readonly outputs: BitTensor[];
  readonly observed: Map<string, BitTensor>;
  readonly paramChanges: (BitTensor | null)[];
  readonly inputChanges: (BitTensor | null)[];
}

/** The roots of one pass, and the address each is stored to. */
export interface PassRoots {
  readonly roots: Root[];
  readonly addresses: number[];
}

/**
 * Allocates the destinations of `f`'s results (pushing them onto `owned`) and
 * lists the roots of the forward and the reverse pass.
 */
export function findRoots(
  e: Engine,
  f: Para<Wires, Wires, Z2Ops>,
  traced: TracedPasses,
  o: { batch: number; params: readonly BitTensor[]; changes: "all" | "params" | "none"; update: boolean },
  owned: BitTensor[],
): { destinations: Destinations; forward: PassRoots; reverse: PassRoots } {
  const { tracer, outputs: ys, paramChanges: dp, inputChanges: dx } = traced;
  const fresh = (v: Value): BitTensor => {
    const t = BitTensor.alloc(e, tracer.shape(v));
    owned.push(t);
    return t;
  };
  const outputs = ys.map(fresh);
  const observed = new Map([...traced.observed].map(([name, v]) => [name, fresh(v)] as const));
  const paramChanges = f.params.map((spec, i) => {
    const d = o.changes === "none" ? null : dp[i] ?? null;
    if (d === null) return null;
    expectShape(`the change of parameter "${spec.name}"`, tracer.shape(d), spec.shape);
    return o.update ? o.params[i]! : fresh(d);
  });
  const inputChanges = f.dom.map((s, i) => {
    const d = o.changes === "all" ? dx[i] ?? null : null;
    if (d === null) return null;
    expectShape(`the change of input ${i}`, tracer.shape(d), [o.batch, s[0]!]);
    return fresh(d);
  });
  ys.forEach((y, i) => expectShape(`output ${i}`, tracer.shape(y), [o.batch, f.cod[i]![0]!]));

  const taps = [...traced.observed].map(([name, v]) => [v, observed.get(name)!] as [Value, BitTensor]);
  const forward = rootsOf([...ys.map((y, i) => [y, outputs[i]!] as [Value, BitTensor]), ...taps]);
  const reverse = rootsOf(
    o.changes === "none"
      ? []
      : [...taps, ...paramChanges.map((t, i) => [dp[i] ?? null, t] as [Change, BitTensor | null]), ...inputChanges.map((t, i) => [dx[i] ?? null, t] as [Change, BitTensor | null])],
  );
  return { destinations: { outputs, observed, paramChanges, inputChanges }, forward, reverse };
}

/** One root per bit of each (value, destination) pair; pairs missing either are skipped. */
function rootsOf(pairs: [Change, BitTensor | null][]): PassRoots {
  const roots: Root[] = [];
  const addresses: number[] = [];
  for (const [v, t] of pairs) {
    if (v === null || t === null) continue;
    nodesOf(v).forEach((node, i) => {
      roots.push({ node, batched: t.batch !== null });
      addresses.push(t.wire(i));
    });
  }
  return { roots, addresses };
}

function expectShape(what: string, got: Shape, want: Shape): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new ParalensError(`compileZ2: ${what} has shape ${fmtShape(got)}, expected ${fmtShape(want)}`);
  }
}
