import { beforeAll, expect, inject, test } from "vitest";

import { uniqueUser } from "./browser.ts";
import { type Answer, request, signUpOverHttp } from "./http.ts";

const baseUrl = inject("baseUrl");
let cookie = "";

beforeAll(async () => {
  cookie = `keysmith_session=${await signUpOverHttp(baseUrl, uniqueUser())}`;
});

const get = (path: string, signedIn = false) => request(baseUrl, { method: "GET", path, headers: signedIn ? { cookie } : {} });

/** The pages' policy, nonce aside: what a page may load, run and be framed by. */
const PAGE_POLICY =
  /^default-src 'self'; script-src 'self' 'nonce-([A-Za-z0-9+/=]{24})' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'$/;
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function expectCommonHeaders(answer: Answer) {
  expect(answer.headers).toMatchObject({
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  });
  expect(answer.headers["strict-transport-security"]).toBeUndefined();
}

test.each([
  ["/", 200],
  ["/login", 200],
  ["/signup", 200],
  ["/keys signed in", 200],
  ["/docs/api", 200],
  ["/no-such-page (404)", 404],
  ["/docs/api/assets/swagger-ui.css", 200],
])("page route %s: the nonce policy, X-Frame-Options, nosniff, Referrer- and Permissions-Policy, and no HSTS over plain http", async (name, status) => {
  const answer = await get(name.split(" ")[0] ?? "/", name.includes("signed in"));
  expect(answer.status).toBe(status);
  expectCommonHeaders(answer);
  expect(answer.headers["content-security-policy"]).toMatch(PAGE_POLICY);
});

test.each([
  ["/api/v1/openapi.json", 200],
  ["/api/trpc/health.check", 200],
  ["/healthz", 200],
  ["/api/v1/nowhere", 404],
])("API route %s: the policy that allows nothing, X-Frame-Options, nosniff, Referrer- and Permissions-Policy, and no HSTS over plain http", async (path, status) => {
  const answer = await get(path);
  expect(answer.status).toBe(status);
  expectCommonHeaders(answer);
  expect(answer.headers["content-security-policy"]).toBe(API_POLICY);
});

test("every script of a page carries its response's nonce, and the next response has another", async () => {
  const first = await get("/keys", true);
  const nonce = PAGE_POLICY.exec(String(first.headers["content-security-policy"]))?.[1];
  expect(nonce).toBeDefined();
  const scripts = [...first.body.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  const second = await get("/keys", true);
  expect(PAGE_POLICY.exec(String(second.headers["content-security-policy"]))?.[1]).not.toBe(nonce);
});

test("a client's own X-Forwarded-Proto: https gets no HSTS on a page or the API (no proxy is trusted)", async () => {
  for (const path of ["/login", "/healthz"]) {
    const answer = await request(baseUrl, { method: "GET", path, headers: { "x-forwarded-proto": "https" } });
    expect(answer.status).toBe(200);
    expect(answer.headers["strict-transport-security"]).toBeUndefined();
  }
});
