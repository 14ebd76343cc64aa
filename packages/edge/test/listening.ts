import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

import { afterAll, beforeAll } from "vitest";

/** Serves `listener` on a free loopback port for this test file (opened before its tests, closed after); `port()` names it. */
export function listenForFile(listener: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): { port: () => number } {
  const server = http.createServer((req, res) => void listener(req, res));
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: () => port };
}
