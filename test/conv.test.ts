// conv2d: the wasm kernels (im2col + GEMM in row blocks) against the float64
// reference on both passes, the reference's reverse against central finite
// differences, odd sizes, strides and paddings, and clear shape errors.
import {
  init, engine, compile, conv2d, seq, flatten, dense, type Para, type Wires, layers,
} from "../ts-api/index.ts";
import { window2d } from "../ts-api/ops/conv/window.ts";
import { test } from "./harness.ts";
import { assert, assertClose, assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { blockRows } from "../ts-api/ops/conv/conv2d.ts";
import { type RandomCase, finiteDifferences, randomCase, runReference, runWasm } from "./util.ts";

await init();

interface Case {
  input: [number, number, number];
  filters: number;
  kernel: number | [number, number];
  stride?: number | [number, number];
  padding?: "valid" | "same";
  bias?: boolean;
  batch: number;
}

const cases: Case[] = [
  { input: [5, 5, 1], filters: 1, kernel: 3, batch: 1 },
  { input: [7, 6, 3], filters: 5, kernel: [3, 2], stride: 2, padding: "same", batch: 2 },
  { input: [9, 7, 2], filters: 4, kernel: 3, stride: [2, 3], padding: "valid", batch: 3 },
  { input: [6, 6, 4], filters: 8, kernel: 1, batch: 2 }, // pointwise: im2col is the identity
  { input: [5, 4, 5], filters: 3, kernel: 1, stride: 2, batch: 2 }, // 1 x 1 but strided
  { input: [4, 4, 6], filters: 7, kernel: 4, padding: "same", bias: false, batch: 2 }, // even kernel: uneven padding
  { input: [3, 3, 2], filters: 2, kernel: 5, padding: "same", batch: 1 }, // kernel larger than the image
  { input: [11, 10, 1], filters: 6, kernel: 5, stride: 3, padding: "same", batch: 2 },
];

const label = (c: Case): string => `${JSON.stringify(c)}`;
const layer = (c: Case): Para<Wires, Wires> =>
  conv2d({ filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias }).at(c.input);

const tol = { rtol: 1e-4, atol: 1e-5 };

test("conv2d wasm matches the float64 reference on both passes", () => {
  cases.forEach((c, i) => {
    const f = layer(c);
    const v = randomCase(f, c.batch, 100 + i);
    const want = runReference(v);
    const got = runWasm(v);
    assertClose(got.outputs[0]!, want.outputs[0]!, tol, `forward ${label(c)}`);
    assertClose(got.inputChanges[0]!, want.inputChanges[0]!, tol, `input gradient ${label(c)}`);
    assertClose(got.paramChanges[0]!, want.paramChanges[0]!, tol, `filter gradient ${label(c)}`);
    if (c.bias !== false) assertClose(got.paramChanges[1]!, want.paramChanges[1]!, tol, `bias gradient ${label(c)}`);
  });
});

/** A forward-only plan of v's lens: its outputs and how many bytes of its own it holds. */
function forwardOnly(v: RandomCase): { y: Float32Array; unsharedBytes: number } {
  const e = engine();
  const params = v.lens.params.map((s, j) => e.tensor(s.shape, v.params[j]!));
  const plan = compile(v.lens, { batch: v.batch, params, changes: "none" });
  try {
    plan.inputs[0]!.set(v.inputs[0]!);
    plan.forward();
    return { y: plan.outputs[0]!.toArray(), unsharedBytes: plan.stats.unsharedBytes };
  } finally {
    plan.dispose();
    params.forEach((t) => t.dispose());
  }
}

// K = kh*kw*c above the GEMM's K block: the forward pass cannot pack its panels
// from the image and goes through im2col blocks in scratch memory
const wideCases: Case[] = [
  { input: [10, 9, 32], filters: 5, kernel: 3, padding: "same", batch: 2 }, // K = 288, 180 rows: two blocks
  { input: [9, 11, 11], filters: 3, kernel: 5, stride: 2, padding: "same", batch: 3 }, // K = 275
];

test("conv2d forward-only plans match the reference, for K within the GEMM's K block and above it", () => {
  [...cases, ...wideCases].forEach((c, i) => {
    const v = randomCase(layer(c), c.batch, 500 + i);
    const want = runReference(v);
    assertClose(forwardOnly(v).y, want.outputs[0]!, tol, `forward ${label(c)}`);
  });
});

test("conv2d forward-only plans pack from the image when K fits the K block, and use im2col scratch otherwise", () => {
  const kBlock = engine().core.gemmKBlock();
  const aligned = (floats: number): number => Math.ceil((floats * 4) / 16) * 16;
  const packed: Case = { input: [10, 9, 12], filters: 5, kernel: 3, padding: "same", bias: false, batch: 2 }; // K = 108
  const paths: [Case, "packed" | "im2col"][] = [[packed, "packed"], ...wideCases.map((c): [Case, "im2col"] => [{ ...c, bias: false }, "im2col"])];
  const first = wideCases[0]!;
  assert(blockRows(2 * 10 * 9, 3 * 3 * first.input[2]) < 2 * 10 * 9, "the first wide case spans more than one block");
  paths.forEach(([c, path], i) => {
    const g = window2d("test", c.input[0], c.input[1], c.kernel, c.stride ?? 1, c.padding ?? "valid");
    const [m, k] = [c.batch * g.oh * g.ow, g.kh * g.kw * c.input[2]];
    assert(path === "packed" ? k <= kBlock : k > kBlock, `${label(c)}: K = ${k} is on the ${path} side of the K block ${kBlock}`);
    const v = randomCase(layer(c), c.batch, 900 + i);
    const { y, unsharedBytes } = forwardOnly(v);
    // without a bias the plan owns the output and conv2d's scratch, nothing else
    // (one block per piece a threaded engine may cut the call into)
    const scratch = path === "packed" ? 0 : aligned(engine().threads.max * blockRows(m, k) * k);
    assertEqual(unsharedBytes, aligned(y.length) + scratch, `${label(c)}: the plan's bytes say which path it took`);
    assertClose(y, runReference(v).outputs[0]!, tol, `forward ${label(c)}`);
  });
});

test("conv2d wasm matches the reference when the im2col matrix spans several blocks", () => {
  // 2 x 40 x 40 outputs with K = 3*3*8 = 72 rows per pixel: 3200 rows, blocks of 455
  const c: Case = { input: [40, 40, 8], filters: 12, kernel: 3, padding: "same", batch: 2 };
  const f = layer(c);
  const v = randomCase(f, c.batch, 7);
  const want = runReference(v);
  const got = runWasm(v);
  assertClose(got.outputs[0]!, want.outputs[0]!, tol, "forward");
  assertClose(got.inputChanges[0]!, want.inputChanges[0]!, tol, "input gradient");
  assertClose(got.paramChanges[0]!, want.paramChanges[0]!, { rtol: 1e-4, atol: 1e-4 }, "filter gradient");
});

test("conv2d reference reverse pass matches central finite differences", () => {
  cases.slice(0, 7).forEach((c, i) => {
    const f = layer(c);
    const v = randomCase(f, c.batch, 200 + i);
    const { paramChanges, inputChanges } = runReference(v);
    const fd = finiteDifferences(v);
    assertClose(inputChanges[0]!, fd.inputChanges[0]!, { rtol: 1e-6, atol: 1e-8 }, `dx ${label(c)}`);
    fd.paramChanges.forEach((g, j) => assertClose(paramChanges[j]!, g, { rtol: 1e-6, atol: 1e-8 }, `param ${j} ${label(c)}`));
  });
});

test("conv2d output shapes follow the padding rules", () => {
  assertDeepEqual(layer({ input: [28, 28, 1], filters: 3, kernel: 3, batch: 1 }).cod, [[26, 26, 3]]);
  assertDeepEqual(layer({ input: [28, 28, 1], filters: 3, kernel: 3, padding: "same", batch: 1 }).cod, [[28, 28, 3]]);
  assertDeepEqual(layer({ input: [28, 27, 1], filters: 2, kernel: 5, stride: 2, padding: "same", batch: 1 }).cod, [[14, 14, 2]]);
  assertDeepEqual(layer({ input: [13, 13, 3], filters: 5, kernel: 4, batch: 1 }).cod, [[10, 10, 5]]);
  const g = window2d("test", 4, 4, 4, 1, "same"); // total padding 3: 1 above, 2 below
  assertDeepEqual([g.pt, g.pb, g.pl, g.pr, g.oh, g.ow], [1, 2, 1, 2, 4, 4]);
  const f = layer({ input: [6, 5, 3], filters: 4, kernel: [3, 2], batch: 1 });
  assertDeepEqual(f.params.map((p) => [p.name, p.shape]), [["filter", [3, 2, 3, 4]], ["bias", [4]]]);
});

test("conv2d composes with reshape, pooling-free stacks and dense layers", () => {
  const model = seq(layers.reshape([8, 8, 1]), conv2d({ filters: 2, kernel: 3 }), layers.relu, flatten, dense(72, 3)).at([64]);
  assertDeepEqual(model.cod, [[3]]);
  const v = randomCase(model, 2, 3);
  const want = runReference(v);
  const got = runWasm(v);
  assertClose(got.outputs[0]!, want.outputs[0]!, tol, "forward");
  got.paramChanges.forEach((g, j) => assertClose(g!, want.paramChanges[j]!, tol, `param ${j}`));
});

test("conv2d rejects impossible shapes with errors naming both sides", () => {
  assertThrows(() => conv2d({ filters: 2, kernel: 5 }).at([3, 4, 1]), /kernel's height 5 exceeds the input's height 3.*"valid"/);
  assertThrows(() => conv2d({ filters: 2, kernel: 3 }).at([784]), /images \[height, width, channels\], got \[784\].*reshape/);
  assertThrows(() => conv2d({ filters: 0, kernel: 3 }), /filters.*>= 1/);
  assertThrows(() => conv2d({ filters: 2, kernel: [3, 0] }), /kernel must be a whole number >= 1/);
  assertThrows(() => conv2d({ filters: 2, kernel: 3, stride: 1.5 }), /stride/);
  assertThrows(() => conv2d({ filters: 2, kernel: 3, padding: "full" as "same" }), /padding must be "valid" or "same"/);
  const err = assertThrows(() => seq(conv2d({ filters: 4, kernel: 3 }), flatten, dense(10, 2)).at([5, 5, 1]), /seq/);
  assert(/\[36\]/.test(err.message) && /\[10\]/.test(err.message), `the error names both shapes: ${err.message}`);
});
