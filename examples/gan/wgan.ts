// A Wasserstein GAN as one closed lens (Cruttwell et al., section 4.4):
//
//   (z, x) |-> critic(x) - critic(generator(z))   ;   rate
//
// with the critic applied twice to one tied parameter, the generator's
// parameter wire under an optimiser with a positive step (it descends the
// estimate) and the critic's under the same optimiser with a negative step
// (it ascends it), the critic's weights clipped by a lens on its wire: the
// weights it reads, or (clipAt "stored") the weights kept between steps.
// One reverse pass is one step of both. Portable: only the library is imported.
import {
  tie, reparam, par, seq, lens, adam, frozen, type Para, type Wires, type Lens, type ParamSpec, type Value, type Change, type RealOps, layers, losses, optimisers, wires,
} from "paralens";

export interface WganParts {
  generator: Para<Wires, Wires>;
  critic: Para<Wires, Wires>;
  noise: number;
  data: readonly number[];
  generatorLr: number;
  criticLr: number;
  clip: number;
  /** Only the critic steps (the generator's wire frozen): WGAN's extra critic steps between generator steps. */
  criticOnly?: boolean;
  /**
   * Where the clip acts: "seen" (default) clips the weights the critic reads
   * and lets the optimiser step the stored ones unclipped (they may drift past
   * c, then take as long to come back); "stored" clamps the stored weights
   * after every step, as the original WGAN does.
   */
  clipAt?: "seen" | "stored";
}

/** The closed WGAN lens [noise] x [data] -> I; its parameters: the generator's ("generator.*"), then the critic's ("real.*"), each after its optimiser state. */
export function wganLens(parts: WganParts): Para<Wires, Wires> {
  const critic = seq(parts.critic, layers.reshape([]));
  const estimate = tie(
    wires.diagram("wgan", [[parts.noise], parts.data], (d, [z, x]) => {
      const fake = d.apply1(parts.generator, [z!], "generator");
      return [d.apply1(wires.subtract([]), [d.apply1(critic, [x!], "real"), d.apply1(critic, [fake], "fake")])];
    }),
    parts.critic.params.map((p) => [`real.${p.name}`, `fake.${p.name}`]),
  );
  const stepped = reparam(estimate, (params: readonly ParamSpec[]) => {
    const g = params.filter((p) => p.name.startsWith("generator."));
    const c = params.filter((p) => p.name.startsWith("real."));
    const gen = parts.criticOnly ? frozen(g) : adam({ lr: parts.generatorLr, beta1: 0.5, beta2: 0.9 })(g);
    const crit = optimisers.ascend(adam({ lr: parts.criticLr, beta1: 0.5, beta2: 0.9 }))(c);
    const seen = optimisers.clipParameters(parts.clip)(c).lens;
    const clipped = parts.clipAt === "stored" ? seq(clampStored(parts.clip, crit.params), crit.lens, seen) : seq(crit.lens, seen);
    return {
      name: "generator descends, critic ascends",
      params: [...gen.params, ...crit.params],
      lens: par(gen.lens, clipped) as Lens<Wires, Wires>,
    };
  });
  return seq(stepped, wires.tap("estimate", [[]]), losses.constantRate(1)) as Para<Wires, Wires>;
}

/**
 * The lens S x P -> S x P in front of an optimiser that clamps the stored
 * parameters to [-c, c] after every step. Its forward hands the stored
 * tensors to the optimiser unchanged (its update kernels write them in
 * place); its reverse takes the new values and moves each parameter by
 * clip(p) - p with the same in-place step p + d, so the stored weights are
 * clipped. State wires pass through both ways. Until the first step the
 * stored initial weights may exceed c: the critic sees them through
 * clipParameters, as in the "seen" mode.
 */
function clampStored(c: number, specs: readonly ParamSpec[]): Lens<Wires, Wires> {
  const shapes = specs.map((p) => p.shape);
  const clip = (ops: RealOps, v: Value): Value => ops.minimum(ops.maximum(v, ops.fill(ops.shape(v), -c)), ops.fill(ops.shape(v), c));
  return lens<Wires, Wires, null>({
    name: `clampStored(${c})`,
    dom: shapes,
    cod: shapes,
    forward: (_ops, xs) => [[...xs], null],
    reverse: (ops, _r, news): Change[] => news.map((v, i) => (v !== null && specs[i]!.role === "parameter" ? ops.sgdStep(v, ops.sub(clip(ops, v), v)) : v)),
    linear: false,
  });
}
