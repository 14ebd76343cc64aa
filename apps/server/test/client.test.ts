/**
 * @keysmith/client against one real apps/server process: the typed tRPC
 * client, verifyKey, and the Hono, Express and Next.js middleware each
 * serving a small real server of its own on a free port. Nothing is mocked;
 * "Keysmith down" is a port nobody listens on.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";

import { serve, type ServerType } from "@hono/node-server";
import { generateApiKey, signUp } from "@keysmith/auth";
import { createKeysmithClient, type Fetch, type KeysmithClient, KeysmithClientError, type ProtectOptions, type VerifiedKey } from "@keysmith/client";
import { keysmithExpress, keysmithKey } from "@keysmith/client/express";
import { keysmith, type KeysmithEnv } from "@keysmith/client/hono";
import { withKeysmith } from "@keysmith/client/next";
import { dbEnv } from "@keysmith/db";
import { freePort } from "@keysmith/db/lifecycle";
import express from "express";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

const PASSWORD = "a long password";
let instance: Instance;
let ownerId: number;
/** Authenticated by the user's access token. */
let admin: KeysmithClient;
/** The protected services' own credential: a key with keys:verify only. */
let serviceKey: string;
const closers: (() => Promise<void>)[] = [];

/** A fetch that counts the requests it sends to Keysmith, per path. */
function countingFetch() {
  const counts = { requests: 0, verifies: 0 };
  const counted: Fetch = (input, init) => {
    counts.requests += 1;
    if (String(input instanceof Request ? input.url : input).includes("apiKeys.verify")) counts.verifies += 1;
    return fetch(input, init);
  };
  return { counts, fetch: counted };
}

async function createKey(input: Parameters<KeysmithClient["apiKeys"]["create"]["mutate"]>[0]) {
  return admin.apiKeys.create.mutate(input);
}

async function rejection(promise: Promise<unknown>): Promise<KeysmithClientError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeysmithClientError);
  return error as KeysmithClientError;
}

/** Serves a fetch handler (Hono's app.fetch, a wrapped route handler) on a free port. */
async function serveFetch(handler: (request: Request) => Response | Promise<Response>): Promise<string> {
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const started = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server: started, port: info.port }));
  });
  closers.push(() => new Promise((done) => server.close(() => done())));
  return `http://127.0.0.1:${port}`;
}

