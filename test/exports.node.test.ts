// Every public value of the entry points (paralens, paralens/cdl, paralens/io,
// paralens/z2) and of the namespaces of paralens (layers, losses, ...) is
// used somewhere a user can see it working: a test, an example, a benchmark
// or a doc. A name nobody uses is either dead or
// undocumented; either way the list should not carry it silently. Type-only
// exports (option bags, result shapes) are exempt: a type is in use wherever
// the function that takes or returns it is.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "./harness.ts";
import { assert, assertDeepEqual } from "./assert.ts";
import { namespaceMembers } from "./doc-comments.ts";
import * as paralens from "../ts-api/index.ts";
import * as cdl from "../ts-api/cdl/index.ts";
import * as z2 from "../ts-api/z2/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The value (not type-only) names an entry point exports. */
function exportedValues(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  const names: string[] = [];
  for (const m of source.matchAll(/export\s*(type\s*)?\{([^}]*)\}/g)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(",")) {
      const item = part.trim();
      if (item === "" || item.startsWith("type ")) continue;
      names.push(item.split(/\s+as\s+/).pop()!.trim());
    }
  }
  return names;
}

function files(dir: string, ends: readonly string[]): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(root, p)).isDirectory()) return f === "fixtures" ? [] : files(p, ends);
    return ends.some((e) => f.endsWith(e)) ? [p] : [];
  });
}

const users = [...files("test", [".ts"]), ...files("examples", [".ts", ".html", ".js"]), ...files("bench", [".ts"]), ...files("docs", [".md"]), "README.md", "CONTRIBUTING.md"]
  .filter((f) => f !== "test/exports.node.test.ts")
  .map((f) => readFileSync(join(root, f), "utf8"))
  .join("\n");

/** The namespaces of paralens: each name, the file of its object (`export const layers = { ... }`). */
const namespaces: Record<string, string> = {
  layers: "ts-api/layers/index.ts",
  losses: "ts-api/losses/index.ts",
  optimisers: "ts-api/optimisers/index.ts",
  initialisers: "ts-api/init/index.ts",
  wires: "ts-api/wires.ts",
  learning: "ts-api/learning.ts",
  serve: "ts-api/serve/index.ts",
  show: "ts-api/show/index.ts",
  backends: "ts-api/backend/index.ts",
};
const members = (ns: string): string[] => namespaceMembers(namespaces[ns]!, ns) ?? [];

for (const entry of ["ts-api/index.ts", "ts-api/cdl/index.ts", "ts-api/z2/index.ts", "ts-api/io/index.ts", ...Object.values(namespaces)]) {
  test(`every public export of ${entry} is used by a test, an example, a benchmark or a doc`, () => {
    const ns = Object.keys(namespaces).find((n) => namespaces[n] === entry);
    const names = ns === undefined ? exportedValues(entry) : members(ns);
    assert(names.length > (ns === undefined ? 10 : 1), `${entry}: expected its export list, found ${names.length} names`);
    const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(users));
    assert(unused.length === 0, `${entry} exports names nothing uses: ${unused.join(", ")}`);
  });
}

// The names of files (safetensors, PyTorch, ONNX) are paralens/io's alone: at the root they would
// bring the file format into every program (test/install.node.test.ts measures the quick start).
const ioModule = (await import(pathToFileURL(join(root, "ts-api", "io", "index.ts")).href)) as Record<string, unknown>;
const io = new Set([
  "encodeSafetensors", "decodeSafetensors", "readSafetensorsHeader", "MAX_HEADER_BYTES", "floatToHalf", "halfToFloat",
  "fromTorch", "toTorch", "toOnnx", "fromOnnx", "onnxParameters", "onnxImports",
]);

test("the root of paralens is short: at most 35 everyday values besides the namespaces, and no file names (paralens/io)", () => {
  const values = exportedValues("ts-api/index.ts");
  const everyday = values.filter((n) => !(n in namespaces));
  assert(everyday.length <= 35, `the root exports ${everyday.length} values besides its namespaces: ${everyday.join(", ")}`);
  for (const ns of Object.keys(namespaces)) assert(values.includes(ns), `the root exports the namespace ${ns}`);
  assertDeepEqual(Object.keys(paralens).sort(), [...values].sort(), "the module's values are those of its export list");
  assertDeepEqual(values.filter((n) => io.has(n)), [], "names of paralens/io at the root");
  assertDeepEqual([...io].filter((n) => !(n in ioModule)), [], "names of files missing from paralens/io");
});

/**
 * The values of paralens as one flat list of 149 names, as a program written
 * against a flat root names them: each is public (at the root, in a
 * namespace, in paralens/cdl or paralens/z2, or a file name of paralens/io)
 * or an internal named below, so none is lost between them.
 */
