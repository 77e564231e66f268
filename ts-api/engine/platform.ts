// Which JavaScript runtime this is, for the choices that differ between them
// (where threads come from, how wasm may be compiled, memory defaults) and
// for error messages that name the fix for the platform at hand. Each test
// reads a global the runtime defines for this purpose, in an order where no
// runtime is mistaken for another: Bun and Deno before Node (both define
// `process`), Workers before Node (with nodejs_compat they define it too).
// Deno is asked first of all: reading Deno's `process` global loads its Node
// compatibility layer, ~30 ms of a cold start.

/** The runtimes paralens knows by name. */
export type Platform = "node" | "deno" | "bun" | "workerd" | "edge-light" | "browser" | "worker" | "unknown";

interface Globals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  EdgeRuntime?: unknown;
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
  document?: unknown;
  importScripts?: unknown;
}

let detected: Platform | undefined;

/** The runtime this is (detected once). */
export function platform(): Platform {
  return (detected ??= detect(globalThis as Globals));
}

function detect(g: Globals): Platform {
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (typeof g.Bun?.version === "string") return "bun";
  // Vercel's Edge Runtime names itself in a global string
  if (typeof g.EdgeRuntime === "string") return "edge-light";
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof g.process?.versions?.node === "string") return "node";
  if (g.document !== undefined) return "browser";
  if (typeof g.importScripts === "function") return "worker";
  return "unknown";
}

/** How the runtime is called in messages. */
export const platformNames: Readonly<Record<Platform, string>> = {
  node: "Node",
  deno: "Deno",
  bun: "Bun",
  workerd: "Cloudflare Workers",
  "edge-light": "Vercel's Edge Runtime",
  browser: "this browser",
  worker: "this web worker",
  unknown: "this runtime",
};
