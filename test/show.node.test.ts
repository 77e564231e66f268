// summary and toSVG against the composites they show: rows, shapes and
// parameter counts; boxes, wires, parameter wires, copy and add dots counted
// in the SVG; and the diagram rendered in headless Chromium is not blank.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { existsSync } from "node:fs";
import {
  init, seq, dense, supervised, softmaxCrossEntropy, mse, adam, sgd, summary, compile, layerNorm, residual, tie, layers, show, wires,
} from "../ts-api/index.ts";
import { demoCnn } from "../examples/models/mnist.ts";

await init();
const count = (svg: string, cls: string): number => (svg.match(new RegExp(`class="${cls}[" ]`, "g")) ?? []).length;

test("summary: one row per layer the model was composed of, shapes, parameter counts, totals and the plan's arena", () => {
  const model = seq(dense(784, 128, "relu"), dense(128, 10));
  const s = summary(model, { batch: 64 });
  assertDeepEqual(s.rows.map((r) => [r.name, r.inputs, r.outputs, r.parameters]), [["0: dense(784 -> 128, relu)", [[784]], [[128]], 784 * 128 + 128], ["1: dense(128 -> 10)", [[128]], [[10]], 128 * 10 + 10]], "rows");
  assertEqual(s.parameters, 101_770, "total parameters");
  const plan = compile(model, { batch: 64 });
  assertEqual(s.arenaBytes, plan.stats.bytes, "arena bytes of the batch-64 plan");
  plan.dispose();
  assert(String(s).includes("parameters: 101,770") && String(s).includes("arena at batch 64"), String(s));
  const cnn = summary(demoCnn());
  assertEqual(cnn.rows.length, 9, `CNN rows:\n${String(cnn)}`);
  assertDeepEqual(cnn.rows[0]!.inputs, [[28, 28, 1]], "the first conv takes an image");
  assertDeepEqual(cnn.rows[0]!.outputs, [[28, 28, 8]], "and gives 8 channels");
  assertEqual(cnn.rows.reduce((n, r) => n + r.parameters, 0), cnn.parameters, "the rows' parameters add up to the total");
  assertEqual(s.statistics, 0, "no running statistics in a model without batchNorm");
  assert(!String(s).includes("running statistics"), "and no line for them");
  // batchNorm's running mean and variance are counted apart from what is learned
  const normed = summary(seq(dense(4, 8), layers.batchNorm(8), dense(8, 2)));
  assertDeepEqual(normed.rows.map((r) => r.parameters), [40, 16, 18], "batchNorm's row counts its weight and bias");
  assertEqual(normed.parameters, 74, "learned parameters");
  assertEqual(normed.statistics, 16, "running mean and variance");
  assert(String(normed).includes("running statistics: 16 (64 bytes as f32)"), String(normed));
});

test("summary: the layers the user wrote, by name; { depth } opens composites; a nested seq opens by itself; a reparameterised model is one row", () => {
  const model = seq(dense(4, 16, "relu"), layerNorm(), dense(16, 3));
  assertDeepEqual(summary(model).rows.map((r) => [r.name, r.parameters]), [["0: dense(4 -> 16, relu)", 80], ["1: layerNorm", 32], ["2: dense(16 -> 3)", 51]], "three rows for three layers");
  const deep = summary(model, { depth: 2 }).rows;
  assertDeepEqual(deep.slice(0, 3).map((r) => r.name), ["0.0: linear(4 -> 16)", "0.1: bias(16)", "0.2: relu"], "dense opens into linear, bias and its activation");
  assertDeepEqual(deep.filter((r) => r.path.startsWith("1.")).map((r) => r.parameters).filter((n) => n > 0), [16, 16], "layerNorm opens into its boxes, gain and bias among them");
  assertEqual(deep.reduce((n, r) => n + r.parameters, 0), 163, "opened rows still add up");
  const nested = summary(seq(seq(dense(4, 8), layers.relu), residual(dense(8, 8)), dense(8, 2))).rows.map((r) => r.name);
  assertDeepEqual(nested, ["0.0: dense(4 -> 8)", "0.1: relu", "1: residual(dense(8 -> 8))", "2: dense(8 -> 2)"], "an unnamed inner seq opens without a level; residual is one named layer");
  const tied = summary(tie(seq(dense(8, 8), layers.tanh, dense(8, 8)), [["0.weight", "2.weight"]])).rows;
  assertEqual(tied.length, 1, "tying changes the parameter wires: the model is shown whole");
  assertThrows(() => summary(model, { depth: 0 }), /summary: depth must be a whole number >= 1, got 0/);
});

