import pg from "pg";

import { dbEnv } from "./env.ts";
import { poolConfig } from "./pool-config.ts";

let pool: pg.Pool | undefined;

/**
 * A plain node-postgres pool for the hot path (key verification): Prisma's
 * per-query overhead was measured at ~6× a raw indexed lookup here. Created
 * on first use, like the Prisma client.
 */
export function getPool(): pg.Pool {
  if (!pool) {
    const url = dbEnv.databaseUrl();
    if (!url) throw new Error("DATABASE_URL is not set.");
    pool = new pg.Pool({ ...poolConfig(url), max: 10, allowExitOnIdle: true });
    // an idle client that dies (server restart) must not crash the process
    pool.on("error", () => undefined);
  }
  return pool;
}

/**
 * For operators (/metrics): the pool's connections in all, idle, and the
 * queries waiting for one; undefined while no pool exists, since a scrape
 * must not open connections.
 */
export function poolCounts(): { total: number; idle: number; waiting: number } | undefined {
  return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export async function endPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.end();
}
