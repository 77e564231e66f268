// Node's http server in front of a fetch handler: each request becomes a
// web-standard Request (its body streamed, not buffered here), and the
// Response is written back. A client that disconnects mid-body makes the
// body stream fail, which the handler answers like any unreadable body.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

/** The web Request for a Node request, and what to call once it is answered: it discards whatever of the body the handler left unread, so the connection can carry the next request. */
export function toRequest(req: IncomingMessage): { request: Request; answered: () => void } {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? bodyStream(req) : undefined;
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: body?.stream,
    // a streamed request body must say so (fetch's rule)
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
  return { request, answered: () => (body === undefined ? req.resume() : body.discard()) };
}

/**
 * The request's body as a web stream. Unlike Readable.toWeb, cancelling it (the handler refusing a
 * body over its limit) discards the rest instead of destroying the socket, so the client, still
 * sending, can read the 413; nothing is buffered meanwhile, and requestTimeout bounds a slow sender.
 */
function bodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard: () => void } {
  let open = true;
  const discard = (): void => {
    open = false;
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (open) controller.close();
        open = false;
      });
      // the connection closed before the body ended: the client went away
      req.on("close", () => {
        if (open && !req.complete) controller.error(new Error("the client disconnected before the body ended"));
        open = false;
      });
    },
    pull() {
      req.resume();
    },
    cancel: discard,
  }, { highWaterMark: 4 });
  return { stream, discard };
}

export async function send(response: Response, res: ServerResponse): Promise<void> {
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  if (response.body === null) return void res.end();
  res.end(new Uint8Array(await response.arrayBuffer()));
}

/** An http server on `hostname`:`port` (0: any free port) answering with `handler`; resolves once it listens. */
export function listen(handler: (request: Request) => Promise<Response>, port = 0, hostname = "127.0.0.1"): Promise<Server> {
  const server = createServer((req, res) => {
    const { request, answered } = toRequest(req);
    handler(request)
      .then((response) => send(response, res))
      .finally(answered)
      .catch(() => {
        // the socket is gone, or the handler failed outside its own error handling
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
      });
  });
  // a client that stops sending is dropped, not waited for (Node's default allows five minutes)
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve(server));
  });
}
