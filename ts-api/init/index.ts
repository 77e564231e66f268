import { Rng } from "./random.ts";
import { zeros, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal } from "./initialisers.ts";

/**
 * The first values of parameters: the seeded generator every random draw
 * comes from, and the initialisers layers take.
 *
 * @example
 * ```ts
 * const rng = new initialisers.Rng(7);
 * initialisers.constant(0.5)([2], rng);  // Float64Array [0.5, 0.5]
 * initialisers.heNormal([4, 3], rng).length;  // 12
 * ```
 *
 * @namespace
 * @category Initialisers
 */
export const initialisers = {
  Rng, zeros, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal,
} as const;
