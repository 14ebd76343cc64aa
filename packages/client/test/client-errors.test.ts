/**
 * How the client reports a Keysmith it cannot use, against small real HTTP
 * servers on free ports: one that never answers, one that answers like a
 * proxy's error page. Keysmith's own answers are tested in
 * apps/server/test/client.test.ts.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";

import { afterAll, describe, expect, test } from "vitest";

import { createKeysmithClient, KeysmithClientError } from "../src/index.ts";

const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rejection(promise: Promise<unknown>): Promise<KeysmithClientError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeysmithClientError);
  return error as KeysmithClientError;
}

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("KeysmithClientError without a Keysmith answer", () => {
  test("a server that never answers: the call rejects after timeoutMs with code NETWORK_ERROR, status null", async () => {
    const url = await listen(() => undefined);
    const started = performance.now();
    const error = await rejection(createKeysmithClient({ url, apiKey: "ak_x", timeoutMs: 200 }).verifyKey("ak_y"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect([error.code, error.status, error.message]).toEqual(["NETWORK_ERROR", null, "Keysmith could not be reached: no answer within 200 ms."]);
  });

  test("an HTML 503 with Retry-After: 9 (a load balancer's page) rejects with code SERVICE_UNAVAILABLE, status 503, retryAfterSeconds 9", async () => {
    const url = await listen((_request, response) => response.writeHead(503, { "content-type": "text/html", "retry-after": "9" }).end("<h1>Down</h1>"));
    const error = await rejection(createKeysmithClient({ url, token: "t" }).apiKeys.list.query());
    expect([error.code, error.status, error.retryAfterSeconds, error.fieldErrors]).toEqual(["SERVICE_UNAVAILABLE", 503, 9, null]);
  });

  test("the client sends its credential as Authorization: Bearer to <url>/api/trpc, a trailing slash of url dropped", async () => {
    const seen: { method?: string; url?: string; authorization?: string } = {};
    const url = await listen((request, response) => {
      Object.assign(seen, { method: request.method, url: request.url, authorization: request.headers.authorization });
      response.writeHead(404, { "content-type": "text/plain" }).end("not here");
    });
    const error = await rejection(createKeysmithClient({ url: `${url}/`, apiKey: "ak_service" }).verifyKey("ak_presented"));
    expect([error.code, error.status]).toEqual(["NOT_FOUND", 404]);
    expect(seen).toEqual({ method: "POST", url: "/api/trpc/apiKeys.verify?batch=1", authorization: "Bearer ak_service" });
  });
});
