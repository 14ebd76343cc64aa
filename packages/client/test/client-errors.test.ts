/**
 * How the client reports a Keysmith it cannot use, against small real HTTP
 * servers on free ports: one that never answers, one that answers like a
 * proxy's error page. Keysmith's own answers are tested in
 * apps/server/test/client.test.ts.
 */
import { afterAll, describe, expect, test, vi } from "vitest";

import { createKeysmithClient } from "../src/index.ts";
import { keysmithFetch } from "../src/keysmith-fetch.ts";
import { closeServers, listen, rejection } from "./local-server.ts";

afterAll(closeServers);

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

  test("a web page answering 200 (url set to a site, a captive portal) rejects with code BAD_GATEWAY, status 200, and a message asking whether url is Keysmith's origin", async () => {
    const url = await listen((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<h1>Welcome</h1>"));
    const error = await rejection(createKeysmithClient({ url, apiKey: "ak_x" }).verifyKey("ak_y"));
    expect([error.code, error.status, error.message]).toEqual(["BAD_GATEWAY", 200, "Keysmith answered HTTP 200 without a tRPC body; is the url the Keysmith server's origin?"]);
  });

  test("a 200 labelled JSON whose body is not JSON rejects with code BAD_GATEWAY, status 200, and a message saying the body was not JSON", async () => {
    const url = await listen((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end("{not json"));
    const error = await rejection(createKeysmithClient({ url, apiKey: "ak_x" }).verifyKey("ak_y"));
    expect([error.code, error.status, error.message]).toEqual([
      "BAD_GATEWAY",
      200,
      "Keysmith answered HTTP 200 with a body labelled JSON that is not JSON; is the url the Keysmith server's origin?",
    ]);
  });

  test("JSON that is not tRPC's answer (the REST envelope, from a url ending in /api/v1) rejects with code BAD_GATEWAY, status 200", async () => {
    const url = await listen((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: null, message: "hello", status: "success" })));
    const error = await rejection(createKeysmithClient({ url, apiKey: "ak_x" }).verifyKey("ak_y"));
    expect([error.code, error.status]).toEqual(["BAD_GATEWAY", 200]);
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

describe("a JSON answer", () => {
  test("keysmithFetch parses a JSON body once: json() answers the parsed value, and a second read of the body rejects as fetch's does", async () => {
    const body = { hello: "world", n: [1, 2] };
    const url = await listen((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
    const parse = vi.spyOn(JSON, "parse");
    const response = await keysmithFetch(globalThis.fetch, 5_000)(url);
    expect(await response.json()).toEqual(body);
    // only the body's parses: fetch itself may parse other JSON meanwhile
    expect(parse.mock.calls.filter(([text]) => text === JSON.stringify(body))).toHaveLength(1);
    parse.mockRestore();
    expect([response.status, response.headers.get("content-type"), response.bodyUsed]).toEqual([200, "application/json", true]);
    await expect(response.text()).rejects.toThrow(TypeError);
  });
});
