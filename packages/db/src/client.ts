import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "./generated/prisma/client.ts";
import { dbEnv } from "./env.ts";
import { endPool } from "./pool.ts";
import { poolConfig } from "./pool-config.ts";

export function createPrismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(url)) });
}

let shared: PrismaClient | undefined;

/**
 * The process-wide client, created on first use: `next build` evaluates
 * route modules, and a client made at import time would need a database there.
 */
export function getDb(): PrismaClient {
  if (!shared) {
    const url = dbEnv.databaseUrl();
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set. Start Keysmith with `pnpm dev` or `pnpm start`, which provide one, or set it to your PostgreSQL.",
      );
    }
    shared = createPrismaClient(url);
  }
  return shared;
}

const closers = new Set<() => Promise<void>>();

/** Registers something to close with the database (a LISTEN connection, a flush). */
export function onDisconnect(close: () => Promise<void>): () => void {
  closers.add(close);
  return () => closers.delete(close);
}

/**
 * Closes every connection this process opened: the Prisma client, the pool,
 * listeners. A closer that fails (a last write refused by a database that is
 * going away) does not stop the others, nor the client and pool from being
 * closed: its failure is thrown once everything has been, for the caller to
 * report.
 */
export async function disconnectDb(): Promise<void> {
  const pending = [...closers];
  closers.clear();
  const settled = await Promise.allSettled(pending.map((close) => close()));
  const client = shared;
  shared = undefined;
  await Promise.all([client?.$disconnect(), endPool()]);
  const failures = settled.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const messages = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
    throw new AggregateError(failures, `${failures.length} things failed to close with the database: ${messages.join("; ")}`);
  }
}
