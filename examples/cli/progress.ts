// What the MNIST examples share on the terminal: a progress bar for the
// batches of an epoch, one line per epoch, and the closing JSON line that
// `--json` asks for. Node only (it writes to process.stdout).
import type { BatchReport, EpochReport } from "paralens";

export { report, wantsJson } from "./report.ts";

/** The value of `--name <value>` on the command line, or the fallback. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${process.argv[i + 1]}`);
  return v;
}

const live = process.stdout.isTTY === true;
const WIDTH = 30;

/**
 * onBatchEnd: redraws "epoch 2/5 [#####.....] 41% loss 0.1234" in place on a
 * terminal (elsewhere it stays silent). `before`: epochs run by earlier fits.
 */
export function progressBar(epochs: number, before = 0): (r: BatchReport) => void {
  let shown = -1;
  let smooth = NaN;
  return (r) => {
    smooth = Number.isNaN(smooth) ? r.loss : 0.95 * smooth + 0.05 * r.loss;
    const filled = Math.round((WIDTH * r.batch) / r.batches);
    if (!live || (filled === shown && r.batch !== r.batches)) return;
    shown = filled;
    const bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    const pct = Math.round((100 * r.batch) / r.batches);
    process.stdout.write(`\repoch ${before + r.epoch}/${epochs} [${bar}] ${String(pct).padStart(3)}% loss ${smooth.toFixed(4)}`);
    if (r.batch === r.batches) shown = -1;
  };
}

/** onEpochEnd: one line with the epoch's loss, accuracies and speed. `before`: epochs run by earlier fits. */
export function epochLine(epochs: number, before = 0, note = ""): (r: EpochReport) => void {
  return (r) => {
    if (live) process.stdout.write("\r\x1b[K");
    const test = r.valAccuracy === undefined ? "" : `  test loss ${r.valLoss!.toFixed(4)}  test accuracy ${r.valAccuracy.toFixed(4)}`;
    console.log(
      `epoch ${before + r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  accuracy ${r.accuracy.toFixed(4)}${test}  ` +
        `${r.seconds.toFixed(1)} s  ${Math.round(r.examplesPerSecond)} examples/s${note}`,
    );
  };
}
