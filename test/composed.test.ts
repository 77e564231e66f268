// The elementary ops as lenses, and layers composed from them with no kernel
// of their own: each case runs on the wasm plan and the float64 reference
// (1e-4 relative) and the reference's reverse is checked against central
// finite differences (1e-6 relative). A new composed layer is one line in
// `cases`.
import { type LensCase, type RandomCase, lensCases } from "./util.ts";
import { init, layerNorm, seq, dense, layers } from "../ts-api/index.ts";

await init();

type Tweak = (c: RandomCase) => void;
const positive: Tweak = (c) => c.inputs.forEach((x) => x.forEach((v, i) => (x[i] = 0.2 + Math.abs(v))));
const awayFromZero: Tweak = (c) => c.inputs.forEach((x) => x.forEach((v, i) => (x[i] = Math.sign(v || 1) * (0.2 + Math.abs(v)))));
// a mask of exact zeros and ones: finite differences are taken away from 0, where select jumps
const mask: Tweak = (c) => c.inputs[0]!.forEach((v, i, m) => (m[i] = v > 0 ? 1 : 0));
const distinctFrom: (k: number) => Tweak = (k) => (c) => c.inputs[k]!.forEach((_, i, a) => (a[i] = a[i]! + 0.05 * (i % 7)));

const cases: LensCase[] = [
  ["exp", layers.exp, [[3, 5]]],
  ["log", layers.log, [[7]], positive],
  ["sqrt", layers.sqrt, [[3, 5]], positive],
  ["rsqrt", layers.rsqrt, [[9]], positive],
  ["neg", layers.neg, [[4, 3]]],
  ["abs", layers.abs, [[11]], awayFromZero],
  ["square", layers.square, [[2, 3, 5]]],
  ["erf", layers.erf, [[13]]],
  ["add, a row broadcast", layers.elementwise("add", [3, 5], [5]), [[3, 5], [5]]],
  ["sub, a column broadcast", layers.elementwise("sub", [4, 6], [4, 1]), [[4, 6], [4, 1]]],
  ["mul, both broadcast", layers.elementwise("mul", [2, 1, 5], [3, 1]), [[2, 1, 5], [3, 1]]],
  ["div", layers.elementwise("div", [7], [7]), [[7], [7]], awayFromZero],
  ["div by a broadcast column", layers.elementwise("div", [3, 4], [3, 1]), [[3, 4], [3, 1]], awayFromZero],
  ["maximum", layers.elementwise("max", [3, 5], [5]), [[3, 5], [5]]],
  ["minimum", layers.elementwise("min", [6], [6]), [[6], [6]]],
  ["reduceSum last axis", layers.reduceSum(), [[3, 5]]],
  ["reduceSum first axis", layers.reduceSum(0), [[3, 5]]],
  ["reduceMean", layers.reduceMean(), [[2, 3, 7]]],
  ["reduceMax", layers.reduceMax(), [[4, 9]], distinctFrom(0)],
  ["reduceMax middle axis", layers.reduceMax(1), [[2, 5, 3]], distinctFrom(0)],
  ["where", layers.where([3, 4]), [[3, 4], [3, 4], [3, 4]], mask, [0]],
  ["affine", layers.affine(0.5, 1), [[5]]],
  ["gelu", layers.gelu, [[4, 5]]],
  ["silu", layers.silu, [[3, 4]]],
  ["layerNorm", layerNorm(), [[7]]],
  ["layerNorm of rows", layerNorm(), [[3, 6]]],
  ["layerNorm without gain and bias", layerNorm({ affine: false, eps: 1e-3 }), [[5]]],
  ["dense ; layerNorm ; gelu", seq(dense(6, 8), layerNorm(), layers.gelu), [[6]]],
];

lensCases(cases);
