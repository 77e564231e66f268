// What the cdl-* example programs share: the --json flag and the report format.
// Node only (reads process.argv); the training code in this folder does not.

/** With --json, prints the example's metrics as one last line of JSON. */
export function report(example: string, metrics: Record<string, number>): void {
  if (process.argv.includes("--json")) console.log(JSON.stringify({ example, metrics }));
}

/** A logger that prints progress lines (indented) unless --quiet is given. */
export const log = (line: string): void => {
  if (!process.argv.includes("--quiet")) console.log(line);
};
