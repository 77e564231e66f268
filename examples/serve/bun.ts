// The app on Bun.serve:
//
//   bun examples/serve/bun.ts
//
// PORT (0: any free one) sets the port; it listens on 127.0.0.1.
import { handler } from "./app.ts";

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 8000), fetch: handler });
console.log(`listening on 127.0.0.1:${server.port}`);