async function listenExpress(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, "127.0.0.1", () => resolve(started));
  });
  closers.push(() => new Promise((done) => server.close(() => done())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What each route answers: what it was told about the key. */
const seen = (key: VerifiedKey | undefined) => ({ id: key?.id, owner_id: key?.owner_id, scopes: key?.scopes, remaining: key?.remaining });

/**
 * A refusal: Keysmith's failed envelope, never cacheable, and nothing in the
 * body or any header holding the presented key. Returns the body's message.
 */
async function expectRefusal(response: Response, status: number, presented: string | null): Promise<string> {
  const text = await response.text();
  expect(response.status).toBe(status);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toEqual({ data: null, message: expect.any(String), status: "failed" });
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(response.headers.get("cache-control")).toBe("no-store");
  if (presented !== null) {
    expect(text).not.toContain(presented);
    for (const [, value] of response.headers) expect(value).not.toContain(presented);
  }
  return body.message as string;
}

const call = (url: string, key?: string) => fetch(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  const user = await signUp({ username: "client", email: "client@example.test", name: "Client", password: PASSWORD });
  ownerId = user.id;
  instance = await startInstance(dbEnv.databaseUrl() ?? "");
  const login = await fetch(`${instance.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "client", password: PASSWORD }) });
  const token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
  admin = createKeysmithClient({ url: instance.url, token });
  serviceKey = (await createKey({ name: "protected service", scopes: ["keys:verify"] })).key;
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await instance.stop();
});

describe("the typed client", () => {
  test("with an access token: create answers the key, list and get show it, revoke answers it revoked", async () => {
    const created = await admin.apiKeys.create.mutate({ name: "by token", scopes: ["keys:read"] });
    expect(created).toEqual({ id: expect.any(Number), key: expect.stringMatching(/^ak_/), name: "by token", description: null });
    const page = await admin.apiKeys.list.query({ search: "by token" });
    expect(page.items.map((item) => item.id)).toEqual([created.id]);
    expect(await admin.apiKeys.get.query({ id: created.id })).toMatchObject({ id: created.id, name: "by token", scopes: ["keys:read"], status: "active" });
    expect(await admin.apiKeys.revoke.mutate({ id: created.id })).toMatchObject({ id: created.id, status: "revoked" });
  });

  test("with an API key holding keys:read and keys:write: create, list, get and revoke answer the same", async () => {
    const { key } = await createKey({ name: "manager", scopes: ["keys:read", "keys:write"] });
    const byKey = createKeysmithClient({ url: instance.url, apiKey: key });
    const created = await byKey.apiKeys.create.mutate({ name: "by key", scopes: ["keys:read"] });
    expect(created).toMatchObject({ name: "by key", key: expect.stringMatching(/^ak_/) });
    expect((await byKey.apiKeys.list.query({ search: "by key" })).items.map((item) => item.id)).toEqual([created.id]);
    expect(await byKey.apiKeys.get.query({ id: created.id })).toMatchObject({ id: created.id, status: "active" });
    expect(await byKey.apiKeys.revoke.mutate({ id: created.id })).toMatchObject({ id: created.id, status: "revoked" });
  });

  test("bad input rejects with KeysmithClientError: code BAD_REQUEST, status 400, fieldErrors naming the field", async () => {
    const error = await rejection(admin.apiKeys.create.mutate({ name: "", rate_limit_per_minute: 0 }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.status).toBe(400);
    expect(error.fieldErrors).toEqual({ name: [expect.stringContaining("Name is required")], rate_limit_per_minute: [expect.stringContaining("at least 1")] });
    expect(error.message).toContain("Name is required");
  });

  test("an unknown credential rejects with KeysmithClientError code UNAUTHORIZED, status 401, no fieldErrors", async () => {
    const stranger = createKeysmithClient({ url: instance.url, apiKey: generateApiKey() });
    const error = await rejection(stranger.apiKeys.list.query());
    expect([error.code, error.status, error.fieldErrors]).toEqual(["UNAUTHORIZED", 401, null]);
  });

  test("a get of an id the caller does not own rejects with code NOT_FOUND, status 404", async () => {
    const error = await rejection(admin.apiKeys.get.query({ id: 2_000_000_000 }));
    expect([error.code, error.status]).toEqual(["NOT_FOUND", 404]);
  });

  test("twelve calls made in one tick go out as two HTTP requests (10 and 2, the endpoint's batch cap) and every call answers", async () => {
    const counting = countingFetch();
    const batched = createKeysmithClient({ url: instance.url, apiKey: serviceKey, fetch: counting.fetch });
    const results = await Promise.all(Array.from({ length: 12 }, () => batched.verifyKey(serviceKey)));
    expect(results.map((result) => result.code)).toEqual(Array.from({ length: 12 }, () => "VALID"));
    expect(counting.counts.requests).toBe(2);
  });
});

describe("verifyKey", () => {
  const verifier = () => createKeysmithClient({ url: instance.url, apiKey: serviceKey });

  test("a key is VALID (with its id, name, owner and scopes) for scopes it has, and INSUFFICIENT_SCOPE for one it lacks", async () => {
    const { id, key } = await createKey({ name: "reader", scopes: ["keys:read", "keys:verify"] });
    const client = verifier();
    expect(await client.verifyKey(key, { scopes: ["keys:read"] })).toEqual({
      valid: true,
      code: "VALID",
      id,
      name: "reader",
      owner_id: ownerId,
      expires_at: null,
      scopes: ["keys:read", "keys:verify"],
      remaining: null,
      retry_after_seconds: null,
    });
    expect(await client.verifyKey(key, { scopes: ["keys:write"] })).toMatchObject({ valid: false, code: "INSUFFICIENT_SCOPE" });
  });

  test("a key is REVOKED once it is revoked", async () => {
    const { id, key } = await createKey({ name: "to revoke" });
    const client = verifier();
    expect((await client.verifyKey(key)).code).toBe("VALID");
    await admin.apiKeys.revoke.mutate({ id });
    expect(await client.verifyKey(key)).toMatchObject({ valid: false, code: "REVOKED" });
  });

  test("cost spends credits: of 5, cost 2 leaves 3; cost 4 is then USAGE_EXCEEDED and leaves 3", async () => {
    const { key } = await createKey({ name: "credits", remaining: 5 });
    const client = verifier();
    expect(await client.verifyKey(key, { cost: 2 })).toMatchObject({ code: "VALID", remaining: 3 });
    expect(await client.verifyKey(key, { cost: 4 })).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", remaining: 3 });
  });

  test("two 8,500-character values verified in one tick beside a real key: each long one is answered MALFORMED and the real one VALID", async () => {
    const { key } = await createKey({ name: "beside long ones" });
    const client = verifier();
    const results = await Promise.all([client.verifyKey("x".repeat(8_500)), client.verifyKey("y".repeat(8_500)), client.verifyKey(key)]);
    expect(results.map((result) => result.code)).toEqual(["MALFORMED", "MALFORMED", "VALID"]);
  });

  test("a client whose own key lacks keys:verify rejects with code FORBIDDEN, status 403", async () => {
    const { key } = await createKey({ name: "reader only", scopes: ["keys:read"] });
    const error = await rejection(createKeysmithClient({ url: instance.url, apiKey: key }).verifyKey(key));
    expect([error.code, error.status]).toEqual(["FORBIDDEN", 403]);
  });
});

interface Adapter {
  name: string;
  /** A server with GET /whoami behind `live` and GET /down behind `down`; each route counts its runs. */
  start(live: ProtectOptions, down: ProtectOptions, runs: { count: number }): Promise<string>;
}

const adapters: Adapter[] = [
  {
    name: "Hono keysmith()",
    start(live, down, runs) {
      const app = new Hono<KeysmithEnv>();
      app.get("/whoami", keysmith(live), (c) => {
        runs.count += 1;
        return c.json(seen(c.get("keysmith")));
      });
      app.get("/down", keysmith(down), (c) => {
        runs.count += 1;
        return c.json(seen(c.get("keysmith")));
      });
      return serveFetch((request) => app.fetch(request));
    },
  },
  {
    name: "Express keysmithExpress()",
    start(live, down, runs) {
      const app = express();
      app.get("/whoami", keysmithExpress(live), (req, res) => {
        runs.count += 1;
        res.json(seen(keysmithKey(req)));
      });
      app.get("/down", keysmithExpress(down), (req, res) => {
        runs.count += 1;
        res.json(seen(req.keysmith));
      });
      return listenExpress(app);
    },
  },
  {
    name: "Next.js withKeysmith()",
    start(live, down, runs) {
      const route = (request: Request, _context: { params: Promise<Record<string, string>> }, key: VerifiedKey) => {
        runs.count += 1;
        return Response.json(seen(key));
      };
      const whoami = withKeysmith(live, route);
      const unreachable = withKeysmith(down, route);
      const context = { params: Promise.resolve({}) };
      return serveFetch((request) => (new URL(request.url).pathname === "/down" ? unreachable : whoami)(request, context));
    },
  },
];

describe.each(adapters)("$name", (adapter) => {
  let url: string;
  const runs = { count: 0 };
  const errors: KeysmithClientError[] = [];
  const keys = { reader: { id: 0, key: "" }, verifyOnly: "", revoked: "", limited: "" };

  beforeAll(async () => {
    const closed = await freePort();
    const live: ProtectOptions = { url: instance.url, apiKey: serviceKey, scopes: ["keys:read"] };
    const down: ProtectOptions = { url: `http://127.0.0.1:${closed}`, apiKey: serviceKey, scopes: ["keys:read"], onError: (error) => errors.push(error) };
    url = await adapter.start(live, down, runs);
    // one batched request
    const [reader, verifyOnly, revoked, limited] = await Promise.all([
      createKey({ name: "reader", scopes: ["keys:read"] }),
      createKey({ name: "verify only", scopes: ["keys:verify"] }),
      createKey({ name: "revoked", scopes: ["keys:read"] }),
      createKey({ name: "limited", scopes: ["keys:read"], rate_limit_per_minute: 1 }),
    ]);
    await admin.apiKeys.revoke.mutate({ id: revoked.id });
    Object.assign(keys, { reader: { id: reader.id, key: reader.key }, verifyOnly: verifyOnly.key, revoked: revoked.key, limited: limited.key });
  });

  test("a valid key with keys:read gets 200 and the route sees the key's id, owner and scopes", async () => {
    const response = await call(`${url}/whoami`, keys.reader.key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: keys.reader.id, owner_id: ownerId, scopes: ["keys:read"], remaining: null });
  });

  test('no Authorization header gets 401 with exactly WWW-Authenticate: Bearer realm="api" (no error attribute), in the failed envelope', async () => {
    const before = runs.count;
    const response = await call(`${url}/whoami`);
    await expectRefusal(response, 401, null);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(runs.count).toBe(before);
  });

  test('an unknown key, a malformed key and a revoked key each get 401 with error="invalid_token", in the failed envelope, without the key', async () => {
    const before = runs.count;
    for (const [presented, said] of [
      [generateApiKey(), "does not exist"],
      ["ak_not-a-real-key", "malformed"],
      [keys.revoked, "revoked"],
    ] as const) {
      const response = await call(`${url}/whoami`, presented);
      expect(await expectRefusal(response, 401, presented)).toContain(said);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/);
    }
    expect(runs.count).toBe(before);
  });

  test('a key without keys:read gets 403 with error="insufficient_scope" and scope="keys:read", in the failed envelope, without the key', async () => {
    const response = await call(`${url}/whoami`, keys.verifyOnly);
    expect(await expectRefusal(response, 403, keys.verifyOnly)).toContain("keys:read");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="keys:read"$/);
  });

  test("a key limited to 1 verification a minute gets 200, then 429 in the failed envelope, without the key, with Retry-After within a second of Keysmith's retry_after_seconds for it", async () => {
    expect((await call(`${url}/whoami`, keys.limited)).status).toBe(200);
    const response = await call(`${url}/whoami`, keys.limited);
    await expectRefusal(response, 429, keys.limited);
    // asked again just after: the same wait, or one second less if a second boundary fell between the two
    const again = await createKeysmithClient({ url: instance.url, apiKey: serviceKey }).verifyKey(keys.limited);
    expect(again.code).toBe("RATE_LIMITED");
    const said = Number(response.headers.get("retry-after"));
    expect([again.retry_after_seconds, (again.retry_after_seconds ?? 0) + 1]).toContain(said);
  });

  test("with Keysmith unreachable (a closed port) a valid key gets 503 with Retry-After: 5, the route does not run, and onError hears NETWORK_ERROR", async () => {
    const before = runs.count;
    const response = await call(`${url}/down`, keys.reader.key);
    await expectRefusal(response, 503, keys.reader.key);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(runs.count).toBe(before);
    expect(errors.map((error) => [error.code, error.status])).toEqual([["NETWORK_ERROR", null]]);
  });
});