test("a diverging step names the layer of the parameter it read: '1: dense(4 -> 1).weight'", async () => {
  const learner = supervised(seq(dense(2, 4, "relu"), dense(4, 1)), { loss: mse, optimiser: sgd({ lr: 1e30 }), rate: 1, seed: 1 });
  const x = [[1, 2], [3, 4]], y = [[1], [2]];
  const error = await learner.fit(x, y, { epochs: 50, batchSize: 2 }).then(() => undefined, (e: Error) => e);
  assert(error instanceof Error, "the step diverged");
  assert(/\d: dense\((2 -> 4, relu|4 -> 1)\)\.(weight|bias)/.test(error.message), error.message);
  learner.dispose();
});

test("toSVG: boxes, wires and parameter wires match the composite; copy and add are dots", () => {
  const mlp = show.toSVG(seq(dense(4, 8), layers.relu, dense(8, 3)));
  assertDeepEqual([count(mlp, "box"), count(mlp, "wire"), count(mlp, "param"), count(mlp, "copy"), count(mlp, "add")], [3, 4, 4, 0, 0], "mlp: 3 boxes, input->0->relu->1->output, weight and bias twice");
  // x + dense(x): x is copied (one dot: a stub and two wires out), the sum is an add dot
  const residual = show.toSVG(wires.diagram("residual", [[4]], (d, [x]) => [d.apply1(wires.add([4]), [x!, d.apply1(dense(4, 4), [x!])])]));
  assertDeepEqual([count(residual, "box"), count(residual, "wire"), count(residual, "param"), count(residual, "copy"), count(residual, "add")], [1, 5, 2, 1, 1], "residual");
  const learner = supervised(seq(dense(2, 16, "relu"), dense(16, 2)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.05 }), rate: 1, seed: 1 });
  const svg = show.toSVG(learner);
  assertDeepEqual([count(svg, "box optimiser"), count(svg, "box loss"), count(svg, "box rate")], [1, 1, 1], "optimiser, loss and rate are boxes");
  assert(svg.includes("adam(0.05)") && svg.includes("softmaxCrossEntropy"), "they are named");
  learner.dispose();
});

test("toSVG: the MNIST CNN's diagram rendered in headless Chromium is not blank", async () => {
  const executablePath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
  assert(executablePath !== undefined, "no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 300 } });
    await page.setContent(`<!doctype html><body style="margin:0">${show.toSVG(demoCnn())}</body>`);
    const png = await page.screenshot({ type: "png" });
    // the page draws the SVG on a canvas and counts the pixels that are not white
    const dark = await page.evaluate(async () => {
      const svg = document.querySelector("svg")!;
      const img = new Image();
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
      await img.decode();
      const canvas = Object.assign(document.createElement("canvas"), { width: img.width, height: img.height });
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 3]! > 0) n++;
      return n;
    });
    assert(png.length > 5_000, `the screenshot is ${png.length} bytes`);
    assert(dark > 2_000, `${dark} dark pixels: the diagram is blank`);
    console.log(`toSVG rendered: ${dark} dark pixels, screenshot ${png.length} bytes`);
  } finally {
    await browser.close();
  }
});
