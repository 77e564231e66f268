// Folds over binary trees: an algebra of A + (-)^2 in Para is a pair
// leaf : A -> S and node : S x S -> S (with labelled nodes, of A + B x (-)^2:
// node : B x S x S -> S), and the fold is the algebra homomorphism out of
// trees (Gavranović et al. 2024):
//
//   fold(Leaf(a))       = leaf(p, a)
//   fold(Node(l, r))    = node(p, fold(l), fold(r))
//
// A tree of a given shape unrolls to one use of leaf per leaf and one use of
// node per inner node, wired as the tree; the parameters are shared by
// copying. The values of a tree travel as two lists: its leaves left to
// right, [L, ...A], and (if labelled) its node labels in post-order, [M, ...B].
// Plans are compiled per tree shape; a batch holds trees of one shape.
import { type Para, paraArgument } from "../algebra/para.ts";
import { type Shape, type Wires, MAX_COUNT, shapeArgument } from "../algebra/shapes.ts";
import { ParalensError, fmtWires, describe, optionsArgument } from "../engine/errors.ts";
import { type Wire, diagram } from "../algebra/diagram.ts";
import { share } from "./share.ts";
import { checkShapes, unstack } from "../ops/wire-lenses.ts";

/**
 * A binary tree with values A at the leaves and labels B at the inner nodes.
 *
 * @category Recursion
 */
export type Tree<A, B = undefined> = { readonly kind: "leaf"; readonly value: A } | { readonly kind: "node"; readonly left: Tree<A, B>; readonly right: Tree<A, B>; readonly label: B };

/**
 * Leaf(a).
 *
 * @example
 * ```ts
 * treeShape(node(leaf(1), leaf(2)));  // "(. .)"-like: the shape without the values
 * ```
 *
 * @category Recursion
 */
export function leaf<A, B = undefined>(value: A): Tree<A, B> {
  return { kind: "leaf", value };
}

/**
 * Node(l, r), with an optional label.
 *
 * @example
 * ```ts
 * flattenTree(node(node(leaf(1), leaf(2)), leaf(3))).leaves;  // [1, 2, 3]
 * ```
 *
 * @category Recursion
 */
export function node<A, B = undefined>(left: Tree<A, B>, right: Tree<A, B>, label?: B): Tree<A, B> {
  return { kind: "node", left, right, label: label as B };
}

/**
 * The shape of a tree as a string: "." for a leaf, "(lr)" for a node, e.g. "((..).)". Plans are made per shape.
 *
 * @example
 * ```ts
 * treeShape(node(leaf(1), leaf(2))) === treeShape(node(leaf(5), leaf(6)));  // true: one plan per shape
 * ```
 *
 * @category Recursion
 */
export function treeShape(t: Tree<unknown, unknown>): string {
  treeArgument("treeShape", t);
  return shapeOf(t);
}

const shapeOf = (t: Tree<unknown, unknown>): string => (t.kind === "leaf" ? "." : `(${shapeOf(t.left)}${shapeOf(t.right)})`);

/** Throws unless `t` is a tree of leaf(...) and node(...), naming the first part that is not. */
function treeArgument(what: string, t: unknown): asserts t is Tree<unknown, unknown> {
  const todo: unknown[] = [t];
  for (let seen = 0; todo.length > 0; seen++) {
    if (seen > MAX_COUNT) throw new ParalensError(`${what}: the tree has more than ${MAX_COUNT} nodes (or a cycle)`);
    const u = todo.pop() as { kind?: unknown; left?: unknown; right?: unknown } | null;
    if (typeof u !== "object" || u === null || (u.kind !== "leaf" && u.kind !== "node")) {
      throw new ParalensError(`${what}: a tree is made of leaf(value) and node(left, right), got ${describe(u)}${u === t ? "" : " inside it"}`);
    }
    if (u.kind === "node") todo.push(u.right, u.left);
  }
}

/**
 * The leaf values left to right and the node labels in post-order (left, right, node).
 *
 * @example
 * ```ts
 * flattenTree(node(leaf("a"), leaf("b"))).leaves;  // ["a", "b"]
 * ```
 *
 * @category Recursion
 */
export function flattenTree<A, B>(t: Tree<A, B>): { leaves: A[]; labels: B[] } {
  treeArgument("flattenTree", t);
  const leaves: A[] = [];
  const labels: B[] = [];
  const walk = (u: Tree<A, B>): void => {
    if (u.kind === "leaf") leaves.push(u.value);
    else {
      walk(u.left);
      walk(u.right);
      labels.push(u.label);
    }
  };
  walk(t);
  return { leaves, labels };
}

type ShapeTree = null | readonly [ShapeTree, ShapeTree];

