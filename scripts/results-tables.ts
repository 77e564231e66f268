// The results tables of docs/results.md, written from docs/results.json alone: every
// number in them is a metric an example printed on its --json line. Each
// table says which machine its examples ran on.

/** One example's run: its metrics and where and when it ran. */
export interface ExampleResult {
  cpu: string;
  cores: number;
  node: string;
  /** The one-minute load average when the example started (0 where the system does not report it). */
  loadAverage?: number;
  date: string;
  wallSeconds: number;
  metrics: Record<string, number | string>;
}

export interface Results {
  examples: Record<string, ExampleResult>;
}

/** A metric of an example, which must be in the results (the error says how to get it). */
type Metric = (example: string, key: string) => number;

interface Table {
  examples: readonly string[];
  render(metric: Metric): string[];
}

/** x with `digits` significant digits (0.030, not 0.03: the zero is measured too). */
const sig = (x: number, digits = 2): string => x.toPrecision(digits);
const fixed = (x: number, digits: number): string => x.toFixed(digits);
/** A fraction as a percentage; all of it is 100%, not 100.0%. */
const pct = (x: number, digits = 1): string => (x === 1 ? "100%" : `${(100 * x).toFixed(digits)}%`);
const thousands = (x: number): string => Math.round(x).toLocaleString("en-US");
const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
const header = (cells: readonly string[]): string[] => [row(cells), row(cells.map(() => "---"))];

/** "exact, k of n seeds" from the fraction of seeds that learned a function exactly. */
function exact(fraction: number, seeds: number): string {
  return `exact, ${Math.round(fraction * seeds)} of ${seeds} seeds`;
}

