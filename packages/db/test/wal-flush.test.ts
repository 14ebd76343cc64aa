import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, expect, test } from "vitest";

import { ASYNC_COMMIT_CTE, dbEnv, flushWalOrRetry, getPool, walFlushAvailable } from "../src/index.ts";
import { flushWal } from "../src/wal-flush.ts";

const role = `keysmith_no_flush_${randomBytes(4).toString("hex")}`;
afterAll(async () => {
  await getPool().query(`DROP ROLE IF EXISTS ${role}`);
});

/** The flush statements a pool was sent, counted on their way to the real database. */
function countFlushes(pool: pg.Pool): { sent: number } {
  const counted = { sent: 0 };
  const query = pool.query.bind(pool) as (config: unknown) => Promise<unknown>;
  (pool as unknown as { query: (config: unknown) => Promise<unknown> }).query = (config) => {
    if ((config as { name?: string }).name === "keysmith_flush_wal") counted.sent += 1;
    return query(config);
  };
  return counted;
}

test("walFlushAvailable answers true on the test database (PostgreSQL 17, no synchronous standby) and false for a role that may not call pg_logical_emit_message", async () => {
  expect(await walFlushAvailable(getPool())).toBe(true);

  const pool = getPool();
  await pool.query(`CREATE ROLE ${role} LOGIN PASSWORD 'no flush'`);
  // in this test's own database only (each test file has one)
  await pool.query("REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text, boolean) FROM PUBLIC");
  const url = new URL(dbEnv.databaseUrl() ?? "");
  url.username = role;
  url.password = "no flush";
  const restricted = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    expect(await walFlushAvailable(restricted)).toBe(false);
  } finally {
    await restricted.end();
    await pool.query("GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text, boolean) TO PUBLIC");
  }
});

test("after an asynchronous commit, flushWal resolves with a WAL position past that commit, and the WAL is flushed to it", async () => {
  const pool = getPool();
  await pool.query("CREATE TABLE wal_flush_probe (n int)");
  const client = await pool.connect();
  let committedTo: string | undefined;
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL synchronous_commit = off");
    await client.query("INSERT INTO wal_flush_probe VALUES (1)");
    await client.query("COMMIT");
    committedTo = (await client.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0]?.lsn;
  } finally {
    client.release();
  }
  const flushedTo = await flushWal(pool);
  const { rows } = await pool.query<{ past: boolean; covered: boolean }>(
    "SELECT $2::pg_lsn >= $1::pg_lsn AS past, pg_current_wal_flush_lsn() >= $2::pg_lsn AS covered",
    [committedTo, flushedTo],
  );
  expect(rows[0]).toEqual({ past: true, covered: true });
});

test("twenty flushWal calls made at once send two flush statements: the first, and one shared by the nineteen made while it was under way", async () => {
  const pool = new pg.Pool({ connectionString: dbEnv.databaseUrl() ?? "", max: 4 });
  try {
    const counted = countFlushes(pool);
    await Promise.all(Array.from({ length: 20 }, () => flushWal(pool)));
    expect(counted.sent).toBe(2);
  } finally {
    await pool.end();
  }
});

test("flushWalOrRetry sends the flush again when the first fails, and resolves with the second's WAL position", async () => {
  const pool = new pg.Pool({ connectionString: dbEnv.databaseUrl() ?? "", max: 2 });
  try {
    const query = pool.query.bind(pool) as (config: unknown) => Promise<unknown>;
    let failed = false;
    (pool as unknown as { query: (config: unknown) => Promise<unknown> }).query = (config) => {
      if (!failed) {
        failed = true;
        return Promise.reject(new Error("Connection terminated unexpectedly"));
      }
      return query(config);
    };
    // counted on the way in, the failed one too
    const counted = countFlushes(pool);
    const flushedTo = await flushWalOrRetry(pool);
    expect(counted.sent).toBe(2);
    expect(flushedTo).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  } finally {
    await pool.end();
  }
});

test("ASYNC_COMMIT_CTE, in a statement's WITH list and its final FROM, turns synchronous_commit off for that statement's transaction alone", async () => {
  const client = await getPool().connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ one: number }>(`WITH ${ASYNC_COMMIT_CTE} SELECT 1 AS one FROM commit_mode`);
    expect(rows).toEqual([{ one: 1 }]);
    expect((await client.query<{ mode: string }>("SELECT current_setting('synchronous_commit') AS mode")).rows[0]?.mode).toBe("off");
    await client.query("COMMIT");
    expect((await client.query<{ mode: string }>("SELECT current_setting('synchronous_commit') AS mode")).rows[0]?.mode).toBe("on");
  } finally {
    client.release();
  }
});

test("walFlushAvailable asks once for callers at the same time, and asks again after a failed question, whose callers get its error", async () => {
  let asked = 0;
  let fail = true;
  // only what walFlushAvailable uses of a pool: its probe, failing while the database is "down"
  const pool = {
    query: () => {
      asked += 1;
      return fail ? Promise.reject(new Error("the database is down")) : Promise.resolve({ rows: [{ no_standby: true, allowed: true }] });
    },
  } as unknown as pg.Pool;
  const both = [walFlushAvailable(pool), walFlushAvailable(pool)];
  for (const answer of both) await expect(answer).rejects.toThrow("the database is down");
  expect(asked).toBe(1);

  fail = false;
  expect(await walFlushAvailable(pool)).toBe(true);
  expect(await walFlushAvailable(pool)).toBe(true);
  expect(asked).toBe(2);
});
