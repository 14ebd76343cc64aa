import type pg from "pg";

import { dbEnv } from "./env.ts";

/**
 * The settings of every connection Keysmith opens (the raw pool, Prisma's
 * adapter, the LISTEN connection): bounded connect and statement times, so a
 * stalled or unreachable database fails a call within seconds instead of
 * holding it, and TCP keepalive, so a silently dead peer is eventually noticed
 * by the kernel too.
 */
export function poolConfig(url: string): pg.PoolConfig {
  const statementTimeout = dbEnv.statementTimeoutMs();
  return {
    connectionString: url,
    connectionTimeoutMillis: dbEnv.connectTimeoutMs(),
    statement_timeout: statementTimeout,
    // the client-side twin: fires even when the server answers nothing at all
    query_timeout: statementTimeout,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * An interactive transaction's limits, from the same settings: waiting for a
 * connection as long as opening one may take, and the whole as long as one
 * statement may (Prisma's own defaults, 2 s and 5 s, know nothing of them).
 */
export function transactionTimeouts(): { maxWait: number; timeout: number } {
  return { maxWait: dbEnv.connectTimeoutMs(), timeout: dbEnv.statementTimeoutMs() };
}
