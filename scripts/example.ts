// npm run example -- <name> [args]: runs examples/<name>.ts with the rest of the arguments.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exampleNames, examplesDir } from "./example-names.ts";

const names = exampleNames();
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run example -- <name> [--json]\nexamples: ${names.join(", ")}`);
  process.exit(name === undefined ? 0 : 1);
}
const file = join(examplesDir, `${name}.ts`);
process.argv = [process.argv[0]!, file, ...rest];
await import(pathToFileURL(file).href);