const tables: Record<string, Table> = {
  iris: {
    examples: ["iris"],
    render: (m) => [
      ...header(["model (seed 0)", "training accuracy", "ms per epoch", "reference"]),
      row(["dense 4 -> 3 sigmoid, 150 steps per epoch", fixed(m("iris", "dense_accuracy"), 3), sig(m("iris", "dense_ms_per_epoch")), "0.96"]),
      row(["hidden 4 -> 20 -> 3 sigmoid, 150 steps per epoch", fixed(m("iris", "hidden_accuracy"), 3), sig(m("iris", "hidden_ms_per_epoch")), "0.98"]),
      row(["4 -> 16 relu -> 3, softmax cross-entropy, Adam, batch 16", fixed(m("iris", "softmax_accuracy"), 3), sig(m("iris", "softmax_ms_per_epoch")), "—"]),
    ],
  },
  mnist: {
    examples: ["mnist-cnn", "mnist-reference-cnn", "mnist-mlp"],
    render: (m) => [
      ...header(["example", "network", "test accuracy", "time"]),
      row([
        "`npm run demo` (`mnist-cnn`)",
        `conv 3x3 8, pool, conv 3x3 16, pool, dense 64, dense 10; softmax cross-entropy, Adam, batch ${m("mnist-cnn", "batchSize")}, ${m("mnist-cnn", "epochs")} epochs`,
        `**${fixed(m("mnist-cnn", "testAccuracy"), 4)}**`,
        `${fixed(m("mnist-cnn", "totalSeconds"), 1)} s in all; training at ${thousands(m("mnist-cnn", "examplesPerSecond"))} examples/s`,
      ]),
      row([
        "`mnist-reference-cnn`",
        `the Python reference's exact network (conv 3x3 3, pool, conv 4x4 5, pool, dense 125 -> 10 sigmoid, MSE, its momentum, rate 0.01), batch 1, ${m("mnist-reference-cnn", "epochs")} epochs`,
        `${fixed(m("mnist-reference-cnn", "testAccuracy"), 4)} (the reference: 0.9385 on full MNIST)`,
        `${sig(m("mnist-reference-cnn", "msPerExample"))} ms per example (the reference: about 8 ms)`,
      ]),
      row([
        "`mnist-mlp`",
        `784 -> 128 relu -> 10, Adam, batch ${m("mnist-mlp", "batchSize")}, ${m("mnist-mlp", "epochs")} epochs`,
        fixed(m("mnist-mlp", "testAccuracy"), 4),
        `${fixed(m("mnist-mlp", "totalSeconds"), 1)} s in all; training at ${thousands(m("mnist-mlp", "examplesPerSecond"))} examples/s`,
      ]),
    ],
  },
  z2: {
    examples: ["z2-iris", "z2-mnist", "z2-logic"],
    render: (m) => {
      // binary and one-hot label encodings: one number when they agree
      const both = (key: string, suffix: string): string => {
        const [binary, oneHot] = [m("z2-iris", `${key}Binary${suffix}`), m("z2-iris", `${key}OneHot${suffix}`)];
        return binary === oneHot ? pct(binary) : `${pct(binary)} (binary labels) / ${pct(oneHot)} (one-hot)`;
      };
      const seeds = m("z2-logic", "seeds");
      return [
        ...header(["task", "model", "paralens", "reported"]),
        row(["Iris, setosa vs versicolor", "4-input lookup table", both("twoClass", "Accuracy"), "98.0%"]),
        row([
          "Iris, three classes",
          "4-input lookup table",
          `${both("threeClass", "Accuracy")}; ${both("threeClass", "AccuracyUciRows")} with the UCI file's flowers 35 and 38, as the paper read them`,
          "73.3%",
        ]),
        row([
          "MNIST 0 vs 1, pixels > 32",
          "pseudo-linear unit, 784 inputs",
          `median ${pct(m("z2-mnist", "medianTestAccuracy"))} over ${m("z2-mnist", "seeds")} orders (${pct(m("z2-mnist", "minTestAccuracy"))}-${pct(m("z2-mnist", "maxTestAccuracy"))})`,
          "99.2% (one run, full MNIST)",
        ]),
        row(["parity of 8 bits", "lookup table", exact(m("z2-logic", "parityLutExactFraction"), seeds), ""]),
        row([
          "majority of 9 bits",
          "lookup table / threshold unit",
          `${exact(m("z2-logic", "majorityLutExactFraction"), seeds)} / ${exact(m("z2-logic", "majorityThresholdExactFraction"), seeds)}`,
          "",
        ]),
      ];
    },
  },
  beyond: {
    examples: ["dream", "adversarial", "autoencoder", "wgan-2d", "wgan-mnist"],
    render: (m) => [
      ...header(["example", "what is learned", "result"]),
      row([
        "`dream`",
        "the input of the frozen demo CNN: log p(class) - total variation - L2, Adam, from noise and from a digit of another class",
        `${m("dream", "classesAbove099")} of 10 classes at p >= 0.99 from both starts (lowest ${fixed(m("dream", "minProbabilityFromNoise"), 4)} / ${fixed(m("dream", "minProbabilityFromDigit"), 4)}) after ${m("dream", "steps")} steps`,
      ]),
      row([
        "`adversarial`",
        `perturbations of ${m("adversarial", "testDigits")} test digits: FGSM / PGD (${m("adversarial", "pgdSteps")} projected sign steps)`,
        [0.05, 0.1, 0.2].map((e) => `eps ${e}: ${pct(m("adversarial", `fgsm_${e}`))} / ${pct(m("adversarial", `pgd_${e}`))} flipped`).join("; "),
      ]),
      row([
        "`autoencoder`",
        `the supervised lens with the input as label: 784 -> 256 -> 64 -> 2 -> 64 -> 256 -> 784, MSE, Adam, ${m("autoencoder", "epochs")} epochs`,
        `test reconstruction error ${fixed(m("autoencoder", "testMsePerPixel"), 4)} per pixel (every digit as the mean digit: ${fixed(m("autoencoder", "meanDigitMsePerPixel"), 4)})`,
      ]),
      row([
        "`wgan-2d`",
        `generator ; critic in one lens, 8 Gaussians on a circle, ${thousands(m("wgan-2d", "steps"))} generator steps`,
        `${m("wgan-2d", "modesCovered")} of 8 modes covered; mean distance to the nearest mode ${sig(m("wgan-2d", "meanDistanceToMode"))}`,
      ]),
      row([
        "`wgan-mnist`",
        `generator ; critic in one lens, the ${m("wgan-mnist", "digit")}s of the training digits, the critic's stored weights clamped to ±${m("wgan-mnist", "clip")}, ${m("wgan-mnist", "epochs")} epochs (${thousands(m("wgan-mnist", "generatorSteps"))} generator steps)`,
        `critic's estimate ${fixed(m("wgan-mnist", "firstEstimate"), 3)} in the first epoch, ${fixed(m("wgan-mnist", "finalEstimate"), 3)} in the last (${fixed(m("wgan-mnist", "finalTestEstimate"), 3)} on the test ${m("wgan-mnist", "digit")}s)`,
      ]),
    ],
  },
  cdl: {
    examples: ["cdl-fold-rnn", "cdl-tree-eval", "cdl-deepsets", "cdl-sine", "cdl-mealy-parity"],
    render: (m) => [
      ...header(["example", "result", "on structures never trained on"]),
      row(["fold RNN (Elman), sum of 1-10 numbers", `mean abs. error ${sig(m("cdl-fold-rnn", "sumMeanAbsError"))}`, `lengths 11-20: ${sig(m("cdl-fold-rnn", "sumMeanAbsErrorLonger"), 3)}`]),
      row(["fold RNN (GRU), parity of 1-10 bits", pct(m("cdl-fold-rnn", "parityAccuracy")), `lengths 11-20: ${pct(m("cdl-fold-rnn", "parityAccuracyLonger"))}`]),
      row([
        "tree network, `+ - x` expressions of 1-4 leaves",
        `mean abs. error ${sig(m("cdl-tree-eval", "meanAbsError"))} (predicting 0: ${sig(m("cdl-tree-eval", "meanAbsErrorPredictingZero"))})`,
        `5 leaves: ${sig(m("cdl-tree-eval", "meanAbsError5Leaves"))}`,
      ]),
      row([
        "Deep Sets, set sum / set max",
        `mean abs. error ${sig(m("cdl-deepsets", "sumMeanAbsError"))} / ${sig(m("cdl-deepsets", "maxMeanAbsError"))}`,
        `sizes 11-15: ${sig(m("cdl-deepsets", "sumMeanAbsErrorLarger"))} / ${sig(m("cdl-deepsets", "maxMeanAbsErrorLarger"))}`,
      ]),
      row([
        "unfold generating a sine wave",
        `mean squared error ${m("cdl-sine", "mseTrainedSteps").toExponential(1)} per step over 40 steps`,
        `80 steps: ${m("cdl-sine", "mseTwiceAsLong").toExponential(1)}`,
      ]),
      row(["Mealy machine (GRU), running parity", `${pct(m("cdl-mealy-parity", "stepAccuracy"), 2)} per step at 10 steps`, `${pct(m("cdl-mealy-parity", "stepAccuracyLonger"), 2)} at 40 steps`]),
    ],
  },
};

