// The examples' parts beyond supervised learning: a short WGAN run (one lens,
// the critic ascending and the generator descending) moves the critic's
// estimate on a fixed seed and keeps the critic's weights clipped as its
// model sees them; the PNG and SVG the examples write are valid (the PNG
// decodes with the same library to the pixels written, fast-xml-parser's
// validator finds the SVG well-formed), and docs/guide/beyond-supervised.md
// shows them. Node
// only: the picture helpers write files.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { XMLValidator } from "fast-xml-parser";
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { init, seq, dense, compile, type Para, type Wires, initialisers } from "../ts-api/index.ts";
import { wganLens } from "../examples/gan/wgan.ts";
import { gridPng, scatterSvg } from "../examples/images/png.ts";

await init();

test("wgan: a short run on a fixed seed moves the critic's estimate upwards from its first value", () => {
  const generator = seq(dense(4, 16, "relu"), dense(16, 2)) as Para<Wires, Wires>;
  const critic = seq(dense(2, 16, "relu"), dense(16, 1)) as Para<Wires, Wires>;
  const lens = wganLens({ generator, critic, noise: 4, data: [2], generatorLr: 1e-3, criticLr: 1e-2, clip: 0.5, criticOnly: true });
  assert(lens.params.some((p) => p.name === "real.0.weight") && !lens.params.some((p) => p.name.startsWith("fake.")), "the critic's two uses share one parameter");
  const plan = compile(lens, { batch: 64, seed: 3, changes: "params" });
  const rng = new initialisers.Rng(4);
  const estimates: number[] = [];
  for (let s = 0; s < 40; s++) {
    plan.inputs[0]!.set(Float32Array.from({ length: 64 * 4 }, () => rng.normal()));
    plan.inputs[1]!.set(Float32Array.from({ length: 64 * 2 }, () => 2 + 0.1 * rng.normal()));
    plan.forward();
    plan.reverse();
    estimates.push(plan.observed.get("estimate")!.data.reduce((a, b) => a + b, 0) / 64);
  }
  assert(estimates[39]! > estimates[0]! + 0.1, `the critic's estimate went ${estimates[0]} -> ${estimates[39]}`);
  plan.dispose();
});

test("wgan: clipAt 'stored' keeps the stored critic weights in [-c, c] after every step; 'seen' lets them drift past c", () => {
  const maxStored = (clipAt: "seen" | "stored"): number => {
    const generator = seq(dense(4, 16, "relu"), dense(16, 2)) as Para<Wires, Wires>;
    const critic = seq(dense(2, 16, "relu"), dense(16, 1)) as Para<Wires, Wires>;
    const lens = wganLens({ generator, critic, noise: 4, data: [2], generatorLr: 1e-3, criticLr: 1e-2, clip: 0.05, clipAt });
    const plan = compile(lens, { batch: 32, seed: 3, changes: "params" });
    const rng = new initialisers.Rng(4);
    let most = 0;
    for (let s = 0; s < 20; s++) {
      plan.inputs[0]!.set(Float32Array.from({ length: 32 * 4 }, () => rng.normal()));
      plan.inputs[1]!.set(Float32Array.from({ length: 32 * 2 }, () => 2 + 0.1 * rng.normal()));
      plan.forward();
      plan.reverse();
      lens.params.forEach((p, i) => {
        if (p.name.startsWith("real.") && p.role === "parameter") most = Math.max(most, ...plan.params[i]!.data.map(Math.abs));
      });
    }
    plan.dispose();
    return most;
  };
  const stored = maxStored("stored");
  // the clamp is the in-place step p + (clip(p) - p), which may round one float32 ulp past c
  assert(stored <= 0.05 * (1 + 1e-6) && stored > 0.04, `stored weights within the clip and some at it: max |w| = ${stored}`);
  const seen = maxStored("seen");
  assert(seen > 0.05, `clipping only what the critic sees leaves stored weights past c: max |w| = ${seen}`);
});

test("pictures: a PNG grid decodes to the pixels written, and the SVG scatter is well-formed XML", () => {
  const images = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => (i % 5) / 4);
  const png = decode(gridPng({ images, count: 2, h: 4, w: 3, columns: 2, zoom: 1 }));
  assertEqual(png.width, 2 * (3 + 2) + 2);
  assertEqual(png.height, 4 + 4);
  assertEqual(png.channels, 1);
  assertEqual(png.data[2 * png.width + 2], 0); // first image, pixel (0, 0) = 0
  assertEqual(png.data[2 * png.width + 3], Math.round(255 / 4)); // pixel (0, 1) = 1/4
  assertEqual(png.data[0], 128); // the grey gap
  const svg = scatterSvg([{ title: "a < b & c", points: [0, 0, 1, -1], labels: [0, 3], marks: [2, 0] }], { legend: true });
  assert(svg.startsWith("<svg") && svg.endsWith("</svg>"), "one svg element");
  const valid = XMLValidator.validate(svg);
  assert(valid === true, `the SVG is not well-formed XML: ${JSON.stringify(valid)}`);
  assert(svg.includes("a &lt; b &amp; c"), "the title is escaped");
  // the validator is not lenient: the same SVG with its title unescaped, or one element left open, is refused
  assert(XMLValidator.validate(svg.replace("a &lt; b &amp; c", "a < b & c")) !== true, "an unescaped title is refused");
  assert(XMLValidator.validate(svg.replace("</svg>", "")) !== true, "an open element is refused");
  // the points' own box when no extent is given: the two points sit at opposite corners, inside the panel
  const centres = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="1.5"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assertEqual(centres.length, 2);
  for (const [cx, cy] of centres) assert(cx! > 24 && cx! < 24 + 240 && cy! > 24 && cy! < 24 + 240, `point (${cx}, ${cy}) inside the panel`);
});

test("the guide beyond supervised learning shows the pictures of its examples, and each one it links exists", () => {
  const root = join(import.meta.dirname, "..");
  const guide = readFileSync(join(root, "docs", "guide", "beyond-supervised.md"), "utf8");
  // the guide links ../images/<picture>, relative to docs/guide/
  const linked = [...guide.matchAll(/!\[[^\]]*\]\(\.\.\/(images\/[^)]+)\)/g)].map((m) => `docs/${m[1]!}`);
  for (const picture of ["dream.png", "adversarial.png", "wgan-2d.svg", "wgan-mnist.png", "autoencoder.png", "autoencoder-latent.svg"]) {
    assert(linked.includes(`docs/images/${picture}`), `docs/guide/beyond-supervised.md shows docs/images/${picture}`);
  }
  for (const path of linked) {
    const bytes = readFileSync(join(root, path));
    if (path.endsWith(".png")) assert(decode(bytes).width > 0, `${path} decodes`);
    else assert(XMLValidator.validate(bytes.toString("utf8")) === true, `${path} is well-formed XML`);
  }
});