const flatRoot = [
  "init", "engine", "Engine", "Tensor", "ParalensError", "para", "lens", "anyShape", "resolve", "seq", "seqOf", "par", "wire", "id", "copy",
  "discard", "swap", "add", "tap", "reparam", "tie", "inputAsParameter", "learnInput", "frozen", "reference", "refTensor", "compile",
  "initParams", "linear", "bias", "dense", "sigmoid", "tanh", "relu", "leakyRelu", "softmax", "exp", "log", "sqrt", "rsqrt", "neg", "abs",
  "square", "erf", "elementwise", "where", "reduceSum", "reduceMean", "reduceMax", "affine", "gelu", "silu", "layerNorm", "batchNorm", "embedding",
  "positionalEmbedding", "unembedding", "tokenLinear", "dropout", "attention", "residual", "transformerBlock", "transformer",
  "tokenCrossEntropy", "decoderMachine", "Decoder", "sampleToken", "conv2d", "maxPool2d", "avgPool2d", "flatten", "reshape", "window2d",
  "mse", "softmaxCrossEntropy", "binaryCrossEntropy", "dotProduct", "constantRate", "lossScaledRate", "l2Penalty", "totalVariation",
  "optimiser", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "chain", "transform", "clipByGlobalNorm", "weightDecay",
  "scaleByAdam", "adamw", "partition", "constantSchedule", "linearWarmup", "cosineDecay", "stepDecay", "exponentialDecay",
  "joinSchedules", "ascend", "signGradient", "projectedSignGradient", "clipParameters", "supervisedLens", "scoringLens", "supervised",
  "Learner", "oneHot", "DivergenceError", "LossSpikeError", "predictor", "Predictor", "online", "OnlineLearner", "checkpointFile",
  "encodeSafetensors", "decodeSafetensors", "readSafetensorsHeader", "MAX_HEADER_BYTES", "floatToHalf", "halfToFloat", "fromTorch",
  "toTorch", "toOnnx", "fromOnnx", "onnxParameters", "onnxImports", "Rng", "zeros", "constant", "uniform", "normal", "glorotUniform",
  "glorotNormal", "heUniform", "heNormal", "diagram", "multiply", "subtract", "concat", "split", "stack", "unstack", "sumWires", "scaled",
  "summary", "toSVG",
];

/** Names that left the public surface: the library's own plumbing, each with where it lives. */
const internals: Record<string, string> = {
  resolve: "ts-api/algebra/para.ts: the Para a layer denotes at an input, which seq, par and compile work out themselves",
  seqOf: "ts-api/algebra/compose.ts: seq of a list, untyped; seq(...layers) is the public form",
  window2d: "ts-api/ops/conv/window.ts: the window arithmetic of conv2d and the pools, which take its options",
};

test("every name of the flat list is at the root, in a namespace, in paralens/cdl, paralens/z2 or paralens/io, or an internal", () => {
  assert(flatRoot.length === 149, `the flat list has ${flatRoot.length} names`);
  const root = paralens as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of flatRoot) {
    const where = [
      name in root ? "the root" : undefined,
      ...Object.keys(namespaces).map((ns) => ((root[ns] as Record<string, unknown>)[name] !== undefined ? ns : undefined)),
      name in cdl ? "paralens/cdl" : undefined,
      name in z2 ? "paralens/z2" : undefined,
      name in ioModule ? "paralens/io" : undefined,
    ].filter((w) => w !== undefined);
    if (name in internals) {
      if (where.length > 0) problems.push(`${name} is an internal but public in ${where.join(", ")}`);
      continue;
    }
    if (where.length === 0) problems.push(`${name} is nowhere public`);
    // a name at the root that is also in a namespace is the same value there
    if (where.includes("the root")) {
      const ns = Object.keys(namespaces).find((n) => members(n).includes(name));
      if (ns !== undefined) assert((root[ns] as Record<string, unknown>)[name] === root[name], `${ns}.${name} is the root's ${name}`);
    }
  }
  assertDeepEqual(problems, [], "names of the flat list");
  // each namespace holds what its file lists, and nothing is in two
  const seen = new Map<string, string>();
  for (const ns of Object.keys(namespaces)) {
    assertDeepEqual(Object.keys(root[ns] as object).sort(), members(ns).sort(), `paralens.${ns} is its file's list`);
    for (const name of members(ns)) {
      assert(!seen.has(name), `${name} is in both ${seen.get(name)} and ${ns}`);
      seen.set(name, ns);
    }
  }
});