describe("the Hono middleware's cache", () => {
  const protect = async (options: Omit<ProtectOptions, "url" | "apiKey" | "client">) => {
    const counting = countingFetch();
    const app = new Hono<KeysmithEnv>();
    app.get("/", keysmith({ url: instance.url, apiKey: serviceKey, fetch: counting.fetch, ...options }), (c) => c.json(seen(c.get("keysmith"))));
    return { url: await serveFetch((request) => app.fetch(request)), counts: counting.counts };
  };

  test("off by default: three requests with the same key make three verify calls to Keysmith", async () => {
    const { key } = await createKey({ name: "uncached" });
    const { url, counts } = await protect({});
    for (let i = 0; i < 3; i += 1) expect((await call(url, key)).status).toBe(200);
    expect(counts.verifies).toBe(3);
  });

  test("with cache { ttlMs: 5000 } a second request with the same key gets 200 without reaching Keysmith", async () => {
    const { key } = await createKey({ name: "cached" });
    const { url, counts } = await protect({ cache: { ttlMs: 5_000 } });
    expect((await call(url, key)).status).toBe(200);
    expect((await call(url, key)).status).toBe(200);
    expect(counts.verifies).toBe(1);
  });

  test('with cache { ttlMs: 600 } a key revoked after it was cached still gets 200 within the TTL, and 401 error="invalid_token" once it has passed', async () => {
    const { id, key } = await createKey({ name: "revoked while cached" });
    const { url, counts } = await protect({ cache: { ttlMs: 600 } });
    expect((await call(url, key)).status).toBe(200);
    const cachedAt = Date.now();
    await admin.apiKeys.revoke.mutate({ id });
    const within = await call(url, key);
    expect(Date.now() - cachedAt).toBeLessThan(600);
    expect(within.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600 - (Date.now() - cachedAt) + 50));
    const after = await call(url, key);
    await expectRefusal(after, 401, key);
    expect(after.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(counts.verifies).toBe(2);
  });

  test("with cache on, a key with credits reaches Keysmith on every request and spends its cost each time", async () => {
    const { key } = await createKey({ name: "credits, not cached", remaining: 10 });
    const { url, counts } = await protect({ cache: { ttlMs: 5_000 }, cost: 3 });
    expect(await (await call(url, key)).json()).toMatchObject({ remaining: 7 });
    expect(await (await call(url, key)).json()).toMatchObject({ remaining: 4 });
    expect(counts.verifies).toBe(2);
  });
});

