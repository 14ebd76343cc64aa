/**
 * The client and its middleware against servers that are not the Keysmith
 * they expect, each a small real HTTP server on a free port: a newer
 * Keysmith with a verify code this client does not know, a redirect to
 * another origin, a load balancer with a nonsensical Retry-After. Keysmith's
 * own answers are tested in apps/server/test/client.test.ts.
 */
import { request as httpRequest } from "node:http";

import { afterAll, describe, expect, test } from "vitest";

import { keysmithExpress } from "../src/express.ts";
import { createKeysmithClient } from "../src/index.ts";
import { withKeysmith } from "../src/next.ts";
import { closeServers, listen, rejection } from "./local-server.ts";

afterAll(closeServers);

const KEY = "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0";
const VALID = { valid: true, code: "VALID", id: 9, name: "fake", owner_id: 1, expires_at: null, scopes: ["keys:read"], remaining: null, retry_after_seconds: null };

/** A fake Keysmith answering every call of a batch with `data`, in tRPC's batch format; counts the HTTP requests. */
async function fakeKeysmith(data: unknown) {
  const calls = { count: 0 };
  const url = await listen((request, response) => {
    calls.count += 1;
    request.resume();
    const procedures = new URL(request.url ?? "/", "http://keysmith.test").pathname.split(",");
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(procedures.map(() => ({ result: { data } }))));
  });
  return { url, calls };
}

/** A GET with raw header lines, as fetch cannot send (two Authorization headers, say). */
function rawGet(url: string, headers: [string, string][]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // given as a list, headers are sent exactly as listed: Node adds no Host of its own
    const sent = httpRequest(`${url}/`, { method: "GET", headers: [["host", new URL(url).host], ...headers].flat() }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on("error", reject);
    sent.end();
  });
}

describe("a verify code this client does not know (a newer Keysmith)", () => {
  test("the Express middleware answers 401 invalid_token in the failed envelope and the route does not run", async () => {
    const keysmith = await fakeKeysmith({ ...VALID, valid: false, code: "DISABLED" });
    const protect = keysmithExpress({ url: keysmith.url, apiKey: KEY, onError: () => undefined });
    let reached = false;
    const service = await listen((request, response) =>
      protect(request, response, () => {
        reached = true;
        response.end("in");
      }),
    );
    const answer = await fetch(service, { headers: { authorization: `Bearer ${KEY}` } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await answer.json()).toEqual({ data: null, message: "The API key was refused: this version of @keysmith/client does not know why.", status: "failed" });
    expect(reached).toBe(false);
  });

  test("withKeysmith answers the same 401 in the failed envelope", async () => {
    const keysmith = await fakeKeysmith({ ...VALID, valid: false, code: "DISABLED" });
    const handler = withKeysmith({ url: keysmith.url, apiKey: KEY }, () => new Response("in"));
    const answer = await handler(new Request("http://service.test/", { headers: { authorization: `Bearer ${KEY}` } }), undefined);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ data: null, status: "failed" });
  });
});

describe("a redirect from Keysmith's url", () => {
  test("is not followed: the other origin receives nothing, and the call rejects with the redirect's status and a message saying where to point url", async () => {
    const elsewhere = { count: 0 };
    const other = await listen((request, response) => {
      elsewhere.count += 1;
      request.resume();
      response.end();
    });
    const url = await listen((request, response) => {
      request.resume();
      response.writeHead(307, { location: `${other}/steal` }).end();
    });
    const error = await rejection(createKeysmithClient({ url, apiKey: KEY }).verifyKey(KEY));
    expect(elsewhere.count).toBe(0);
    expect(error.status).toBe(307);
    expect(error.message).toBe("Keysmith's url answered a redirect (HTTP 307), which the client does not follow, so that keys are never sent elsewhere: set url to the origin Keysmith answers on.");
  });
});

describe("Retry-After from a load balancer", () => {
  test.each([
    ["99999999999999999999999", 86_400],
    ["-5", null],
    ["1.5", null],
    ["soon", null],
    ["120", 120],
  ])("%s is read as %s seconds", async (header, seconds) => {
    const url = await listen((request, response) => {
      request.resume();
      response.writeHead(503, { "content-type": "text/html", "retry-after": header }).end("<p>down</p>");
    });
    const error = await rejection(createKeysmithClient({ url, apiKey: KEY }).verifyKey(KEY));
    expect(error.retryAfterSeconds).toBe(seconds);
  });

  test("an HTTP date two minutes ahead is read as about 120 seconds", async () => {
    const url = await listen((request, response) => {
      request.resume();
      response.writeHead(503, { "content-type": "text/html", "retry-after": new Date(Date.now() + 120_000).toUTCString() }).end("<p>down</p>");
    });
    const error = await rejection(createKeysmithClient({ url, apiKey: KEY }).verifyKey(KEY));
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(120);
  });
});

describe("the Express middleware with two Authorization headers", () => {
  test("answers 401 malformed without asking Keysmith, as the fetch adapters do", async () => {
    const keysmith = await fakeKeysmith(VALID);
    const protect = keysmithExpress({ url: keysmith.url, apiKey: KEY });
    const service = await listen((request, response) => protect(request, response, () => response.end("in")));
    for (const second of [`Bearer ${KEY}`, "Basic dXNlcjpwYXNz"]) {
      const answer = await rawGet(service, [
        ["authorization", `Bearer ${KEY}`],
        ["authorization", second],
      ]);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ data: null, message: "The API key is malformed: check that it was copied whole.", status: "failed" });
    }
    expect(keysmith.calls.count).toBe(0);
  });
});

describe("verifyKey with text no key can be", () => {
  test.each([
    ["a NUL", `${KEY}\u0000`],
    ["a line break", `${KEY}\n`],
    ["a lone surrogate", `${KEY}\ud800`],
    ["more than 512 characters", "k".repeat(513)],
  ])("with %s answers MALFORMED without asking Keysmith", async (_, key) => {
    const keysmith = await fakeKeysmith(VALID);
    const result = await createKeysmithClient({ url: keysmith.url, apiKey: KEY }).verifyKey(key);
    expect(result).toMatchObject({ valid: false, code: "MALFORMED" });
    expect(keysmith.calls.count).toBe(0);
  });
});
