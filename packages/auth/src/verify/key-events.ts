import { getDb, onDisconnect, type Prisma, subscribe, type Subscription } from "@keysmith/db";

import { KeyCache } from "./key-cache.ts";

/** The channel on which every instance hears that a key changed (payload: its hash, base64url). */
export const KEY_EVENTS_CHANNEL = "keysmith_api_keys";

export const keyCache = new KeyCache();

let subscription: Subscription | undefined;

/**
 * Starts listening for key changes (once per process, on first use). While
 * the listener is disconnected the cache is not used at all: verification
 * goes to the database, correct but slower, until it reconnects.
 */
export function cacheIsTrustworthy(): boolean {
  if (!subscription) {
    const current = subscribe(KEY_EVENTS_CHANNEL, {
      onMessage: (hash) => keyCache.delete(hash),
      // a gap means notifications may have been missed
      onGap: () => keyCache.clear(),
    });
    subscription = current;
    onDisconnect(async () => {
      subscription = undefined;
      keyCache.clear();
      await current.stop();
    });
  }
  return subscription.connected;
}

/**
 * For health checks: is this instance hearing about key changes? "idle"
 * before the first verification, "reconnecting" while the cache is bypassed.
 */
export function keyEventsStatus(): { state: "listening" | "reconnecting" | "idle"; heartbeatAgeMs: number | null } {
  if (!subscription) return { state: "idle", heartbeatAgeMs: null };
  return { state: subscription.connected ? "listening" : "reconnecting", heartbeatAgeMs: subscription.heartbeatAgeMs };
}

export function hashKeyOf(hash: Uint8Array): string {
  return Buffer.from(hash).toString("base64url");
}

/**
 * The statement that tells every instance a key changed. Put it in the same
 * transaction as the change: PostgreSQL delivers it at commit, never before.
 */
export function notifyKeyChanged(hash: Uint8Array, client: Pick<Prisma.TransactionClient, "$executeRaw"> = getDb()): Prisma.PrismaPromise<number> {
  return client.$executeRaw`SELECT pg_notify(${KEY_EVENTS_CHANNEL}, ${hashKeyOf(hash)})`;
}

/** This instance forgets a key at once, without waiting for its own notification. */
export function forgetKeyLocally(hash: Uint8Array): void {
  keyCache.delete(hashKeyOf(hash));
}
