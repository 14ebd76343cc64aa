import http from "node:http";
import net from "node:net";

import { login, signUp } from "@keysmith/auth";
import { dbEnv, SessionKind } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

let app: Instance;
let proxied: Instance;

beforeAll(async () => {
  const url = dbEnv.databaseUrl() ?? "";
  [app, proxied] = await Promise.all([startInstance(url), startInstance(url, { KEYSMITH_TRUSTED_PROXIES: "loopback" })]);
  await signUp({ username: "edgy", email: "edgy@example.test", name: "Edgy", password: "a long password" });
}, 120_000);

afterAll(async () => {
  await Promise.all([app.stop(), proxied.stop()]);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over node:http, with control of the agent, the local address and the raw path. */
function request(instance: Instance, options: http.RequestOptions & { body?: string | string[] }): Promise<Answer> {
  const { port } = new URL(instance.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

const envelope = (answer: Answer) => JSON.parse(answer.body) as { data: unknown; message: string; status: string };

/** An access token of the test's account, from POST /login over HTTP. */
async function token(): Promise<string> {
  const answer = await request(app, { method: "POST", path: "/api/v1/login", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "edgy", password: "a long password" }) });
  return (JSON.parse(answer.body) as { data: { jwtToken: string } }).data.jwtToken;
}

/** Writes `size` bytes of body in 64 KiB pieces, waiting for the socket to drain, as a client streaming a file would. */
function pump(req: http.ClientRequest, size: number): void {
  const chunk = Buffer.alloc(64 * 1024, 120);
  let sent = 0;
  const next = () => {
    while (sent < size) {
      const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += piece.length;
      if (!req.write(piece)) return void req.once("drain", next);
    }
    req.end();
  };
  next();
}

function isAnswer(value: unknown): value is Answer {
  return typeof value === "object" && value !== null && "status" in value;
}

function post(instance: Instance, options: { agent: http.Agent; size: number; chunked: boolean }): Promise<Answer & { reusedSocket: boolean }> {
  const { port } = new URL(instance.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/api/v1/login", agent: options.agent, headers: options.chunked ? {} : { "content-length": String(options.size) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), reusedSocket: req.reusedSocket }));
      },
    );
    req.on("error", reject);
    pump(req, options.size);
  });
}

describe("bodies over 16 KiB over real HTTP", () => {
  const BODY_KINDS = [
    ["declared by Content-Length", false],
    ["sent chunked", true],
  ] as const;

  test.each(BODY_KINDS)("%s and ending within 8 MiB (4 MiB): 413 after the body is read, and the next request reuses the same keep-alive connection", async (_, chunked) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await post(app, { agent, size: 4 * 1024 * 1024, chunked });
      expect(big.status).toBe(413);
      expect(big.headers.connection).not.toBe("close");
      expect(envelope(big)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/larger than 16 KiB/) });
      const next = await post(app, { agent, size: 10, chunked: false });
      expect(next.status).toBe(400);
      expect(next.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  test.each(BODY_KINDS)("%s and larger than 8 MiB (12 MiB): 413 with Connection: close, and the next request on the same agent gets its answer on a new connection", async (_, chunked) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big: unknown = await post(app, { agent, size: 12 * 1024 * 1024, chunked }).catch((error: unknown) => error);
      // the server stops reading past 8 MiB: a client still writing may see its write fail first
      if (!(big instanceof Error)) {
        if (!isAnswer(big)) throw new Error("no answer");
        expect(big.status).toBe(413);
        expect(big.headers.connection).toBe("close");
      }
      const next = await post(app, { agent, size: 10, chunked: false });
      expect(next.status).toBe(400);
      expect(next.reusedSocket).toBe(false);
    } finally {
      agent.destroy();
    }
  });
});

