// The runnable examples: every examples/<name>.ts. Modules they share live in
// subfolders (cli/, data/, models/, cdl/), so they are not listed.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const examplesDir = join(root, "examples");

/** The names of the runnable examples, sorted (the file names without .ts). */
export function exampleNames(): string[] {
  return readdirSync(examplesDir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
}
