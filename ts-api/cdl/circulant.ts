// Convolution as a tied dense layer (Gavranović et al., "Categorical Deep Learning", on equivariance: "the equation f(g . x) = g . f(x)
// gives rise to ... a weight tying scheme"). A dense layer on [n, cin] ->
// [n, cout] commutes with cyclic shifts exactly when its weight is
// block-circulant: every entry is a copy of an entry of a small kernel. So a
// circular convolution is dense(n cin, n cout) reparameterised by a tying
// map kernel -> weight, which gathers (a copy per entry, 0 outside the
// kernel's reach) and whose reverse scatters: each kernel entry receives the
// sum of the changes of all the places it was copied to.
import { type Lens, type Para, type ParamSpec, paraArgument } from "../algebra/para.ts";
import { par, seq, seqOf } from "../algebra/compose.ts";
import { type Reparameterisation, reparam } from "../algebra/reparam.ts";
import { type Shape, type Wires, shapeArgument } from "../algebra/shapes.ts";
import { lens } from "../algebra/para.ts";
import { wire } from "../algebra/structure.ts";
import { ParalensError, fmtShape, describe } from "../engine/errors.ts";
import { type Initialiser, glorotUniform, zeros } from "../init/initialisers.ts";
import { type ActivationName, activationNamed } from "../layers/activations.ts";
import { dense } from "../layers/dense.ts";
import { positive } from "../layers/linear.ts";
import { reshape } from "../layers/reshape.ts";
import { registerOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);

const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/**
 * indexMap(from, to, index): the lens on parameter wires (no batch axis)
 * from -> to with out[t] = in[index[t]] (0 where index[t] = -1). Reverse:
 * d_in[i] = the sum of d_out[t] over every t with index[t] = i.
 *
 * @example
 * ```ts
 * const reversed = indexMap([3], [3], Int32Array.from([2, 1, 0]));
 * reversed.forward(backends.reference, [], [backends.refTensor([1, 3], [1, 2, 3])])[0][0]!.data;  // Float64Array [3, 2, 1]
 * ```
 *
 * @category Sharing
 */
export function indexMap(from: Shape, to: Shape, index: Int32Array, name = "indexMap"): Lens<readonly [Shape], readonly [Shape]> {
  shapeArgument(name, from, "from");
  shapeArgument(name, to, "to");
  if (!(index instanceof Int32Array)) throw new ParalensError(`${name}: index must be an Int32Array, got ${describe(index)}`);
  if (index.length !== sizeOf(to)) throw new ParalensError(`${name}: ${index.length} indices for ${fmtShape(to)} (${sizeOf(to)} values)`);
  const n = sizeOf(from);
  index.forEach((i, t) => {
    if (!Number.isInteger(i) || i < -1 || i >= n) throw new ParalensError(`${name}: index[${t}] = ${i} is not -1 or a position in ${fmtShape(from)}`);
  });
  return lens<readonly [Shape], readonly [Shape], null>({
    name,
    dom: [from],
    cod: [to],
    forward: (ops, [x]) => [[ops.gather(x!, index, to)], null],
    reverse: (ops, _r, [dy]) => [ops.scatterAdd(dy!, index, from)],
  });
}

/**
 * A tying map for f: f's parameter i is gathered from new parameter `maps[i].source` by `maps[i].index`.
 *
 * @example
 * ```ts
 * // a 2 x 2 weight whose two columns are one parameter of 2 values
 * const f = layers.linear(2, 2);
 * const tied = reparam(f, tying(f, [{ name: "column", shape: [2], init: initialisers.glorotUniform, role: "parameter" }], [{ source: 0, index: Int32Array.from([0, 0, 1, 1]) }]));
 * tied.params.map((p) => p.name);  // ["column"]
 * ```
 *
 * @category Sharing
 */
export function tying(f: Para<Wires, Wires>, params: readonly ParamSpec[], maps: readonly { source: number; index: Int32Array }[]): Reparameterisation {
  paraArgument("tying", f);
  if (!Array.isArray(params)) throw new ParalensError(`tying: params must be an array of parameter specs, got ${describe(params)}`);
  params.forEach((p: unknown, i) => {
    if (typeof p !== "object" || p === null) throw new ParalensError(`tying: params[${i}] must be a parameter spec ({ name, shape, init }), got ${describe(p)}`);
    shapeArgument("tying", (p as ParamSpec).shape, `params[${i}].shape`);
  });
  if (!Array.isArray(maps)) throw new ParalensError(`tying: maps must be an array of { source, index }, got ${describe(maps)}`);
  maps.forEach((m: unknown, i) => {
    const map = m as { source?: unknown } | null;
    if (typeof m !== "object" || map === null || !Number.isInteger(map.source) || (map.source as number) < 0 || (map.source as number) >= params.length) {
      throw new ParalensError(`tying: maps[${i}] must be { source: a parameter number below ${params.length}, index: Int32Array }, got ${describe(m)}`);
    }
  });
  if (maps.length !== f.params.length) throw new ParalensError(`tying: ${f.name} has ${f.params.length} parameters, got ${maps.length} maps`);
  const Q = params.map((p) => p.shape);
  const copies = wire(Q, maps.map((m) => m.source), "copy");
  const gathers = maps.map((m, i) => indexMap(Q[m.source]!, f.params[i]!.shape, m.index, `tie ${f.params[i]!.name}`));
  const l = gathers.length === 1 ? seq(copies, gathers[0]!) : seq(copies, par(...(gathers as unknown as [Lens<Wires, Wires>, ...Lens<Wires, Wires>[]])));
  return { name: "tying", params, lens: l as Lens<Wires, Wires> };
}

