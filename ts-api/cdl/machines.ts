// Mealy and Moore machines (Gavranović et al. 2024, "Coalgebras"): a Mealy
// machine is a coalgebra of the endofunctor (I -> O x -), in Para a cell
// I x S -> O x S; a Moore machine one of O x (I -> -), a pair
// output : S -> O and next : I x S -> S, so its output at step t is read off
// the state before input t arrives. Running a machine over T inputs unrolls T
// uses of the cell, the state carried from each to the next, the parameter
// shared by copying.
import { type Para, paraArgument } from "../algebra/para.ts";
import type { Shape, Wires } from "../algebra/shapes.ts";
import { ParalensError, describe, fmtWires } from "../engine/errors.ts";
import { type Builder, type Wire, diagram } from "../algebra/diagram.ts";
import { share, withStart } from "./share.ts";
import { checkShapes, stack, unstack } from "../ops/wire-lenses.ts";

/**
 * A machine with inputs I, outputs O and state S, unrolled per sequence length.
 *
 * @category Recursion
 */
export interface Machine<S extends Wires = Wires> {
  readonly name: string;
  /** The step I x S -> O x S. */
  readonly cell: Para<Wires, Wires>;
  readonly input: Shape;
  readonly output: Shape;
  readonly state: S;
  /** T steps: [T, ...I] x S -> [T, ...O] x S (the outputs of every step and the last state); one shared parameter. */
  run(length: number): Para<Wires, Wires>;
  /** The same with a parameter per step ("step@t.*"). */
  untied(length: number): Para<Wires, Wires>;
  /** T steps from the state `init` gives (run once and copied to every example): [T, ...I] -> [T, ...O]. Parameters "init.*" and the cell's. */
  outputs(length: number, init: Para<readonly [], S>): Para<readonly [Shape], readonly [Shape]>;
}

/**
 * mealy(cell): the machine of a cell I x S -> O x S.
 *
 * @example
 * ```ts
 * const parity = mealy(wires.diagram("step", [[1], [8]], (d, [x, h]) => {
 *   const h2 = d.apply1(gru(1, 8), [x!, h!], "gru");
 *   return [d.apply1(dense(8, 1, "sigmoid"), [h2], "out"), h2];
 * }));
 * const model = parity.outputs(10, point([8]));   // [10, 1] -> [10, 1]
 * ```
 *
 * @category Recursion
 */
export function mealy<S extends Wires>(cell: Para<Wires, Wires>, name?: string): Machine<S> {
  paraArgument("mealy", cell, "the cell");
  if (name !== undefined && typeof name !== "string") throw new ParalensError(`mealy: name must be a string, got ${describe(name)}`);
  name ??= `mealy(${cell.name})`;
  if (cell.dom.length < 1 || cell.cod.length !== cell.dom.length) {
    throw new ParalensError(`${name}: the cell must be I x S -> O x S, but ${cell.name} is ${fmtWires(cell.dom)} -> ${fmtWires(cell.cod)}`);
  }
  const [I, ...rest] = cell.dom;
  const S = rest as unknown as S;
  checkShapes(`${name}: the next state of ${cell.name}`, cell.cod.slice(1), S);
  const O = cell.cod[0]!;

  const steps = (length: number): void => {
    if (!Number.isInteger(length) || length < 1) throw new ParalensError(`${name}: a run needs a whole number of steps >= 1, got ${describe(length)}`);
  };
  const unroll = (d: Builder, xs: Wire, state: Wire[], length: number): { ys: Wire; state: Wire[] } => {
    const items = d.apply(unstack(length, I!), [xs]);
    const outs: Wire[] = [];
    for (let t = 0; t < length; t++) {
      const [o, ...next] = d.apply(cell, [items[t]!, ...state], `step@${t}`);
      outs.push(o!);
      state = next;
    }
    return { ys: d.apply1(stack(length, O), outs), state };
  };
  const untied = (length: number): Para<Wires, Wires> => {
    steps(length);
    return diagram(`${name} over ${length}`, [[length, ...I!], ...S], (d, [xs, ...state]) => {
      const { ys, state: last } = unroll(d, xs!, state, length);
      return [ys, ...last];
    });
  };
  const cellUses = (length: number): number[] => Array.from({ length }, () => 0);

  return {
    name,
    cell,
    input: I!,
    output: O,
    state: S,
    untied,
    run(length) {
      const f = untied(length);
      return { ...share(f, [{ prefix: "", params: cell.params }], cellUses(length)), name: f.name };
    },
    outputs(length, init) {
      steps(length);
      checkShapes(`${name}: the initial state ${init.name}`, init.cod, S);
      const f = diagram<readonly [Shape], readonly [Shape]>(`${name} over ${length} from ${init.name}`, [[length, ...I!]], (d, [xs]) => {
        const state = d.apply(withStart(xs!.shape, init), [xs!], "init");
        return [unroll(d, xs!, state, length).ys];
      });
      const cells = [{ prefix: "init", params: init.params }, { prefix: "", params: cell.params }];
      return { ...share(f, cells, [0, ...cellUses(length).map(() => 1)]), name: f.name };
    },
  };
}

/**
 * moore(output, next): the machine whose output at step t is output(s_t),
 * read before input t arrives, and whose state moves by s_{t+1} = next(i_t, s_t).
 * It is the Mealy machine of the cell (i, s) -> (output(s), next(i, s)).
 * Parameters "output.*" and "next.*".
 *
 * @example
 * ```ts
 * const lookahead = moore(dense(8, 1), elman(1, 8)).run(20);   // [20, 1] x [8] -> [20, 1] x [8]
 * ```
 *
 * @category Recursion
 */
export function moore<S extends Wires>(output: Para<S, readonly [Shape]>, next: Para<Wires, S>): Machine<S> {
  paraArgument("moore", output, "output");
  paraArgument("moore", next, "next");
  const S = output.dom;
  if (next.dom.length !== S.length + 1) {
    throw new ParalensError(`moore: next must take an input and the state ${fmtWires(S)}, but ${next.name} takes ${fmtWires(next.dom)}`);
  }
  checkShapes(`moore: the state read by ${next.name}`, next.dom.slice(1), S);
  checkShapes(`moore: the state given by ${next.name}`, next.cod, S);
  const cell = diagram(`moore(${output.name}, ${next.name})`, [next.dom[0]!, ...S], (d, [i, ...s]) => [
    d.apply1(output, s, "output"),
    ...d.apply(next, [i!, ...s], "next"),
  ]);
  return mealy<S>(cell, `moore(${output.name}, ${next.name})`);
}
