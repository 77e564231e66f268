// The PyTorch peer, when Debian's python3-torch is installed: a Python script
// in bench/ does the same work on one thread and prints one JSON object.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Whether `python3 -c "import torch"` works here. */
export function torchInstalled(): boolean {
  const r = spawnSync("python3", ["-c", "import torch"], { stdio: "ignore" });
  return r.status === 0;
}

/** Runs bench/<script> with the arguments and parses its JSON output; null when PyTorch is not installed. */
export function runTorch<T>(script: string, args: readonly string[] = []): T | null {
  if (!torchInstalled()) return null;
  const r = spawnSync("python3", [join(here, "..", script), ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/${script} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as T;
}
