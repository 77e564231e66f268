// The app on Node's http server:
//
//   node --import tsx examples/serve/node.ts
//   curl -H 'content-type: application/json' -d '{"rows": [[0, 0, ...784 values]]}' 127.0.0.1:8000/predict
//
// PORT (0: any free one), MAX_BATCH, MAX_DELAY_MS and WEIGHTS configure it; it listens on 127.0.0.1.
import type { AddressInfo } from "node:net";
import { start } from "./app.ts";
import { listen } from "./node-adapter.ts";

const env = (name: string): number | undefined => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const app = await start({ maxBatch: env("MAX_BATCH"), maxDelayMs: env("MAX_DELAY_MS"), weights: process.env.WEIGHTS });
const server = await listen(app.handler, env("PORT") ?? 8000);
console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`);
process.on("SIGTERM", () => server.close(() => void app.close().then(() => process.exit(0))));
