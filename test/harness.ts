// One way to declare tests that runs unchanged in Node (node:test), Deno
// (Deno.test) and a browser page (run by test/browser/). Test files import
// `test` from here and assertions from ./assert.ts, never node:test or
// node:assert directly, so the same file runs in all three.

type Body = () => void | Promise<void>;

interface DenoLike {
  test(name: string, fn: Body): void;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const isNode = deno === undefined && typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
const nodeTest: ((name: string, fn: Body) => void) | undefined = isNode ? (await import("node:test")).test : undefined;

/** Tests registered in a browser, where neither runner exists; test/browser/entry.ts runs them. */
export const registered: { name: string; fn: Body }[] = [];

export function test(name: string, fn: Body): void {
  if (deno !== undefined) deno.test(name, fn);
  else if (nodeTest !== undefined) nodeTest(name, fn);
  else registered.push({ name, fn });
}

/** Which runtime runs the tests: "node", "deno" or "browser". */
export const runtime: "node" | "deno" | "browser" = deno !== undefined ? "deno" : isNode ? "node" : "browser";
