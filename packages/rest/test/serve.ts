import { type AddressInfo } from "node:net";

import { type HttpBindings, serve } from "@hono/node-server";

import { createRestHandler } from "../src/index.ts";

/** The REST handler on a real loopback HTTP server, for tests that use curl. */
export async function serveRest(): Promise<{ url: string; close: () => Promise<void> }> {
  const handler = createRestHandler();
  return new Promise((resolve) => {
    const server = serve({ fetch: (request: Request, env) => handler(request, { clientAddress: (env as HttpBindings).incoming.socket.remoteAddress ?? "unknown" }), hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
