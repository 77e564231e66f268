// "Convolution is a dense layer reparameterised by a tying map" (seeds 000,
// 001): the tying map is the lens [filter, bias] -> [W, B] that copies each
// filter tap to every (input pixel, output pixel) pair it connects and each
// channel's bias to every output pixel; its reverse sums the copies' changes.
// Reparameterising flatten ; linear ; bias ; reshape by it must give conv2d
// exactly, on the forward pass and on every change, in float64.
import {
  init, conv2d, flatten, seq, reparam, lens, type Para, type Wires, type Value, type RefTensor, type Reparameterisation, type Padding, backends, layers,
} from "../ts-api/index.ts";
import { window2d } from "../ts-api/ops/conv/window.ts";
import { test } from "./harness.ts";
import { assertClose } from "./assert.ts";
import { randomCase, runReference } from "./util.ts";

await init();

interface Geometry {
  input: [number, number, number];
  filters: number;
  kernel: number | [number, number];
  stride?: number | [number, number];
  padding: Padding;
}

/** For each filter tap (ky, kx) and output pixel: the input pixel it reads, or none if it falls in the padding. */
function connections(g: Geometry): { input: number; output: number; tap: number }[] {
  const [h, w] = g.input;
  const win = window2d("tying", h, w, g.kernel, g.stride ?? 1, g.padding);
  const out: { input: number; output: number; tap: number }[] = [];
  for (let oy = 0; oy < win.oh; oy++) {
    for (let ox = 0; ox < win.ow; ox++) {
      for (let ky = 0; ky < win.kh; ky++) {
        for (let kx = 0; kx < win.kw; kx++) {
          const iy = oy * win.sh + ky - win.pt;
          const ix = ox * win.sw + kx - win.pl;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) out.push({ input: iy * w + ix, output: oy * win.ow + ox, tap: ky * win.kw + kx });
        }
      }
    }
  }
  return out;
}

/** The tying map as a lens of the reference backend: [filter, bias] -> [W (h w c x oh ow cout), B (oh ow cout)]. */
function tyingMap(g: Geometry, conv: Para<Wires, Wires>): Reparameterisation {
  const c = g.input[2];
  const cout = g.filters;
  const [fShape, bShape] = conv.params.map((p) => p.shape) as [number[], number[]];
  const pixelsIn = g.input[0] * g.input[1];
  const pixelsOut = conv.cod[0]!.reduce((a, b) => a * b, 1) / cout;
  const [rows, cols] = [pixelsIn * c, pixelsOut * cout];
  const links = connections(g);
  const R = (v: Value): RefTensor => v as unknown as RefTensor;
  const V = (t: RefTensor): Value => t as unknown as Value;
  // entry (input i, channel ci) x (output o, channel co) of W <-> filter entry (tap, ci, co)
  const each = (visit: (wIndex: number, fIndex: number) => void): void => {
    for (const { input, output, tap } of links) {
      for (let ci = 0; ci < c; ci++) {
        for (let co = 0; co < cout; co++) visit((input * c + ci) * cols + output * cout + co, (tap * c + ci) * cout + co);
      }
    }
  };
  return {
    name: "tying",
    params: conv.params,
    lens: lens<Wires, Wires, null>({
      name: "tying",
      dom: [fShape, bShape],
      cod: [[rows, cols], [cols]],
      forward(_k, [f, b]) {
        const W = backends.refTensor([rows, cols]);
        each((wi, fi) => (W.data[wi] = R(f!).data[fi]!));
        const B = backends.refTensor([cols], Array.from({ length: cols }, (_, j) => R(b!).data[j % cout]!));
        return [[V(W), V(B)], null];
      },
      reverse(_k, _r, [dW, dB]) {
        const df = backends.refTensor(fShape);
        each((wi, fi) => (df.data[fi] = df.data[fi]! + R(dW!).data[wi]!));
        const db = backends.refTensor(bShape);
        R(dB!).data.forEach((d, j) => (db.data[j % cout] = db.data[j % cout]! + d));
        return [V(df), V(db)];
      },
    }),
  };
}

