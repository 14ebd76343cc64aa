import net from "node:net";

import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";

import { createPrismaClient, isDatabaseUnavailable, Prisma } from "../src/index.ts";
import { poolConfig } from "../src/pool-config.ts";
import { privateServer } from "../src/testing/private-server.ts";

describe("isDatabaseUnavailable", () => {
  const known = (code: string) => new Prisma.PrismaClientKnownRequestError("x", { code, clientVersion: "6.19.3" });
  const adapter = (cause: object) => Object.assign(new Error("driver"), { name: "DriverAdapterError", cause });
  const pgError = (code: string) => Object.assign(new Error("from the server"), { code });

  test.each([
    ["Prisma cannot initialise", new Prisma.PrismaClientInitializationError("no", "6.19.3")],
    ["P1001 can't reach the server", known("P1001")],
    ["P2024 pool timeout", known("P2024")],
    ["P2028 a transaction that could not start in time", known("P2028")],
    ["the adapter's DatabaseNotReachable, inside a P1001's meta", Object.assign(known("P9999"), { meta: { driverAdapterError: adapter({ kind: "DatabaseNotReachable" }) } })],
    ["the adapter's ConnectionClosed", adapter({ kind: "ConnectionClosed" })],
    ["57P03 starting up or shutting down", pgError("57P03")],
    ["57P01 admin shutdown", pgError("57P01")],
    ["57014 statement timeout", pgError("57014")],
    ["08006 connection failure", pgError("08006")],
    ["53300 too many connections", pgError("53300")],
    ["57P03 as the adapter reports it (originalCode)", adapter({ kind: "postgres", originalCode: "57P03" })],
    ["ECONNREFUSED", pgError("ECONNREFUSED")],
    ["ECONNRESET two causes deep", new Error("outer", { cause: new Error("middle", { cause: pgError("ECONNRESET") }) })],
    ["pg's query read timeout", new Error("Query read timeout")],
    ["pg's connection timeout", new Error("Connection terminated due to connection timeout")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
  ])("is true for %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  test.each([
    ["a unique violation", known("P2002")],
    ["a NUL byte refused (22021)", adapter({ kind: "postgres", originalCode: "22021" })],
    ["a plain bug", new Error("kaput")],
    ["a thrown string", "down"],
    ["null", null],
    ["an error that causes itself", (() => { const e = new Error("loop") as Error & { cause?: unknown }; e.cause = e; return e; })()],
  ])("is false for %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("a real server that stalls, shuts down and stops", () => {
  let server: Awaited<ReturnType<typeof privateServer>>;
  beforeAll(async () => {
    server = await privateServer();
  });
  afterAll(async () => {
    await server.remove();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test("stalled (SIGSTOP): pool and Prisma calls fail within the statement timeout, classified unavailable, and work again after SIGCONT", async () => {
    vi.stubEnv("KEYSMITH_DB_STATEMENT_TIMEOUT_MS", "700");
    vi.stubEnv("KEYSMITH_DB_CONNECT_TIMEOUT_MS", "700");
    const pool = new pg.Pool(poolConfig(server.url));
    const prisma = createPrismaClient(server.url);
    try {
      await pool.query("SELECT 1");
      await prisma.$queryRaw`SELECT 1`;
      server.signal("STOP");
      try {
        for (const call of [() => pool.query("SELECT 1"), () => prisma.$queryRaw`SELECT 1`, () => pool.query("SELECT 2")]) {
          const started = performance.now();
          const error: unknown = await call().then(() => undefined, (e: unknown) => e);
          expect(isDatabaseUnavailable(error), String(error)).toBe(true);
          expect(performance.now() - started).toBeLessThan(2_000);
        }
      } finally {
        server.signal("CONT");
      }
      await vi.waitFor(async () => {
        expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      }, { timeout: 5_000, interval: 100 });
    } finally {
      await prisma.$disconnect();
      await pool.end();
    }
  });

  test("a statement blocked on a lock past the statement timeout, on a connection 100 ms late each way, is cancelled by PostgreSQL (57014), not abandoned by the client, and has not run once the lock is released", async () => {
    vi.stubEnv("KEYSMITH_DB_STATEMENT_TIMEOUT_MS", "500");
    // every byte arrives 100 ms late each way, in order, as from a distant database or on a loaded machine:
    // the statement starts, and its cancel comes back, later than the client's own timer counts from
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(new URL(server.url).port || 5432), new URL(server.url).hostname);
      client.on("data", (chunk: Buffer) => setTimeout(() => upstream.write(chunk), 100));
      upstream.on("data", (chunk: Buffer) => setTimeout(() => client.write(chunk), 100));
      upstream.on("close", () => setTimeout(() => client.destroy(), 100));
      client.on("close", () => upstream.destroy());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const viaProxy = new URL(server.url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String((proxy.address() as net.AddressInfo).port);
    const pool = new pg.Pool(poolConfig(viaProxy.toString()));
    const direct = new pg.Pool({ connectionString: server.url });
    const blocker = new pg.Client({ connectionString: server.url });
    await blocker.connect();
    try {
      await direct.query("CREATE TABLE IF NOT EXISTS blocked_writes (n int)");
      await pool.query("SELECT 1");
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE blocked_writes IN SHARE MODE");
      const error = (await pool.query("INSERT INTO blocked_writes VALUES (1)").then(() => undefined, (e: unknown) => e)) as { code?: string } | undefined;
      await blocker.query("ROLLBACK");
      // had the client only given up, the insert would still be waiting for the lock, and would run now
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await direct.query<{ n: number }>("SELECT count(*)::int AS n FROM blocked_writes")).rows).toEqual([{ n: 0 }]);
      expect(error?.code).toBe("57014");
    } finally {
      await blocker.end();
      await direct.query("DROP TABLE IF EXISTS blocked_writes");
      await direct.end();
      await pool.end();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test("shutting down (57P03): a new connection is refused with a code classified unavailable", async () => {
    const held = new pg.Client({ connectionString: server.url });
    await held.connect();
    // a smart shutdown waits for open sessions and refuses new ones meanwhile
    server.signal("TERM");
    try {
      const refused = await vi.waitFor(async () => {
        const client = new pg.Client({ connectionString: server.url });
        const error = await client.connect().then(() => undefined, (e: unknown) => e);
        await client.end().catch(() => undefined);
        expect(error).toMatchObject({ code: "57P03" });
        return error;
      }, { timeout: 5_000, interval: 50 });
      expect(isDatabaseUnavailable(refused)).toBe(true);
    } finally {
      await held.end();
    }
  });

  test("stopped: Prisma's error is classified unavailable", async () => {
    await server.stop();
    const prisma = createPrismaClient(server.url);
    try {
      const error: unknown = await prisma.$queryRaw`SELECT 1`.then(() => undefined, (e: unknown) => e);
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    } finally {
      await prisma.$disconnect();
    }
  });
});
