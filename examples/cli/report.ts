// The closing line every example prints when run with --json:
//   {"example": "<name>", "metrics": {...}}
// one JSON object, alone on the last line of the output, which
// `npm run results` collects into docs/results.json. Node only (reads process.argv).

/** True when the example was run with --json: it then ends with one line of JSON. */
export const wantsJson = process.argv.includes("--json");

/** Prints the closing {"example": name, "metrics": {...}} line when --json was given. */
export function report(example: string, metrics: Readonly<Record<string, number | string>>): void {
  if (wantsJson) console.log(JSON.stringify({ example, metrics }));
}
