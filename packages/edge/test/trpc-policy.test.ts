import { gzipSync } from "node:zlib";

import { generateApiKey, login, signUp } from "@keysmith/auth";
import { getDb, getPool, Prisma, SessionKind } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { createApiHandler, MAX_BATCH_SIZE } from "../src/index.ts";

const api = createApiHandler();
let counter = 0;
let address = 0;

afterEach(() => {
  vi.restoreAllMocks();
});

async function token(): Promise<string> {
  counter += 1;
  const username = `edge${counter}_${Math.random().toString(36).slice(2, 7)}`;
  await signUp({ username, email: `${username}@example.test`, name: "Edge", password: "a long password" });
  return (await login({ username, password: "a long password" }, SessionKind.ACCESS_TOKEN, { clientAddress: "192.0.2.77", now: new Date() })).token;
}

function trpc(path: string, init: { method?: string; body?: RequestInit["body"]; headers?: Record<string, string>; clientAddress?: string } = {}) {
  address += 1;
  const request = new Request(`http://localhost/api/trpc/${path}`, {
    method: init.method ?? "GET",
    ...(init.body !== undefined ? { body: init.body, duplex: "half" } : {}),
    headers: { "content-type": "application/json", ...init.headers },
  });
  return api(request, { clientAddress: init.clientAddress ?? `198.51.100.${address % 250}` });
}

type TrpcError = { error: { message: string; data: { code: string; httpStatus: number; stack?: string; fieldErrors?: unknown } } };

