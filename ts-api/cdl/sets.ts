// Sets: layers equivariant or invariant under permutations of the n elements
// of a set [n, ...D] (Zaheer et al. 2017, "Deep Sets"). Every piece is a
// lens already in the algebra, arranged so that permuting the elements
// commutes with it: a map applied to each element with one shared parameter
// (perElement), sums over the elements (sumPool) and copies to every element
// (broadcast), which are each other's reverse.
import { type Para, paraArgument } from "../algebra/para.ts";
import { seq } from "../algebra/compose.ts";
import { type Shape, type Wires, countArgument, shapeArgument } from "../algebra/shapes.ts";
import { add, wire } from "../algebra/structure.ts";
import { ParalensError, fmtWires } from "../engine/errors.ts";
import { type ActivationName, activationNamed } from "../layers/activations.ts";
import { bias } from "../layers/bias.ts";
import { linear, positive } from "../layers/linear.ts";
import { diagram } from "../algebra/diagram.ts";
import { scaled, stack, sumWires, unstack } from "../ops/wire-lenses.ts";
import { registerOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);

/**
 * perElement(f, n): f applied to each of n elements, [n, ...A] -> [n, ...B],
 * with one parameter. This is the n-fold product f x ... x f with its
 * parameter copied n times, computed as one use of f on a batch n times as
 * large (the batch and element axes merged), whose parameter change is the
 * same sum over elements and examples. f must treat the examples of a batch
 * independently, as everything built from dense layers and activations does.
 *
 * @example
 * ```ts
 * perElement(dense(3, 8), 5).cod;  // [[5, 8]]: one dense layer on each of 5 elements
 * ```
 *
 * @category Layers
 */
export function perElement<A extends Wires, B extends Wires>(f: Para<A, B>, n: number): Para<Wires, Wires> {
  paraArgument("perElement", f);
  countArgument("perElement", n, "n", 1);
  if (f.dom.length === 0) throw new ParalensError(`perElement: ${f.name} takes no input wires, so there is nothing to apply it to`);
  const dom = f.dom.map((s) => [n, ...s]);
  const cod = f.cod.map((s) => [n, ...s]);
  return {
    kind: "para",
    name: `each ${n} ${f.name}`,
    dom,
    cod,
    params: f.params,
    forward(ops, p, xs) {
      const N = ops.shape(xs[0]!)[0]!;
      const [ys, r] = f.forward(ops, p, xs.map((x, i) => ops.reshape(x, [N * n, ...f.dom[i]!])));
      return [ys.map((y, i) => ops.reshape(y, [N, n, ...f.cod[i]!])), { r, N }];
    },
    reverse(ops, residual, dys) {
      const { r, N } = residual as { r: unknown; N: number };
      const [dp, dx] = f.reverse(ops, r, dys.map((d, i) => (d === null ? null : ops.reshape(d, [N * n, ...f.cod[i]!]))));
      return [dp, dx.map((d, i) => (d === null ? null : ops.reshape(d, [N, n, ...f.dom[i]!])))];
    },
  };
}

/**
 * sumPool(n, S): [n, ...S] -> S, the sum over the elements: invariant under permutations. Reverse: broadcast.
 *
 * @example
 * ```ts
 * sumPool(5, [8]).cod;  // [[8]]
 * ```
 *
 * @category Layers
 */
export function sumPool(n: number, shape: Shape): Para<readonly [Shape], readonly [Shape]> {
  positive("sumPool", n);
  return { ...(seq(unstack(n, shape), sumWires(n, shape)) as Para<readonly [Shape], readonly [Shape]>), name: `sumPool(${n})` };
}

/**
 * meanPool(n, S): [n, ...S] -> S, the mean over the elements.
 *
 * @example
 * ```ts
 * meanPool(5, [8]).cod;  // [[8]]
 * ```
 *
 * @category Layers
 */
export function meanPool(n: number, shape: Shape): Para<readonly [Shape], readonly [Shape]> {
  return { ...(seq(sumPool(n, shape), scaled(shape, 1 / n)) as Para<readonly [Shape], readonly [Shape]>), name: `meanPool(${n})` };
}

/**
 * broadcast(n, S): S -> [n, ...S], a copy for every element (equivariant: every element gets the same). Reverse: sumPool.
 *
 * @example
 * ```ts
 * broadcast(5, [8]).cod;  // [[5, 8]]
 * ```
 *
 * @category Layers
 */
export function broadcast(n: number, shape: Shape): Para<readonly [Shape], readonly [Shape]> {
  countArgument("broadcast", n, "n", 1);
  shapeArgument("broadcast", shape);
  const copies = wire([shape], Array.from({ length: n }, () => 0), `copy ${n}`);
  return { ...(seq(copies, stack(n, shape)) as Para<readonly [Shape], readonly [Shape]>), name: `broadcast(${n})` };
}

/**
 * The permutation-equivariant layer of Deep Sets (Zaheer et al. 2017, eq. 4
 * with sum pooling): y_i = act(x_i L + (sum_j x_j) G + b), [n, d] -> [n, h].
 * Parameters "lambda.weight" [d, h], "gamma.weight" [d, h], "bias" [h].
 *
 * @example
 * ```ts
 * deepSetsLayer(5, 3, 8, "relu").cod;  // [[5, 8]]
 * ```
 *
 * @category Layers
 */
export function deepSetsLayer(n: number, inputs: number, outputs: number, activation?: ActivationName): Para<readonly [Shape], readonly [Shape]> {
  positive("deepSetsLayer", n, inputs, outputs);
  return diagram(`deepSetsLayer(${n}, ${inputs} -> ${outputs})`, [[n, inputs]], (d, [x]) => {
    const own = d.apply1(perElement(linear(inputs, outputs), n), [x!], "lambda");
    const pooled = d.apply1(linear(inputs, outputs), [d.apply1(sumPool(n, [inputs]), [x!])], "gamma");
    const z = d.apply1(perElement(bias(outputs), n), [d.apply1(add([n, outputs]), [own, d.apply1(broadcast(n, [outputs]), [pooled])])]);
    return [activation ? d.apply1(activationNamed(activation), [z]) : z];
  });
}

/**
 * Deep Sets' invariant model rho(sum_i phi(x_i)): [n, ...A] -> B, with phi : A -> H
 * applied to each element and rho : H -> B. Parameters "phi.*" and "rho.*".
 *
 * @example
 * ```ts
 * const setSum = deepSets(10, dense(1, 16, "relu"), seq(dense(16, 16, "relu"), dense(16, 1)));
 * ```
 *
 * @category Layers
 */
export function deepSets(n: number, phi: Para<Wires, Wires>, rho: Para<Wires, Wires>): Para<Wires, Wires> {
  countArgument("deepSets", n, "n", 1);
  paraArgument("deepSets", phi, "phi");
  paraArgument("deepSets", rho, "rho");
  if (phi.dom.length !== 1 || phi.cod.length !== 1) throw new ParalensError(`deepSets: phi must map one wire to one, ${phi.name} is ${fmtWires(phi.dom)} -> ${fmtWires(phi.cod)}`);
  const H = phi.cod[0]!;
  return diagram(`deepSets(${n}, ${phi.name}, ${rho.name})`, [[n, ...phi.dom[0]!]], (d, [x]) => {
    const pooled = d.apply1(sumPool(n, H), [d.apply1(perElement(phi, n), [x!], "phi")]);
    return d.apply(rho, [pooled], "rho");
  });
}