/**
 * Where each entry of the block-circulant weight [prod(grid) cin, prod(grid) cout]
 * comes from in the kernel [...ksize, cin, cout], for a grid of positions (1-D:
 * [n], 2-D: [h, w]) and a centred kernel: weight[(p, ci), (q, co)] =
 * kernel[(p - q + c) mod grid, ci, co] along each axis, -1 where that is outside the kernel.
 */
export function circulantIndex(grid: Shape, ksize: Shape, cin: number, cout: number): Int32Array {
  if (grid.length !== ksize.length) throw new ParalensError(`circulantIndex: grid ${fmtShape(grid)} and kernel ${fmtShape(ksize)} differ in rank`);
  grid.forEach((g, a) => {
    if (ksize[a]! > g) throw new ParalensError(`circulantIndex: the kernel ${fmtShape(ksize)} is larger than the grid ${fmtShape(grid)}`);
  });
  const cells = sizeOf(grid);
  const coords = (i: number, dims: Shape): number[] => dims.map((_, a) => Math.floor(i / sizeOf(dims.slice(a + 1))) % dims[a]!);
  const index = new Int32Array(cells * cin * cells * cout);
  for (let p = 0; p < cells; p++) {
    const pc = coords(p, grid);
    for (let q = 0; q < cells; q++) {
      const qc = coords(q, grid);
      // the kernel position linking input p to output q, per axis
      const t = grid.map((g, a) => (((pc[a]! - qc[a]! + Math.floor(ksize[a]! / 2)) % g) + g) % g);
      const inside = t.every((ta, a) => ta < ksize[a]!);
      const tk = t.reduce((acc, ta, a) => acc * ksize[a]! + ta, 0);
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) {
          index[(p * cin + ci) * cells * cout + q * cout + co] = inside ? (tk * cin + ci) * cout + co : -1;
        }
      }
    }
  }
  return index;
}

/** The circular convolution on a grid (1-D [n] or 2-D [h, w]) as a dense layer with tied weights. */
function circularConv(grid: Shape, ksize: Shape, cin: number, cout: number, options: ConvOptions): Para<readonly [Shape], readonly [Shape]> {
  positive("circularConv", ...grid, ...ksize, cin, cout);
  const cells = sizeOf(grid);
  const [X, Y] = [[...grid, cin], [...grid, cout]];
  const flat = seqOf([reshape([cells * cin]).at([X]), dense(cells * cin, cells * cout), reshape(Y).at([[cells * cout]])]) as Para<Wires, Wires>;
  const params: ParamSpec[] = [
    { name: "kernel", shape: [...ksize, cin, cout], init: options.init ?? glorotUniform, role: "parameter" },
    { name: "bias", shape: [cout], init: options.biasInit ?? zeros, role: "parameter" },
  ];
  const biasIndex = Int32Array.from({ length: cells * cout }, (_, i) => i % cout);
  const conv = reparam(flat, tying(flat, params, [{ source: 0, index: circulantIndex(grid, ksize, cin, cout) }, { source: 1, index: biasIndex }]));
  const name = `circularConv(${fmtShape(grid)}, ${cin} -> ${cout}, kernel ${fmtShape(ksize)})`;
  const act = options.activation && activationNamed(options.activation);
  return { ...((act ? seq(conv, act) : conv) as Para<readonly [Shape], readonly [Shape]>), name, params };
}

/**
 * Options of the circular convolutions: an activation after the layer, and the kernel's and bias's initialisers.
 *
 * @category Layers
 */
export interface ConvOptions {
  activation?: ActivationName;
  init?: Initialiser;
  biasInit?: Initialiser;
}

/**
 * circularConv1d(n, cin, cout, k): [n, cin] -> [n, cout], y[i] = sum_t x[(i + t - c) mod n] kernel[t] + bias
 * (c = floor(k / 2)), as dense(n cin, n cout) with a block-circulant weight.
 * Equivariant under cyclic shifts. Parameters "kernel" [k, cin, cout] and "bias" [cout].
 *
 * @example
 * ```ts
 * circularConv1d(8, 1, 4, 3).cod;  // [[8, 4]]
 * ```
 *
 * @category Layers
 */
export function circularConv1d(n: number, cin: number, cout: number, k: number, options: ConvOptions = {}): Para<readonly [Shape], readonly [Shape]> {
  return circularConv([n], [k], cin, cout, options);
}

/**
 * circularConv2d(h, w, cin, cout, kh, kw): [h, w, cin] -> [h, w, cout], the 2-D circular
 * convolution (a torus), as a dense layer with tied weights. Equivariant
 * under translations Z_h x Z_w. Parameters "kernel" [kh, kw, cin, cout] and "bias" [cout].
 *
 * @example
 * ```ts
 * circularConv2d(6, 6, 1, 4, 3, 3).cod;  // [[6, 6, 4]]
 * ```
 *
 * @category Layers
 */
export function circularConv2d(h: number, w: number, cin: number, cout: number, kh: number, kw: number, options: ConvOptions = {}): Para<readonly [Shape], readonly [Shape]> {
  return circularConv([h, w], [kh, kw], cin, cout, options);
}