const geometries: Geometry[] = [
  { input: [5, 5, 1], filters: 2, kernel: 3, padding: "valid" },
  { input: [6, 5, 2], filters: 3, kernel: [3, 2], stride: 2, padding: "same" },
  { input: [7, 7, 3], filters: 4, kernel: 4, stride: [1, 2], padding: "same" },
];

test("conv2d equals a dense layer reparameterised by the weight-tying map: outputs and all changes", () => {
  geometries.forEach((g, i) => {
    const conv = conv2d({ filters: g.filters, kernel: g.kernel, stride: g.stride, padding: g.padding }).at(g.input);
    const [size, outs] = [g.input.reduce((a, b) => a * b, 1), conv.cod[0]!.reduce((a, b) => a * b, 1)];
    const dense = seq(flatten, layers.linear(size, outs), layers.bias(outs), layers.reshape(conv.cod[0]!)).at(g.input);
    const tied = reparam(dense, tyingMap(g, conv));
    const v = randomCase(conv, 2, 900 + i);
    const want = runReference(v);
    const got = runReference({ ...v, lens: tied });
    const exact = { rtol: 1e-12, atol: 1e-12 };
    assertClose(got.outputs[0]!, want.outputs[0]!, exact, `outputs ${JSON.stringify(g)}`);
    assertClose(got.inputChanges[0]!, want.inputChanges[0]!, exact, `input changes ${JSON.stringify(g)}`);
    assertClose(got.paramChanges[0]!, want.paramChanges[0]!, exact, `filter changes ${JSON.stringify(g)}`);
    assertClose(got.paramChanges[1]!, want.paramChanges[1]!, exact, `bias changes ${JSON.stringify(g)}`);
  });
});

test("the filter gradient is the tying map's reverse applied to the dense layer's weight gradient", () => {
  const g = geometries[1]!;
  const conv = conv2d({ filters: g.filters, kernel: g.kernel, stride: g.stride, padding: g.padding }).at(g.input);
  const tying = tyingMap(g, conv);
  const v = randomCase(conv, 3, 77);
  const V = (shape: readonly number[], data: Float64Array): Value => backends.refTensor(shape, data) as unknown as Value;
  // the dense weights the tying map makes from the filter and bias
  const [[W, B], tyingResidual] = tying.lens.forward(backends.reference, [], [V(conv.params[0]!.shape, v.params[0]!), V([g.filters], v.params[1]!)]) as [Value[], unknown];
  const [size, outs] = [g.input.reduce((a, b) => a * b, 1), conv.cod[0]!.reduce((a, b) => a * b, 1)];
  const dense = seq(flatten, layers.linear(size, outs), layers.bias(outs), layers.reshape(conv.cod[0]!)).at(g.input);
  const R = (x: Value | null): RefTensor => x as unknown as RefTensor;
  const denseRun = runReference({ ...v, lens: dense, params: [R(W!).data, R(B!).data] });
  const [, [dFilter, dBias]] = tying.lens.reverse(backends.reference, tyingResidual, [
    V(R(W!).shape, denseRun.paramChanges[0]!),
    V(R(B!).shape, denseRun.paramChanges[1]!),
  ]) as [unknown, Value[]];
  const convRun = runReference(v);
  assertClose(R(dFilter!).data, convRun.paramChanges[0]!, { rtol: 1e-12, atol: 1e-12 }, "filter gradient");
  assertClose(R(dBias!).data, convRun.paramChanges[1]!, { rtol: 1e-12, atol: 1e-12 }, "bias gradient");
  assertClose(denseRun.outputs[0]!, convRun.outputs[0]!, { rtol: 1e-12, atol: 1e-12 }, "outputs");
});
