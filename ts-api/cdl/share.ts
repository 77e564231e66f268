// Weight sharing, made literal (Gavranović et al., "Categorical Deep
// Learning", 2024: unrolling a cell reuses one parameter). An unrolled model
// is first built untied: every use of a cell has parameter wires of its own.
// Sharing is then a reparameterisation by copying: one wire per cell
// parameter feeds all of its uses, and the reverse of copying adds the
// changes, so the shared gradient is the sum over uses by construction.
//
// Also here: points (Para maps from the unit, the Nil case of a fold or a
// machine's initial state) and how they meet a batch.
import type { Value } from "../algebra/category.ts";
import { type Para, type ParamSpec, para, paraArgument } from "../algebra/para.ts";
import { reparam } from "../algebra/reparam.ts";
import { type Shape, type Wires, shapeArgument } from "../algebra/shapes.ts";
import { wire } from "../algebra/structure.ts";
import { ParalensError, fmtShape, fmtWires, describe } from "../engine/errors.ts";
import { type Initialiser, zeros } from "../init/initialisers.ts";
import { registerOps } from "../ops/registry.ts";
import { wireOps } from "../ops/wires.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => wireOps);

/**
 * A cell whose parameters an unrolling shares, and the prefix its shared parameters are named with.
 *
 * @category Sharing
 */
export interface SharedCell {
  readonly prefix: string;
  readonly params: readonly ParamSpec[];
}

/**
 * `untied` with its parameters shared: its parameter wires must be blocks, block
 * b holding one use of cell `uses[b]` (that cell's parameters, in order). The
 * result has each cell's parameters once (named prefix.name) and feeds every
 * block from them through the copying lens `wire`, whose reverse sums.
 *
 * @example
 * ```ts
 * const cell = dense(3, 3, "tanh");
 * const twice = seq(cell, cell);   // two uses, two parameter blocks "0.*" and "1.*"
 * share(twice, [{ prefix: "cell", params: cell.params }], [0, 0]).params.length;  // 2: cell.weight, cell.bias
 * ```
 *
 * @category Sharing
 */
export function share<A extends Wires, B extends Wires>(untied: Para<A, B>, cells: readonly SharedCell[], uses: readonly number[]): Para<A, B> {
  paraArgument("share", untied, "untied");
  if (!Array.isArray(cells as unknown)) throw new ParalensError(`share: cells must be an array of { prefix, params }, got ${describe(cells)}`);
  cells.forEach((c: unknown, i) => {
    const cell = c as Partial<SharedCell> | null;
    if (typeof c !== "object" || cell === null || !Array.isArray(cell.params) || typeof cell.prefix !== "string") {
      throw new ParalensError(`share: cells[${i}] must be { prefix: string, params: a cell's params }, got ${describe(c)}`);
    }
    cell.params.forEach((p: unknown, j) => {
      if (typeof p !== "object" || p === null) throw new ParalensError(`share: cells[${i}].params[${j}] must be a parameter spec, got ${describe(p)}`);
      shapeArgument("share", (p as ParamSpec).shape, `cells[${i}].params[${j}].shape`);
    });
  });
  if (!Array.isArray(uses as unknown)) throw new ParalensError(`share: uses must be an array of cell numbers, got ${describe(uses)}`);
  const starts: number[] = [];
  let count = 0;
  for (const c of cells) {
    starts.push(count);
    count += c.params.length;
  }
  const sources = uses.flatMap((u) => {
    const cell = cells[u];
    if (!Number.isInteger(u) || cell === undefined) throw new ParalensError(`share: use of cell ${describe(u)}, but there are ${cells.length} cells`);
    return cell.params.map((_, j) => starts[u]! + j);
  });
  if (sources.length !== untied.params.length) {
    throw new ParalensError(`share: ${untied.name} has ${untied.params.length} parameter wires, but the uses account for ${sources.length}`);
  }
  const shared: ParamSpec[] = cells.flatMap((c) => c.params.map((p) => ({ ...p, name: c.prefix ? `${c.prefix}.${p.name}` : p.name })));
  sources.forEach((s, j) => {
    const [want, have] = [shared[s]!.shape, untied.params[j]!.shape];
    if (want.length !== have.length || want.some((d, i) => d !== have[i])) {
      throw new ParalensError(`share: parameter wire ${j} of ${untied.name} is ${fmtShape(have)}, but its cell's is ${fmtShape(want)}`);
    }
  });
  return reparam(untied, { name: "share", params: shared, lens: wire(shared.map((p) => p.shape), sources, "copy") });
}

