// A Wasserstein GAN as one closed lens (Cruttwell et al., section 4.4):
//
//   (z, x) |-> critic(x) - critic(generator(z))   ;   rate
//
// with the critic applied twice to one tied parameter, the generator's
// parameter wire under an optimiser with a positive step (it descends the
// estimate) and the critic's under the same optimiser with a negative step
// (it ascends it), the critic's weights clipped by a lens on its wire.
// One reverse pass is one step of both. Portable: only the library is imported.
import {
  diagram, subtract, tie, tap, reparam, par, seq, constantRate, adam, clipParameters, reshape, frozen,
  type Para, type Wires, type Lens, type ParamSpec,
} from "../../ts-api/index.ts";

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
}

/** The closed WGAN lens [noise] x [data] -> I; its parameters: the generator's ("generator.*"), then the critic's ("real.*"), each after its optimiser state. */
export function wganLens(parts: WganParts): Para<Wires, Wires> {
  const critic = seq(parts.critic, reshape([]));
  const estimate = tie(
    diagram("wgan", [[parts.noise], parts.data], (d, [z, x]) => {
      const fake = d.apply1(parts.generator, [z!], "generator");
      return [d.apply1(subtract([]), [d.apply1(critic, [x!], "real"), d.apply1(critic, [fake], "fake")])];
    }),
    parts.critic.params.map((p) => [`real.${p.name}`, `fake.${p.name}`]),
  );
  const stepped = reparam(estimate, (params: readonly ParamSpec[]) => {
    const g = params.filter((p) => p.name.startsWith("generator."));
    const c = params.filter((p) => p.name.startsWith("real."));
    const gen = parts.criticOnly ? frozen(g) : adam({ lr: parts.generatorLr, beta1: 0.5, beta2: 0.9 })(g);
    const crit = adam({ lr: -parts.criticLr, beta1: 0.5, beta2: 0.9 })(c);
    const clip = clipParameters(parts.clip)(c);
    return {
      name: "generator descends, critic ascends",
      params: [...gen.params, ...crit.params],
      lens: par(gen.lens, seq(crit.lens, clip.lens)) as Lens<Wires, Wires>,
    };
  });
  return seq(stepped, tap("estimate", [[]]), constantRate(1)) as Para<Wires, Wires>;
}