/** "Measured ... on <cpu> (<n> cores), Node <v>, <date>", one clause per distinct machine among the table's examples. */
function measuredOn(results: Results, examples: readonly string[]): string {
  const machines = new Map<string, { dates: string[]; names: string[]; loads: number[] }>();
  for (const name of examples) {
    const r = results.examples[name]!;
    const key = `${r.cpu} (${r.cores} cores), Node ${r.node}`;
    const entry = machines.get(key) ?? { dates: [], names: [], loads: [] };
    entry.dates.push(r.date.slice(0, 10));
    if (r.loadAverage !== undefined) entry.loads.push(r.loadAverage);
    entry.names.push(name);
    machines.set(key, entry);
  }
  const clauses = [...machines].map(([machine, { dates, names, loads }]) => {
    const days = [...new Set(dates)].sort();
    let when = days.length === 1 ? days[0]! : `${days[0]} to ${days[days.length - 1]}`;
    if (loads.length > 0) {
      const [low, high] = [Math.min(...loads), Math.max(...loads)];
      when += `, load average ${low === high ? low : `${low}-${high}`} at the start`;
    }
    return machines.size === 1 ? `${machine}, ${when}` : `${names.join(", ")} on ${machine}, ${when}`;
  });
  return `Measured by \`npm run results\` (${examples.map((e) => `\`${e}\``).join(", ")}) on ${clauses.join("; ")}.`;
}

/** docs/results.md with every results table rewritten; every marker must name a table and every table must have its markers. */
export function renderTables(readme: string, results: Results): { text: string; rewritten: string[] } {
  const rewritten: string[] = [];
  const text = readme.replace(/<!-- results:([\w-]+) -->\n[\s\S]*?<!-- \/results:\1 -->/g, (_, name: string) => {
    const table = tables[name];
    if (table === undefined) throw new Error(`docs/results.md: no results table is named "${name}"; the tables are ${Object.keys(tables).join(", ")}`);
    const missing = table.examples.filter((e) => results.examples[e] === undefined);
    if (missing.length > 0) throw new Error(`table "${name}" needs results of ${missing.join(", ")}: run npm run results -- --only ${missing.join(",")}`);
    const metric: Metric = (example, key) => {
      const value = results.examples[example]!.metrics[key];
      if (typeof value !== "number") throw new Error(`table "${name}": ${example} has no numeric metric "${key}" in docs/results.json`);
      return value;
    };
    rewritten.push(name);
    return [`<!-- results:${name} -->`, "", ...table.render(metric), "", measuredOn(results, table.examples), "", `<!-- /results:${name} -->`].join("\n");
  });
  const absent = Object.keys(tables).filter((n) => !rewritten.includes(n));
  if (absent.length > 0) throw new Error(`docs/results.md has no <!-- results:NAME --> markers for ${absent.join(", ")}`);
  return { text, rewritten };
}
