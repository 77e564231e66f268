// npm run example -- <name> [args]: runs examples/<name>.ts with the rest of the arguments.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "examples");
const names = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run example -- <name> [--json]\nexamples: ${names.join(", ")}`);
  process.exit(name === undefined ? 0 : 1);
}
process.argv = [process.argv[0]!, join(dir, `${name}.ts`), ...rest];
await import(pathToFileURL(join(dir, `${name}.ts`)).href);