describe("tRPC fails like REST", () => {
  test("an unexpected error is a 500 with a generic message and no stack, logged with the procedure and without what the error carries", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => logged.push(args.map(String).join(" ")));
    const bearer = await token();
    vi.spyOn(getDb().apiKey, "findMany").mockRejectedValue(Object.assign(new Error("Invalid `prisma.apiKey.findMany()` invocation at /srv/app.ts:12"), { meta: { secret: "hunter2" } }));

    const response = await trpc("apiKeys.list", { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(500);
    const body = (await response.json()) as TrpcError;
    expect(body.error.message).toBe("Something went wrong on our side; the error has been logged. Try again later.");
    expect(body.error.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.error.data).not.toHaveProperty("stack");
    expect(JSON.stringify(body)).not.toMatch(/prisma|srv\/app|hunter2/);
    expect(logged.join("\n")).toMatch(/keysmith trpc: GET apiKeys\.list failed: .*Invalid `prisma\.apiKey\.findMany\(\)`/);
    expect(logged.join("\n")).not.toContain("hunter2");
  });

  test("a database that cannot be reached in a procedure is 503 SERVICE_UNAVAILABLE with Retry-After, not logged as a bug", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const bearer = await token();
    vi.spyOn(getDb().apiKey, "findMany").mockRejectedValue(new Prisma.PrismaClientKnownRequestError("Can't reach database server at 127.0.0.1:5432", { code: "P1001", clientVersion: "6.19.3" }));
    const response = await trpc("apiKeys.list", { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as TrpcError;
    expect(body.error).toMatchObject({ message: "The database is unavailable right now; try again in a few seconds.", data: { code: "SERVICE_UNAVAILABLE" } });
    expect(JSON.stringify(body)).not.toMatch(/Can't reach|127\.0\.0\.1/);
    expect(logged).not.toHaveBeenCalled();
  });

  test("a database that cannot be reached while resolving the caller (before any procedure) is 503 too", async () => {
    const bearer = await token();
    // the session lookup (a fresh token: not cached yet) is the first query; the pool cannot connect
    vi.spyOn(getPool(), "query").mockRejectedValue(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
    const response = await trpc("auth.me", { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as TrpcError).error.data.code).toBe("SERVICE_UNAVAILABLE");
  });

  test("429 carries Retry-After", async () => {
    const clientAddress = "203.0.113.99";
    for (let i = 0; i < 30; i += 1) await trpc("auth.me", { headers: { authorization: "Bearer aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb" }, clientAddress });
    const response = await trpc("apiKeys.list", { headers: { authorization: "Bearer aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb" }, clientAddress });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("the create response, which carries a new key, says Cache-Control: no-store", async () => {
    const bearer = await token();
    const response = await trpc("apiKeys.create", { method: "POST", body: JSON.stringify({ name: "fresh" }), headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(JSON.stringify(await response.json())).toMatch(/"key":"ak_/);
  });
});

describe("tRPC reads bounded requests", () => {
  const big = JSON.stringify({ username: "someone", password: "x".repeat(20 * 1024) });

  test("a body over 16 KiB with Content-Length is 413 PAYLOAD_TOO_LARGE, read to its end so the connection stays open", async () => {
    const response = await trpc("auth.login", { method: "POST", body: big, headers: { "content-length": String(Buffer.byteLength(big)) } });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBeNull();
    expect(((await response.json()) as TrpcError).error.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413 });
  });

  /** A streamed body of `chunks` chunks of 4 KiB (endless when undefined), counting what was read of it. */
  function streamed(chunks?: number) {
    const read = { chunks: 0 };
    const chunk = new Uint8Array(4096).fill(32);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        read.chunks += 1;
        if (chunks !== undefined && read.chunks > chunks) controller.close();
        else controller.enqueue(chunk);
      },
    });
    return { body, read };
  }

  test("a streamed body over 16 KiB that ends within 8 MiB is 413, read to its end, the connection left open", async () => {
    const { body, read } = streamed(1_000);
    const response = await trpc("auth.login", { method: "POST", body });
    expect(response.status).toBe(413);
    expect(read.chunks).toBe(1_001);
    expect(response.headers.get("connection")).toBeNull();
  });

  test("an endless streamed body is 413 once 8 MiB have been read, with Connection: close", async () => {
    const { body, read } = streamed();
    const response = await trpc("auth.login", { method: "POST", body });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(read.chunks * 4096).toBeGreaterThan(8 * 1024 * 1024);
    expect(read.chunks * 4096).toBeLessThan(8 * 1024 * 1024 + 64 * 1024);
  });

  test(`a batch of more than ${MAX_BATCH_SIZE} calls is refused with 400 and runs none`, async () => {
    const bearer = await token();
    const calls = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => "apiKeys.create").join(",");
    const input = Object.fromEntries(Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => [i, { name: `batched ${i}` }]));
    const response = await trpc(`${calls}?batch=1`, { method: "POST", body: JSON.stringify(input), headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(400);
    const list = await trpc("apiKeys.list", { headers: { authorization: `Bearer ${bearer}` } });
    expect(((await list.json()) as { result: { data: { items: unknown[] } } }).result.data.items).toEqual([]);
  });

  test(`a batch of ${MAX_BATCH_SIZE} calls runs`, async () => {
    const bearer = await token();
    const calls = Array.from({ length: MAX_BATCH_SIZE }, () => "auth.me").join(",");
    const response = await trpc(`${calls}?batch=1&input=${encodeURIComponent("{}")}`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[])).toHaveLength(MAX_BATCH_SIZE);
  });
});

describe("tRPC errors read like REST's", () => {
  test.each([
    ["a path that is not a procedure", "nope.nothing", {}],
    ["a mixed batch", "apiKeys.create,apiKeys.list?batch=1", { method: "POST", body: "{}" }],
    ["a form body", "apiKeys.create", { method: "POST", body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }],
  ])("%s is answered as JSON, labelled application/json", async (_, path, init) => {
    const response = await trpc(path, init);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.stringify(await response.json())).toMatch(/"error"/);
  });

  test("bad input's message is the sentence REST sends for it, and fieldErrors names the field", async () => {
    const bearer = await token();
    const response = await trpc("apiKeys.create", { method: "POST", body: JSON.stringify({ name: "" }), headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcError;
    expect(body.error.message).toBe("Name is required: give the key a name you will recognise.");
    expect(body.error.data.fieldErrors).toEqual({ name: ["Name is required: give the key a name you will recognise."] });
  });
});

test("malformed JSON is said to be malformed, without quoting what was sent (it may hold a password)", async () => {
  const response = await trpc("auth.login", { method: "POST", body: '{"username": "someone", "password": hunter2}' });
  expect(response.status).toBe(400);
  const body = (await response.json()) as TrpcError;
  expect(body.error.message).toBe("The JSON input is malformed: check quotes, commas and brackets.");
  expect(JSON.stringify(body)).not.toContain("hunter2");
});

describe("tRPC charges a key only for calls it may make", () => {
  test("a Bearer key calling a procedure whose scope it lacks is 403 FORBIDDEN and spends none of its credits; a call it may make spends one", async () => {
    const bearer = await token();
    const created = (await (await trpc("apiKeys.create", { method: "POST", body: JSON.stringify({ name: "reader", scopes: ["keys:read"], remaining: 2 }), headers: { authorization: `Bearer ${bearer}` } })).json()) as {
      result: { data: { id: number; key: string } };
    };
    const { id, key } = created.result.data;
    const remaining = async () => (await getDb().apiKey.findUniqueOrThrow({ where: { id } })).remaining;

    for (let i = 0; i < 3; i += 1) {
      const refused = await trpc("apiKeys.create", { method: "POST", body: JSON.stringify({ name: "stronger" }), headers: { authorization: `Bearer ${key}` } });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as TrpcError).error.message).toBe('This API key lacks the "keys:write" scope; use a key that has it, or your access token.');
    }
    expect(await remaining()).toBe(2);
    expect((await trpc("apiKeys.list", { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(await remaining()).toBe(1);
  });
});

test("tRPC's 404 for a path that names no procedure quotes a key in it cut to 7 characters", async () => {
  const key = generateApiKey();
  const response = await trpc(key);
  expect(response.status).toBe(404);
  const body = (await response.json()) as TrpcError;
  expect(body.error.message).not.toContain(key.slice(0, 20));
  expect(body.error.message).toContain(`${key.slice(0, 7)}…`);
});

test("a gzip-encoded tRPC body is 415 UNSUPPORTED_MEDIA_TYPE saying to send it uncompressed, as REST says", async () => {
  const bearer = await token();
  const response = await trpc("apiKeys.create", {
    method: "POST",
    body: new Uint8Array(gzipSync(JSON.stringify({ name: "zipped" }))),
    headers: { authorization: `Bearer ${bearer}`, "content-encoding": "gzip" },
  });
  expect(response.status).toBe(415);
  const body = (await response.json()) as TrpcError;
  expect(body.error).toMatchObject({ message: 'A body with Content-Encoding "gzip" is not accepted: send it uncompressed.', data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 } });
});