describe("the Hono middleware when the verify call itself fails", () => {
  const protect = async (options: ProtectOptions) => {
    const app = new Hono<KeysmithEnv>();
    app.get("/", keysmith(options), (c) => c.json(seen(c.get("keysmith"))));
    return serveFetch((request) => app.fetch(request));
  };

  test("a proxy before Keysmith answering 502 (HTML, Retry-After: 7) gets 503 with Retry-After: 7, and onError hears BAD_GATEWAY with status 502", async () => {
    const proxy = createServer((_request, response) => response.writeHead(502, { "content-type": "text/html", "retry-after": "7" }).end("<h1>Bad Gateway</h1>"));
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((done) => proxy.close(() => done())));
    const heard: [string, number | null][] = [];
    const { key } = await createKey({ name: "behind a failing proxy" });
    const url = await protect({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: serviceKey, onError: (error) => heard.push([error.code, error.status]) });
    const response = await call(url, key);
    await expectRefusal(response, 503, key);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(heard).toEqual([["BAD_GATEWAY", 502]]);
  });

  test("a service whose own key lacks keys:verify answers 500 in the failed envelope, and onError hears FORBIDDEN", async () => {
    const { key: reader } = await createKey({ name: "not a verifier", scopes: ["keys:read"] });
    const heard: string[] = [];
    const url = await protect({ url: instance.url, apiKey: reader, onError: (error) => heard.push(error.code) });
    await expectRefusal(await call(url, reader), 500, reader);
    expect(heard).toEqual(["FORBIDDEN"]);
  });
});