function parse(shape: string): ShapeTree {
  let at = 0;
  const go = (): ShapeTree => {
    const c = shape[at++];
    if (c === ".") return null;
    if (c === "(") {
      const l = go();
      const r = go();
      if (shape[at++] === ")") return [l, r];
    }
    throw new ParalensError(`tree shape "${shape}": expected "." or "(lr)" at position ${at - 1}`);
  };
  const t = go();
  if (at !== shape.length) throw new ParalensError(`tree shape "${shape}": unexpected text after position ${at}`);
  return t;
}

const countLeaves = (t: ShapeTree): number => (t === null ? 1 : countLeaves(t[0]) + countLeaves(t[1]));

/**
 * An algebra of A + B x (-)^2 (or A + (-)^2 when `label` is omitted).
 *
 * @category Recursion
 */
export interface TreeAlgebra<A extends Shape = Shape, S extends Wires = Wires> {
  /** A -> S */
  readonly leaf: Para<readonly [A], S>;
  /** S x S -> S, or B x S x S -> S with labelled nodes. */
  readonly node: Para<Wires, S>;
  /** The shape B of node labels, if nodes are labelled. */
  readonly label?: Shape;
}

/**
 * A fold over binary trees, unrolled per tree shape.
 *
 * @category Recursion
 */
export interface TreeFold<S extends Wires = Wires> {
  readonly name: string;
  readonly algebra: TreeAlgebra<Shape, S>;
  /** The fold over trees of one shape: [L, ...A] (x [M, ...B]) -> S, parameters "leaf.*" and "node.*" shared. */
  at(shape: string | Tree<unknown, unknown>): Para<Wires, S>;
  /** The same with parameters per use, "leaf@i.*" and "node@j.*" (leaves left to right, nodes in post-order), in post-order of use. */
  untied(shape: string | Tree<unknown, unknown>): Para<Wires, S>;
}

/**
 * foldTree({ leaf, node, label? }): the fold of a tree algebra.
 *
 * @example
 * ```ts
 * const net = foldTree({ leaf: dense(1, 8, "tanh"), node: seq(wires.concat([3], [8], [8]), dense(19, 8, "tanh")), label: [3] });
 * const model = seq(net.at("((..).)"), dense(8, 1));
 * ```
 *
 * @category Recursion
 */
export function foldTree<S extends Wires>(algebra: TreeAlgebra<Shape, S>): TreeFold<S> {
  optionsArgument("foldTree", algebra, "the algebra");
  const { leaf: leafCell, node: nodeCell, label } = algebra;
  paraArgument("foldTree", leafCell, "leaf");
  paraArgument("foldTree", nodeCell, "node");
  if (label !== undefined) shapeArgument("foldTree", label, "label");
  if (leafCell.dom.length !== 1) throw new ParalensError(`foldTree: leaf must take one wire, ${leafCell.name} takes ${fmtWires(leafCell.dom)}`);
  const A = leafCell.dom[0]!;
  const S = leafCell.cod;
  checkShapes(`foldTree: the inputs of node (${nodeCell.name})`, nodeCell.dom, label ? [label, ...S, ...S] : [...S, ...S]);
  checkShapes(`foldTree: the output of node (${nodeCell.name})`, nodeCell.cod, S);
  const name = `foldTree(${leafCell.name}, ${nodeCell.name})`;

  const unrolled = (key: string): { f: Para<Wires, S>; uses: number[] } => {
    const shape = parse(key);
    const L = countLeaves(shape);
    const M = L - 1;
    const dom: Wires = label ? [[L, ...A], [M, ...label]] : [[L, ...A]];
    const uses: number[] = [];
    const f = diagram<Wires, S>(`${name} at ${key}`, dom, (d, [leaves, labels]) => {
      const as = d.apply(unstack(L, A), [leaves!]);
      const bs = label ? d.apply(unstack(M, label), [labels!]) : [];
      let [li, ni] = [0, 0];
      const go = (t: ShapeTree): Wire[] => {
        if (t === null) {
          uses.push(0);
          return d.apply(leafCell, [as[li]!], `leaf@${li++}`);
        }
        const [l, r] = [go(t[0]), go(t[1])];
        uses.push(1);
        return d.apply(nodeCell, [...(label ? [bs[ni]!] : []), ...l, ...r], `node@${ni++}`);
      };
      return go(shape);
    });
    return { f, uses };
  };
  const keyOf = (s: string | Tree<unknown, unknown>): string => (typeof s === "string" ? s : treeShape(s));

  return {
    name,
    algebra,
    untied: (s) => unrolled(keyOf(s)).f,
    at(s) {
      const { f, uses } = unrolled(keyOf(s));
      return { ...share(f, [{ prefix: "leaf", params: leafCell.params }, { prefix: "node", params: nodeCell.params }], uses), name: f.name };
    },
  };
}
