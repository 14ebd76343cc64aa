import type pg from "pg";

import { dbEnv } from "./env.ts";

/** How much later than PostgreSQL's statement timeout the client gives up: half of it, at most a second. */
function clientTimeoutMarginMs(statementTimeoutMs: number): number {
  return Math.min(1_000, statementTimeoutMs / 2);
}

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
    // The client-side twin, for a server that answers nothing at all; a little later than PostgreSQL's, so
    // that a live server's cancel comes first. A client that gave up first left the statement running: one
    // waiting for a lock could commit once it was released, after its caller had been answered 503 (seen: a
    // key created and stored by a call that reported failure).
    query_timeout: statementTimeout + clientTimeoutMarginMs(statementTimeout),
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
