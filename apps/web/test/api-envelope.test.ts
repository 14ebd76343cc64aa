import { expect, inject, test } from "vitest";

import { type Answer, envelope, request } from "./http.ts";

/**
 * The web app serves the documented REST API beside Next.js pages: whatever
 * reaches /api/v1 is answered by the API in its envelope, never by Next.js
 * (no redirect, no HTML 404, no "Server Action" 409).
 */
const baseUrl = inject("baseUrl");

function expectFailure(answer: Answer, status: number, message: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toMatch(/^application\/json/);
  expect(envelope(answer)).toEqual({ data: null, message: expect.stringMatching(message), status: "failed" });
}

test("GET /api/v1/api-keys/ is answered like /api/v1/api-keys: 401 in the envelope, no redirect", async () => {
  const slash = await request(baseUrl, { method: "GET", path: "/api/v1/api-keys/" });
  const bare = await request(baseUrl, { method: "GET", path: "/api/v1/api-keys" });
  expectFailure(slash, 401, /Authentication required/);
  expect(slash.body).toBe(bare.body);
});

test.each(["PATCH", "PUT", "OPTIONS"])("%s /api/v1/api-keys is 405 in the envelope with Allow: POST, GET, HEAD", async (method) => {
  const answer = await request(baseUrl, { method, path: "/api/v1/api-keys" });
  expectFailure(answer, 405, new RegExp(`${method} is not allowed on /api/v1/api-keys`));
  expect(answer.headers.allow).toBe("POST, GET, HEAD");
});

test("HEAD /api/v1/api-keys without credentials is GET's 401 with no body", async () => {
  const answer = await request(baseUrl, { method: "HEAD", path: "/api/v1/api-keys" });
  expect(answer.status).toBe(401);
  expect(answer.headers["www-authenticate"]).toBe('Bearer realm="keysmith"');
  expect(answer.body).toBe("");
});

test.each(["POST", "GET"])("%s /api/v1 is 404 in the envelope", async (method) => {
  expectFailure(await request(baseUrl, { method, path: "/api/v1" }), 404, /There is no endpoint at \/api\/v1/);
});

test("TRACE / is 405 in the envelope, with Allow", async () => {
  const answer = await request(baseUrl, { method: "TRACE", path: "/" });
  expectFailure(answer, 405, /TRACE is not supported/);
  expect(answer.headers.allow).toBe("GET, HEAD, POST, PATCH, DELETE");
});

test("OPTIONS * is 400 in the envelope", async () => {
  expectFailure(await request(baseUrl, { method: "OPTIONS", path: "*" }), 400, /"\*" \(the whole server\)/);
});

test.each([
  ["/api/v1/%2e%2e/trpc/health.check", /"%2e%2e" segment/],
  ["/api/v1/api-keys/%ZZ", /not valid percent-encoding/],
  ["/api/v1/api-keys\\..\\openapi.json", /backslash/],
])("GET %s is 400 in the envelope", async (path, message) => {
  expectFailure(await request(baseUrl, { method: "GET", path }), 400, message);
});

test("a Host header that makes no URL is 400 in the envelope, not 500", async () => {
  expectFailure(await request(baseUrl, { method: "GET", path: "/api/v1/api-keys", headers: { host: "a b" } }), 400, /Host header/);
});

test("absolute-form GET http://host/api/v1/api-keys reaches the API (401 in the envelope), not a Next.js redirect", async () => {
  expectFailure(await request(baseUrl, { method: "GET", path: `${baseUrl}/api/v1/api-keys` }), 401, /Authentication required/);
});

test("//api/v1/api-keys is 404 in the envelope, not a Next.js redirect", async () => {
  expectFailure(await request(baseUrl, { method: "GET", path: "//api/v1/api-keys" }), 404, /There is no endpoint/);
});
