import { getDb, getPool } from "@keysmith/db";
import { expect, vi } from "vitest";

import { apiKeyDisplayPrefix, generateApiKey, hashApiKey, keyEventsStatus, resolvePrincipal, signUp, verifyApiKey } from "../src/index.ts";

let counter = 0;

/** A fresh account per call; unique names keep the module-wide throttles apart. */
export async function newAccount(password = "correct horse battery staple") {
  counter += 1;
  const username = `user${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const user = await signUp({ username, email: `${username}@example.test`, name: `User ${counter}`, password });
  return { user, username, password };
}

export function bearer(value: string): Headers {
  return new Headers({ authorization: `Bearer ${value}` });
}

export const HOUR = 60 * 60 * 1000;

/** The Bearer/cookie resolver as a server that can set cookies calls it, from one test address. */
export function resolve(headers: Headers, now: Date, clientAddress = "192.0.2.10") {
  return resolvePrincipal(headers, { now, clientAddress, renewSessions: true });
}

/**
 * Waits until this process's key-events listener is connected, so the key
 * cache is in use (it is bypassed while the listener is down). Connects it by
 * verifying a key, as the first request of a server would.
 */
export async function listenerConnected(): Promise<void> {
  const deadline = Date.now() + 10_000;
  await verifyApiKey(generateApiKey());
  while (keyEventsStatus().state !== "listening") {
    if (Date.now() > deadline) throw new Error("the key-events listener never connected");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stores a key for `userId` directly, as the domain layer would, and returns its value and row. */
export async function storeKey(
  userId: number,
  extra: { revokedAt?: Date; expiresAt?: Date; scopes?: string[]; rateLimitPerMinute?: number; remaining?: number; refillAmount?: number; refillInterval?: string; refilledAt?: Date } = {},
  key = generateApiKey(),
) {
  const row = await getDb().apiKey.create({
    data: { userId, name: "k", keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key), scopes: ["keys:read", "keys:write", "keys:verify"], ...extra },
  });
  return { key, row };
}

/**
 * A change made elsewhere (another instance, an operator's SQL): the row
 * alone. The database's triggers NOTIFY every instance at commit.
 */
export async function changeElsewhere(sql: string, id: number): Promise<void> {
  await getPool().query(sql, [id]);
}

/**
 * `sql` on `id` with triggers off (session_replication_role = replica), so
 * no instance hears of it: a notification missed, or the window before one
 * arrives. For an UPDATE or DELETE: a new key's notification is ENABLE
 * ALWAYS, and an INSERT into api_keys is heard all the same.
 */
export async function changeUnheard(sql: string, id: number | string): Promise<void> {
  const client = await getPool().connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL session_replication_role = replica");
    await client.query(sql, [id]);
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}

/**
 * Verifies `key` until an answer comes from the cache (no query), proving it
 * is warm. The first lookups may not be cached: the key's own insert
 * notification can still be on its way.
 */
export async function warm(key: string): Promise<void> {
  await listenerConnected();
  await vi.waitFor(async () => {
    await verifyApiKey(key);
    const query = vi.spyOn(getPool(), "query");
    try {
      expect((await verifyApiKey(key)).result.code).toBe("VALID");
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  }, { timeout: 2000, interval: 10 });
}

/**
 * Makes the next statement named `name` read the database at once but answer
 * only when `release` is called (later ones answer at once): the window in
 * which a notification can overtake a read in flight. `hasRead` resolves once
 * it has read.
 */
export function holdNextQuery(name: string) {
  const pool = getPool();
  const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let read!: () => void;
  const hasRead = new Promise<void>((resolve) => (read = resolve));
  let holding = true;
  // pool.query's overloads include callback forms returning void; the code under test calls only the promise form
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  vi.spyOn(pool, "query").mockImplementation(async (...args: unknown[]) => {
    const result = await original(...args);
    if (holding && (args[0] as { name?: string } | undefined)?.name === name) {
      holding = false;
      read();
      await gate;
    }
    return result;
  });
  return { hasRead, release };
}
