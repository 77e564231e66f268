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

/**
 * Runs bench/<script> with the arguments and parses its JSON output; null when
 * PyTorch is not installed. `threads`: how many torch may use (default one;
 * "default" leaves torch and its BLAS to choose, as a user's script would).
 */
export function runTorch<T>(script: string, args: readonly string[] = [], threads: number | "default" = 1): T | null {
  const python = torchPython();
  if (python === null) return null;
  // torch.set_num_threads(n) in the script covers its own pool; these cover
  // the BLAS library's (OpenBLAS starts one thread per core)
  const count = String(threads);
  const limits = threads === "default" ? {} : { OMP_NUM_THREADS: count, OPENBLAS_NUM_THREADS: count, MKL_NUM_THREADS: count };
  const env = { ...process.env, ...limits, PARALENS_TORCH_THREADS: count };
  const r = spawnSync(python, [join(here, "..", script), ...args], { encoding: "utf8", maxBuffer: 1 << 24, env });
  if (r.status !== 0) throw new Error(`bench/${script} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as T;
}
