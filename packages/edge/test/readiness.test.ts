import { generateApiKey, keyEventsStatus, verifyApiKey } from "@keysmith/auth";
import { dbEnv, disconnectDb, listenReconnects } from "@keysmith/db";
import { withDatabase } from "@keysmith/db/connection-config";
import { applyMigrations } from "@keysmith/db/lifecycle";
import { privateServer } from "@keysmith/db/testing/private-server";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";

import { createApiHandler } from "../src/index.ts";

/**
 * /readyz of this process, on a PostgreSQL of this file's own, whose key-change
 * connection is cut and kept from coming back, and which is then stalled.
 * The app's database is not the one the test administers from: PostgreSQL
 * will not refuse new connections to the database of the session asking.
 */
let database: Awaited<ReturnType<typeof privateServer>>;
let admin: pg.Client;
const sharedUrl = dbEnv.databaseUrl() ?? "";
const api = createApiHandler();

beforeAll(async () => {
  database = await privateServer();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query("CREATE DATABASE readiness");
  const url = withDatabase(database.url, "readiness");
  await applyMigrations(url);
  // before anything opened a connection: every client of this process uses the private server
  dbEnv.useDatabaseUrl(url);
}, 120_000);

afterAll(async () => {
  await disconnectDb();
  await admin.end();
  await database.remove();
  dbEnv.useDatabaseUrl(sharedUrl);
});

interface Readiness {
  status: number;
  retryAfter: string | null;
  body: { status: string; database: string; keyEvents: string; reasons: string[] };
}

async function readyz(): Promise<Readiness> {
  const response = await api(new Request("http://localhost/readyz"), { clientAddress: "127.0.0.1" });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Readiness["body"] };
}

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const LISTENER = `keysmith-listen-keysmith_api_keys-${process.pid}`;

test("before any key is verified (key events idle), /readyz is 200 ready with no reasons", async () => {
  expect(keyEventsStatus().state).toBe("idle");
  expect(await readyz()).toEqual({ status: 200, retryAfter: null, body: { status: "ready", database: "reachable", keyEvents: "idle", reasons: [] } });
});

test("while the key-change listener's first connection cannot open, key events are connecting and /readyz stays 200 ready; listening once it opens, with no reconnect counted", async () => {
  // the pool's connection (which verification and /readyz use) opens now; the listener's cannot, below
  expect((await readyz()).status).toBe(200);
  const reconnectsBefore = listenReconnects();
  try {
    await admin.query("ALTER DATABASE readiness ALLOW_CONNECTIONS false");
    expect((await verifyApiKey(generateApiKey())).result.code).toBe("NOT_FOUND");
    expect(keyEventsStatus().state).toBe("connecting");
    expect(await readyz()).toEqual({ status: 200, retryAfter: null, body: { status: "ready", database: "reachable", keyEvents: "connecting", reasons: [] } });
  } finally {
    await admin.query("ALTER DATABASE readiness ALLOW_CONNECTIONS true");
  }
  await until(() => keyEventsStatus().state, (state) => state === "listening", 10_000);
  expect(listenReconnects()).toBe(reconnectsBefore);
});

test("while the key-change connection is cut and cannot come back, /readyz is 503 with Retry-After and one reason, the untrusted key cache, though the database answers; ready again once it reconnects, counted as one reconnect", async () => {
  expect((await verifyApiKey(generateApiKey())).result.code).toBe("NOT_FOUND");
  await until(() => keyEventsStatus().state, (state) => state === "listening", 5_000);
  expect((await readyz()).status).toBe(200);
  const reconnectsBefore = listenReconnects();

  try {
    // connections already open (the pool's, which /readyz probes with) go on; no new one may open
    await admin.query("ALTER DATABASE readiness ALLOW_CONNECTIONS false");
    const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [LISTENER]);
    expect(rowCount).toBe(1);
    const refused = await until(readyz, (answer) => answer.status !== 200, 2_000);
    expect(refused).toEqual({
      status: 503,
      retryAfter: "5",
      body: {
        status: "unavailable",
        database: "reachable",
        keyEvents: "reconnecting",
        reasons: ["This instance is not hearing key changes (its notification connection is reconnecting), so it cannot trust its key cache."],
      },
    });
  } finally {
    await admin.query("ALTER DATABASE readiness ALLOW_CONNECTIONS true");
  }
  const ready = await until(readyz, (answer) => answer.status === 200, 10_000);
  expect(ready.body).toEqual({ status: "ready", database: "reachable", keyEvents: "listening", reasons: [] });
  expect(listenReconnects()).toBe(reconnectsBefore + 1);
});

test("while PostgreSQL is stalled (SIGSTOP), /readyz is 503 within about a second, naming the database among its reasons; ready again after SIGCONT", async () => {
  expect((await readyz()).status).toBe(200);
  database.signal("STOP");
  let refused: Readiness;
  const started = performance.now();
  try {
    refused = await readyz();
  } finally {
    database.signal("CONT");
  }
  expect(performance.now() - started).toBeLessThan(2_500);
  expect(refused.status).toBe(503);
  expect(refused.retryAfter).toBe("5");
  expect(refused.body).toMatchObject({ status: "unavailable", database: "unreachable" });
  expect(refused.body.reasons).toContain("The database does not answer within a second; this instance can serve nothing that needs it.");
  await until(readyz, (answer) => answer.status === 200, 10_000);
});
