// summary and toSVG against the composites they show: rows, shapes and
// parameter counts; boxes, wires, parameter wires, copy and add dots counted
// in the SVG; and the diagram rendered in headless Chromium is not blank.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual } from "./assert.ts";
import { existsSync } from "node:fs";
import { init, seq, dense, relu, diagram, add, supervised, softmaxCrossEntropy, adam, summary, toSVG, compile } from "../ts-api/index.ts";
import { demoCnn } from "../examples/models/mnist.ts";

await init();
const count = (svg: string, cls: string): number => (svg.match(new RegExp(`class="${cls}[" ]`, "g")) ?? []).length;

test("summary: one row per layer and activation, shapes, parameter counts, totals and the plan's arena", () => {
  const model = seq(dense(784, 128, "relu"), dense(128, 10));
  const s = summary(model, { batch: 64 });
  assertDeepEqual(s.rows.map((r) => [r.inputs, r.outputs, r.parameters]), [[[[784]], [[128]], 784 * 128 + 128], [[[128]], [[128]], 0], [[[128]], [[10]], 128 * 10 + 10]], "rows");
  assertEqual(s.parameters, 101_770, "total parameters");
  const plan = compile(model, { batch: 64 });
  assertEqual(s.arenaBytes, plan.stats.bytes, "arena bytes of the batch-64 plan");
  plan.dispose();
  assert(String(s).includes("parameters: 101,770") && String(s).includes("arena at batch 64"), String(s));
  const cnn = summary(demoCnn());
  assertEqual(cnn.rows.length, 7, `CNN rows:\n${String(cnn)}`);
  assertDeepEqual(cnn.rows[0]!.inputs, [[28, 28, 1]], "the first conv takes an image");
  assertDeepEqual(cnn.rows[0]!.outputs, [[28, 28, 8]], "and gives 8 channels");
  assertEqual(cnn.rows.reduce((n, r) => n + r.parameters, 0), cnn.parameters, "the rows' parameters add up to the total");
});

test("toSVG: boxes, wires and parameter wires match the composite; copy and add are dots", () => {
  const mlp = toSVG(seq(dense(4, 8), relu, dense(8, 3)));
  assertDeepEqual([count(mlp, "box"), count(mlp, "wire"), count(mlp, "param"), count(mlp, "copy"), count(mlp, "add")], [3, 4, 4, 0, 0], "mlp: 3 boxes, input->0->relu->1->output, weight and bias twice");
  // x + dense(x): x is copied (one dot: a stub and two wires out), the sum is an add dot
  const residual = toSVG(diagram("residual", [[4]], (d, [x]) => [d.apply1(add([4]), [x!, d.apply1(dense(4, 4), [x!])])]));
  assertDeepEqual([count(residual, "box"), count(residual, "wire"), count(residual, "param"), count(residual, "copy"), count(residual, "add")], [1, 5, 2, 1, 1], "residual");
  const learner = supervised(seq(dense(2, 16, "relu"), dense(16, 2)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.05 }), rate: 1, seed: 1 });
  const svg = toSVG(learner);
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
    await page.setContent(`<!doctype html><body style="margin:0">${toSVG(demoCnn())}</body>`);
    const png = await page.screenshot({ type: "png" });
    // the page draws the SVG on a canvas and counts the pixels that are not white
    const dark = await page.evaluate(async () => {
      const svg = document.querySelector("svg")!;
      const img = new Image();
      img.src = `data:image/svg+xml;base64,${btoa(new XMLSerializer().serializeToString(svg))}`;
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
