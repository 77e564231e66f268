// The text of a shape mismatch in seq, pinned at the type level: the part that
// does not fit is replaced in `Chain` by a string type naming both shapes, and
// that string is what tsc prints ("... is not assignable to type '"seq: part 1
// takes [21] but part 0 gives [20]"'"; test/type-errors.node.test.ts checks
// the printed diagnostic itself).
import { dense, seq, type Chain, type ShapeMismatch, layers, wires } from "../../ts-api/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const d420 = dense(4, 20);
const d213 = dense(21, 3);
const d33 = dense(3, 3);
const c3 = wires.copy([3]);
const d31 = dense(3, 1);
const n = dense(2, 2 as number);

export type Pinned = [
  Expect<Equal<Chain<[typeof d420, typeof d213]>[1], "seq: part 1 takes [21] but part 0 gives [20]">>,
  // after a shape-polymorphic layer the position still counts every part
  Expect<Equal<Chain<[typeof d420, typeof layers.relu, typeof d33]>[2], "seq: part 2 takes [3] but part 1 gives [20]">>,
  // several wires are shown as a product
  Expect<Equal<Chain<[typeof c3, typeof d31]>[1], "seq: part 1 takes [3] but part 0 gives [3] x [3]">>,
  Expect<Equal<ShapeMismatch<3, readonly [readonly [2, 5]], readonly []>, "seq: part 3 takes I but part 2 gives [2, 5]">>,
  // a size known only at run time fits: no message, the part stays
  Expect<Equal<Chain<[typeof n, typeof d33]>[1], typeof d33>>,
];

// and the same mismatches are errors where seq is called
// @ts-expect-error seq: part 1 takes [21] but part 0 gives [20]
seq(d420, d213);
