import { signUp } from "@keysmith/auth";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { applyMigrations } from "@keysmith/db/lifecycle";
import { privateServer } from "@keysmith/db/testing/private-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

/**
 * One apps/server on a PostgreSQL of this file's own, which is stalled and
 * then stopped. The server is started as the README says (NODE_ENV unset),
 * with a statement timeout of 1 s.
 */
let database: Awaited<ReturnType<typeof privateServer>>;
let app: Instance;
let token: string;
let keyId: number;
const sharedUrl = dbEnv.databaseUrl() ?? "";

beforeAll(async () => {
  database = await privateServer();
  await applyMigrations(database.url);
  app = await startInstance(database.url, { NODE_ENV: undefined, KEYSMITH_DB_STATEMENT_TIMEOUT_MS: "1000", KEYSMITH_DB_CONNECT_TIMEOUT_MS: "1000" });
  // the account is made in the private database through this process's client
  dbEnv.useDatabaseUrl(database.url);
  await signUp({ username: "faulty", email: "faulty@example.test", name: "Faulty", password: "a long password" });
  await disconnectDb();
  dbEnv.useDatabaseUrl(sharedUrl);
  const login = await fetch(`${app.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "faulty", password: "a long password" }) });
  token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
  const created = await fetch(`${app.url}/api/v1/api-keys`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: '{"name": "to roll"}' });
  keyId = ((await created.json()) as { data: { id: number } }).data.id;
}, 120_000);

afterAll(async () => {
  await app.stop();
  await database.remove();
});

async function timed(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown>, ms: performance.now() - started };
}

const bearer = () => ({ authorization: `Bearer ${token}` });

describe("a stalled database (SIGSTOP)", () => {
  test("REST and tRPC reads and a roll (a transaction) answer 503 within about the statement timeout, /readyz is 503 with Retry-After, /healthz says unreachable; all recover after SIGCONT", async () => {
    // ready first: the token's first use started the change listener, which is not ready until it has connected
    await expect.poll(async () => (await timed(`${app.url}/readyz`)).status, { timeout: 10_000, interval: 50 }).toBe(200);
    database.signal("STOP");
    try {
      const rest = await timed(`${app.url}/api/v1/api-keys`, { headers: bearer() });
      expect(rest.status).toBe(503);
      expect(rest.body).toEqual({ data: null, message: "The database is unavailable right now; try again in a few seconds.", status: "failed" });
      expect(rest.headers.get("retry-after")).toBe("5");
      expect(rest.ms).toBeLessThan(3_500);

      const trpc = await timed(`${app.url}/api/trpc/apiKeys.list`, { headers: bearer() });
      expect(trpc.status).toBe(503);
      expect(trpc.body).toMatchObject({ error: { data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } } });
      expect(trpc.ms).toBeLessThan(3_500);

      const roll = await timed(`${app.url}/api/v1/api-keys/${keyId}/roll`, { method: "POST", headers: bearer(), body: '{"grace_seconds": 0}' });
      expect(roll.status).toBe(503);
      expect(roll.ms).toBeLessThan(3_500);

      const ready = await timed(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toBe("5");
      expect((await timed(`${app.url}/healthz`)).body).toMatchObject({ status: "degraded", database: "unreachable" });
    } finally {
      database.signal("CONT");
    }
    await expect.poll(async () => (await timed(`${app.url}/readyz`)).status, { timeout: 10_000, interval: 200 }).toBe(200);
    expect((await timed(`${app.url}/api/v1/api-keys`, { headers: bearer() })).status).toBe(200);
  });
});

describe("a stopped database", () => {
  test("REST and tRPC answer 503 in their own shapes, with no database address, Prisma text or stack trace", async () => {
    await database.stop();
    const login = await timed(`${app.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "faulty", password: "a long password" }) });
    const rest = await timed(`${app.url}/api/v1/api-keys`, { headers: bearer() });
    const trpcQuery = await timed(`${app.url}/api/trpc/apiKeys.list`, { headers: bearer() });
    const trpcLogin = await timed(`${app.url}/api/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "faulty", password: "a long password" }),
    });
    for (const response of [login, rest]) {
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ data: null, status: "failed" });
    }
    for (const response of [trpcQuery, trpcLogin]) {
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: { message: "The database is unavailable right now; try again in a few seconds.", data: { code: "SERVICE_UNAVAILABLE" } } });
    }
    for (const response of [login, rest, trpcQuery, trpcLogin]) {
      expect(response.text).not.toMatch(/Can't reach|127\.0\.0\.1|prisma|"stack"|\.ts:\d+/i);
    }
  });
});
