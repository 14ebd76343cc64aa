import http, { type IncomingHttpHeaders } from "node:http";

import { afterEach, expect, test } from "vitest";

import { TrustedProxies } from "@keysmith/auth";

import { createNodeListener, type RequestFacts } from "../src/index.ts";
import { listenForFile } from "./listening.ts";

/**
 * The listener as apps/web runs it, on a real loopback HTTP server, with a
 * page host standing in for Next.js that records what it was given.
 */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  facts: RequestFacts;
}
let seen: Seen[] = [];
let failPages = false;

/** The listener with a page host that records what it is given, believing X-Forwarded-* from `trusted`. */
function pagesListener(trusted: string) {
  return createNodeListener({
    trustedProxies: TrustedProxies.parse(trusted),
    pages(req, res, facts) {
      if (failPages) throw new Error("the page host broke");
      seen.push({ url: req.url ?? "", headers: { ...req.headers }, facts });
      res.setHeader("content-type", "text/html");
      res.end("<p>page</p>");
    },
  });
}
// one trusting no proxy, one trusting loopback (where the tests' requests come from)
const served = listenForFile(pagesListener(""));
const servedBehindProxy = listenForFile(pagesListener("loopback"));

afterEach(() => {
  seen = [];
  failPages = false;
});

function get(path: string, headers: Record<string, string> = {}, server = served): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.port(), path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "keys.example.com", "x-forwarded-for": "198.51.100.7" };

test("a page gets nosniff, X-Frame-Options, Referrer- and Permissions-Policy, and HSTS only when a trusted proxy says the client used https", async () => {
  const direct = await get("/keys", forwarded);
  expect(direct.headers).toMatchObject({
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": expect.stringContaining("camera=()"),
  });
  expect(direct.headers["strict-transport-security"]).toBeUndefined();

  const proxied = await get("/keys", forwarded, servedBehindProxy);
  expect(proxied.headers["strict-transport-security"]).toBe("max-age=63072000");
  expect((await get("/keys", { ...forwarded, "x-forwarded-proto": "http" }, servedBehindProxy)).headers["strict-transport-security"]).toBeUndefined();
});

test("a client that is no trusted proxy: its X-Forwarded-* never reach the page host, and the facts are the socket's", async () => {
  await get("/keys", { ...forwarded, forwarded: "for=198.51.100.7;proto=https" });
  const [page] = seen;
  expect(page?.headers).not.toHaveProperty("x-forwarded-for");
  expect(page?.headers).not.toHaveProperty("x-forwarded-proto");
  expect(page?.headers).not.toHaveProperty("x-forwarded-host");
  expect(page?.headers).not.toHaveProperty("forwarded");
  expect(page?.facts).toEqual({ clientAddress: "127.0.0.1", https: false, origin: `http://127.0.0.1:${served.port()}` });
});

test("behind a trusted proxy the page host gets its headers, and facts with the forwarded client, https and the forwarded origin", async () => {
  await get("/keys", forwarded, servedBehindProxy);
  const [page] = seen;
  expect(page?.headers).toMatchObject(forwarded);
  expect(page?.facts).toEqual({ clientAddress: "198.51.100.7", https: true, origin: "https://keys.example.com" });
});

test("an absolute-form request for a page reaches the page host in origin-form, query kept", async () => {
  await get("http://elsewhere.example/docs/api?x=1");
  expect(seen.map((page) => page.url)).toEqual(["/docs/api?x=1"]);
});

test("API paths never reach the page host, written in absolute-form or after a doubled slash either", async () => {
  for (const path of ["/api/v1/nowhere", "http://elsewhere.example/api/v1/nowhere", "//api/v1/nowhere"]) {
    const answer = await get(path);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ data: null, status: "failed" });
  }
  expect(seen).toEqual([]);
});

test("a page host that throws gets the client a 500 envelope, and the next request is answered", async () => {
  failPages = true;
  const broken = await get("/keys");
  expect(broken.status).toBe(500);
  expect(JSON.parse(broken.body)).toMatchObject({ data: null, status: "failed" });
  failPages = false;
  expect((await get("/keys")).status).toBe(200);
});
