// The app on Deno.serve:
//
//   deno run --allow-net=127.0.0.1 --allow-read --allow-env examples/serve/deno.ts
//
// PORT (0: any free one) sets the port; it listens on 127.0.0.1.
import { handler } from "./app.ts";

// what this script uses of Deno's globals, for type-checking it beside the Node code
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { hostname: string; port: number; onListen(address: { port: number }): void }, handler: (request: Request) => Promise<Response>): unknown;
};

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000), onListen: ({ port }) => console.log(`listening on 127.0.0.1:${port}`) }, handler);
