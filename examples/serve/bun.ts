// The app on Bun.serve:
//
//   bun examples/serve/bun.ts
//
// PORT (0: any free one) sets the port; it listens on 127.0.0.1.
import { handler } from "./app.ts";

// what this script uses of Bun's globals, for type-checking it beside the Node code
declare const Bun: { serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): { port: number } };

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 8000), fetch: handler });
console.log(`listening on 127.0.0.1:${server.port}`);
