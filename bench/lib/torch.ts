// The PyTorch peer, when Debian's python3-torch is installed: a Python script
// in bench/ does the same work on one thread and prints one JSON object.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

let found: string | null | undefined;

/**
 * A Python that can `import torch`: python3 on the PATH, else Debian's own
 * /usr/bin/python3 (where python3-torch installs, even when another python3
 * comes first on the PATH); null if neither.
 */
export function torchPython(): string | null {
  if (found === undefined) {
    found = ["python3", "/usr/bin/python3"].find((py) => spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0) ?? null;
  }
  return found;
}

/** Runs bench/<script> with the arguments and parses its JSON output; null when PyTorch is not installed. */
export function runTorch<T>(script: string, args: readonly string[] = []): T | null {
  const python = torchPython();
  if (python === null) return null;
  // one thread: torch.set_num_threads(1) in the script covers its own pool;
  // these cover the BLAS library's (OpenBLAS starts one thread per core)
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const r = spawnSync(python, [join(here, "..", script), ...args], { encoding: "utf8", maxBuffer: 1 << 24, env });
  if (r.status !== 0) throw new Error(`bench/${script} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as T;
}