/**
 * Renames a Para's parameters (same count and order), for readable names in composites.
 *
 * @example
 * ```ts
 * named(dense(4, 3), ["w", "b"]).params.map((p) => p.name);  // ["w", "b"]
 * ```
 *
 * @category Sharing
 */
export function named<A extends Wires, B extends Wires>(f: Para<A, B>, names: readonly string[], name?: string): Para<A, B> {
  paraArgument("named", f);
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) throw new ParalensError(`named: names must be an array of strings, got ${describe(names)}`);
  if (name !== undefined && typeof name !== "string") throw new ParalensError(`named: name must be a string, got ${describe(name)}`);
  name ??= f.name;
  if (names.length !== f.params.length) throw new ParalensError(`named: ${f.name} has ${f.params.length} parameters, got ${names.length} names`);
  return { ...f, name, params: f.params.map((p, i) => ({ ...p, name: names[i]! })) };
}

/**
 * point(S): a learned constant, the Para I -> S whose output is its
 * parameter. Used as the Nil case of a fold or a machine's initial state.
 * Having no input wire it has no batch: it gives one example, which
 * `withStart` copies to every example of a batch.
 *
 * @example
 * ```ts
 * const start = point([16]);  // a learned constant: I -> [16]
 * [start.dom, start.cod];  // [[], [[16]]]
 * ```
 *
 * @category Sharing
 */
export function point<const S extends Shape>(shape: S, options: { init?: Initialiser; name?: string } = {}): Para<readonly [], readonly [S]> {
  return para<readonly [], readonly [S], null>({
    name: `point(${fmtShape(shape)})`,
    dom: [],
    cod: [shape],
    params: [{ name: options.name ?? "value", shape, init: options.init ?? zeros, role: "parameter" }],
    forward: (ops, [p]) => [[ops.reshape(p!, [1, ...shape])], null],
    reverse: (ops, _r, [d]) => [[ops.reshape(d!, shape)], []],
  });
}

/**
 * The constant zero I -> S (one example), a state that is not learned.
 *
 * @example
 * ```ts
 * zeroPoint([16]).params.length;  // 0: the zero state, not learned
 * ```
 *
 * @category Sharing
 */
export function zeroPoint<const S extends Shape>(shape: S): Para<readonly [], readonly [S]> {
  return para<readonly [], readonly [S], null>({
    name: `zero(${fmtShape(shape)})`,
    dom: [],
    cod: [shape],
    forward: (ops) => [[ops.zeros([1, ...shape])], null],
    reverse: () => [[], []],
  });
}

/**
 * withStart(X, init): X -> S, init's value for every example of x (x is
 * read only for its batch size, so its change is zero). init : I -> S is run
 * once (one example) and copied across the batch; copying's reverse adds,
 * so init receives the sum of the changes over the batch.
 *
 * @example
 * ```ts
 * const h0 = withStart([3], point([16]));  // every example of a [3] input starts from one learned [16]
 * h0.cod;  // [[16]]
 * ```
 *
 * @category Sharing
 */
export function withStart(x: Shape, init: Para<Wires, Wires>): Para<readonly [Shape], Wires> {
  shapeArgument("withStart", x, "x");
  paraArgument("withStart", init, "init");
  if (init.dom.length !== 0) throw new ParalensError(`withStart: ${init.name} must take no input wires, but takes ${fmtWires(init.dom)}`);
  const S = init.cod;
  return para<readonly [Shape], Wires, unknown>({
    name: `start(${init.name})`,
    dom: [x],
    cod: S,
    params: init.params,
    forward(ops, p, [xv]) {
      const n = ops.shape(xv!)[0]!;
      const [vs, r] = init.forward(ops, p, []);
      return [vs.map((v, i) => ops.addRowVector(ops.zeros([n, ...S[i]!]), v)), r];
    },
    reverse(ops, r, ds) {
      const dv: Value[] = ds.map((d, i) => ops.reshape(ops.sumRows(d), [1, ...S[i]!]));
      const [dp] = init.reverse(ops, r, dv);
      return [dp, [null]];
    },
  });
}
