// The PyTorch bridge's layouts against hand computations: nn.Linear's
// y = x W^T + b and nn.Conv2d's OIHW cross-correlation, written out here in
// PyTorch's layout; the name table; and the errors for shapes that cannot be
// matched and for GRUs.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertThrows } from "./assert.ts";
import { init, conv2d, dense, seq, initialisers, layers } from "../ts-api/index.ts";
import { fromTorch, toTorch, type TensorData } from "../ts-api/io/index.ts";
import { fold, gru, point } from "../ts-api/cdl/index.ts";
import { maxAbsDiff, run } from "./torch-models.ts";

await init();
const rng = new initialisers.Rng(11);
const randoms = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const t = (shape: number[]): TensorData => ({ shape, values: randoms(shape.reduce((a, b) => a * b, 1)) });

test("nn.Linear weight [out, in] becomes a paralens weight [in, out]: y = x W^T + b", () => {
  const model = dense(3, 2);
  const torch = new Map([["fc.weight", t([2, 3])], ["fc.bias", t([2])]]);
  const x = randoms(4 * 3);
  const expected = new Float32Array(4 * 2);
  const [w, b] = [torch.get("fc.weight")!.values, torch.get("fc.bias")!.values];
  for (let n = 0; n < 4; n++) for (let o = 0; o < 2; o++) {
    let s = b[o]!;
    for (let i = 0; i < 3; i++) s += x[n * 3 + i]! * w[o * 3 + i]!;
    expected[n * 2 + o] = s;
  }
  const params = fromTorch(model, torch);
  assert(maxAbsDiff(run(model, params, x), expected) < 1e-5, "logits");
  const back = toTorch(model, params, { weight: "fc.weight", bias: "fc.bias" });
  assertDeepEqual([...back.keys()], ["fc.weight", "fc.bias"]);
  assertDeepEqual(Array.from(back.get("fc.weight")!.values), Array.from(w), "toTorch gives PyTorch's layout back");
});

test("nn.Conv2d weight OIHW becomes [kh, kw, cin, cout]: a hand-written NCHW cross-correlation agrees", () => {
  const [H, W, C, O, K] = [5, 6, 2, 3, 3];
  const model = seq(conv2d({ filters: O, kernel: K })).at([H, W, C]);
  const torch = new Map([["conv.weight", t([O, C, K, K])], ["conv.bias", t([O])]]);
  const x = randoms(2 * H * W * C); // NHWC, as paralens reads it
  const [w, b] = [torch.get("conv.weight")!.values, torch.get("conv.bias")!.values];
  const [oh, ow] = [H - K + 1, W - K + 1];
  const expected = new Float32Array(2 * oh * ow * O);
  for (let n = 0; n < 2; n++) for (let o = 0; o < O; o++) for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
    let s = b[o]!;
    for (let c = 0; c < C; c++) for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) {
      s += w[((o * C + c) * K + ky) * K + kx]! * x[((n * H + y + ky) * W + z + kx) * C + c]!;
    }
    expected[((n * oh + y) * ow + z) * O + o] = s;
  }
  assert(maxAbsDiff(run(model, fromTorch(model, torch), x), expected) < 1e-5, "conv outputs");
});

test("names: by order and shape, overridable by a table; errors name both sides", () => {
  const model = seq(dense(4, 3, "relu"), dense(3, 3));
  // PyTorch's order: two [3, ...] weights; the table swaps which is which
  const torch = new Map([["a.weight", t([3, 4])], ["a.bias", t([3])], ["b.weight", t([3, 3])], ["b.bias", t([3])]]);
  const byOrder = fromTorch(model, torch);
  assertDeepEqual([...byOrder["0.bias"]!], Array.from(torch.get("a.bias")!.values));
  assertDeepEqual([...byOrder["1.bias"]!], Array.from(torch.get("b.bias")!.values));
  const pinned = fromTorch(model, torch, { "0.bias": "b.bias", "1.bias": "a.bias" });
  assertDeepEqual([...pinned["0.bias"]!], Array.from(torch.get("b.bias")!.values));
  assertDeepEqual([...pinned["1.bias"]!], Array.from(torch.get("a.bias")!.values));

  const wrong = new Map([["a.weight", t([3, 5])], ["a.bias", t([3])], ["b.weight", t([3, 3])], ["b.bias", t([3])]]);
  assertThrows(() => fromTorch(model, wrong), /"0.weight" is \[4, 3\] in paralens \(a linear weight, \[out, in\] in PyTorch\), so it needs a PyTorch tensor of shape \[3, 4\], but the next unused PyTorch tensor, "a.weight", is \[3, 5\]/);
  assertThrows(() => fromTorch(model, torch, { "0.weight": "b.weight" }), /"0.weight" is \[4, 3\] in paralens .*, so PyTorch's "b.weight" should be \[3, 4\], but it is \[3, 3\]/);
  assertThrows(() => fromTorch(model, torch, { "0.weight": "c.weight" }), /maps "0.weight" to "c.weight", which is not among the PyTorch tensors/);
  assertThrows(() => fromTorch(model, torch, { "2.weight": "a.weight" }), /the name table maps "2.weight", which is not a parameter/);
  assertThrows(() => fromTorch(model, new Map([...torch, ["extra.running_mean", t([3])]])), /has no parameter for PyTorch's "extra.running_mean" \[3\]/);
  assertThrows(() => fromTorch(model, new Map([...torch].slice(0, 3))), /"1.bias" is \[3\] .* but no PyTorch tensor is left/);
  assertThrows(() => toTorch(model, { ...byOrder, "9.bias": new Float32Array(1) }), /has no parameter "9.bias"/);
});

test("nn.Linear then nn.BatchNorm1d's state_dict: weight, bias, running_mean and running_var by order and shape; num_batches_tracked left out", () => {
  const model = seq(dense(3, 4), layers.batchNorm(4));
  const torch = new Map([
    ["fc.weight", t([4, 3])], ["fc.bias", t([4])],
    ["bn.weight", t([4])], ["bn.bias", t([4])], ["bn.running_mean", t([4])], ["bn.running_var", t([4])], ["bn.num_batches_tracked", { shape: [], values: new Float32Array([7]) }],
  ]);
  const params = fromTorch(model, torch);
  for (const name of ["weight", "bias", "running_mean", "running_var"]) assertDeepEqual(Array.from(params[`1.${name}`]!), Array.from(torch.get(`bn.${name}`)!.values), name);
  // a model without batchNorm keeps every tensor to account for
  assertThrows(() => fromTorch(dense(3, 4), new Map([["fc.weight", t([4, 3])], ["fc.bias", t([4])], ["n.num_batches_tracked", { shape: [], values: new Float32Array([7]) }]])), /has no parameter for PyTorch's "n.num_batches_tracked"/);
});

test("a GRU is refused, saying where the two reset gates differ", () => {
  const model = seq(fold({ nil: point([4]), cons: gru(2, 4) }).at(3), dense(4, 1));
  const message = /GRU, which has no exact nn.GRU counterpart: paralens resets the state before the matrix/;
  assertThrows(() => fromTorch(model, new Map()), message);
  assertThrows(() => toTorch(model, {}), message);
});
