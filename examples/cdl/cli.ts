// What the cdl-* example programs share: the --json flag and the report format.
// Node only (reads process.argv); the training code in this folder does not.

export { report } from "../cli/report.ts";

/** A logger that prints progress lines (indented) unless --quiet is given. */
export const log = (line: string): void => {
  if (!process.argv.includes("--quiet")) console.log(line);
};