describe("request targets that parsing would rewrite", () => {
  test.each([
    ["GET", "/api/v1/%2e%2e/trpc/health.check", 400, /"%2e%2e" segment/],
    ["GET", "/api/v1/%2E%2e/openapi.json", 400, /segment/],
    ["GET", "/api/trpc/../v1/openapi.json", 400, /"\.\." segment/],
    ["DELETE", "/api/v1/api-keys/%ZZ", 400, /not valid percent-encoding/],
    ["TRACE", "/", 405, /TRACE is not supported/],
    ["TRACE", "/api/v1/api-keys", 405, /TRACE is not supported/],
    ["OPTIONS", "*", 400, /"\*" \(the whole server\)/],
  ])("%s %s is %i in the envelope", async (method, path, status, message) => {
    const answer = await request(app, { method, path });
    expect(answer.status).toBe(status);
    expect(envelope(answer)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(message) });
    if (status === 405) expect(answer.headers.allow).toBe("GET, HEAD, POST, PATCH, DELETE");
  });

  test("an encoded slash stays inside its segment: DELETE /api-keys/1%2F..%2Fverify is the delete route refusing that id", async () => {
    const answer = await request(app, { method: "DELETE", path: "/api/v1/api-keys/1%2F..%2Fverify", headers: { authorization: `Bearer ${await token()}` } });
    expect(answer.status).toBe(400);
    expect(envelope(answer)).toMatchObject({ status: "failed", message: "The key id must be a whole number, like 5." });
  });

  test("an absolute-form target cannot choose the origin the same-origin check compares with: a cookie change 'from' that host is refused", async () => {
    const { token: session } = await login({ username: "edgy", password: "a long password" }, SessionKind.WEB, { clientAddress: "127.0.0.9", now: new Date() });
    const answer = await request(app, {
      method: "POST",
      path: "http://evil.example/api/v1/api-keys",
      headers: { host: new URL(app.url).host, origin: "http://evil.example", cookie: `keysmith_session=${session}`, "content-type": "application/json" },
      body: '{"name":"planted"}',
    });
    expect(answer.status).toBe(403);
    expect(envelope(answer).message).toMatch(/Cross-site requests cannot change anything/);
  });
});

describe("security headers on the API", () => {
  test.each(["/api/v1/openapi.json", "/api/v1/nowhere", "/api/trpc/health.check", "/healthz", "/readyz"])("%s carries them", async (path) => {
    const answer = await request(app, { method: "GET", path });
    expect(answer.headers).toMatchObject({
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "content-security-policy": expect.stringContaining("frame-ancestors 'none'"),
      "referrer-policy": expect.any(String),
      "permissions-policy": expect.stringContaining("camera=()"),
    });
    expect(answer.headers["strict-transport-security"]).toBeUndefined();
  });

  test("HSTS is sent when a trusted proxy says the client used HTTPS, and not when a client says so itself", async () => {
    const headers = { "x-forwarded-proto": "https" };
    expect((await request(proxied, { method: "GET", path: "/healthz", headers })).headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect((await request(app, { method: "GET", path: "/healthz", headers })).headers["strict-transport-security"]).toBeUndefined();
  });
});

describe("the client's address for the login throttle", () => {
  const failedLogin = (instance: Instance, localAddress: string, forwardedFor: string) =>
    request(instance, {
      method: "POST",
      path: "/api/v1/login",
      localAddress,
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ username: `ghost${Math.random().toString(36).slice(2, 8)}`, password: "wrong password" }),
    });
  const goodLogin = (instance: Instance, localAddress: string, forwardedFor?: string) =>
    request(instance, {
      method: "POST",
      path: "/api/v1/login",
      localAddress,
      headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
      body: JSON.stringify({ username: "edgy", password: "a long password" }),
    });

  test("is the socket's: 20 failures from one address with a new X-Forwarded-For each are counted together, and another address is not affected", async () => {
    for (let i = 0; i < 20; i += 1) expect((await failedLogin(app, "127.0.0.2", `203.0.113.${i}`)).status).toBe(401);
    expect((await goodLogin(app, "127.0.0.2", "203.0.113.200")).status).toBe(429);
    expect((await goodLogin(app, "127.0.0.3")).status).toBe(200);
  });

  test("behind a trusted proxy, is the X-Forwarded-For hop it added: one client's failures do not throttle another behind the same proxy", async () => {
    for (let i = 0; i < 20; i += 1) expect((await failedLogin(proxied, "127.0.0.4", "198.51.100.1")).status).toBe(401);
    expect((await goodLogin(proxied, "127.0.0.4", "198.51.100.1")).status).toBe(429);
    expect((await goodLogin(proxied, "127.0.0.4", "198.51.100.2")).status).toBe(200);
  });
});

test("a request with no Host header (HTTP/1.0) is still answered", async () => {
  const { port } = new URL(app.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.write("GET /healthz HTTP/1.0\r\n\r\n"));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
});
