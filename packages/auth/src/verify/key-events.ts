import { onDisconnect, subscribe, type Subscription } from "@keysmith/db";

import { abandonSessionLookups, forgetSessions } from "../session-cache.ts";
import { authEnv } from "../env.ts";
import { KeyCache } from "./key-cache.ts";
import { ownerCache } from "./owner-cache.ts";
import { shortSha256Base64url } from "./short-sha256.ts";

/**
 * The channel on which every instance hears that a key changed (payload: its
 * hash, base64url), that several keys were inserted by one statement ("k:"
 * and up to 180 hashes joined by commas), a session ended ("s:" and its id)
 * or a user changed ("u:" and the user's id). Database triggers send it
 * (see the key_change_triggers, session_change_triggers and
 * inserted_keys_notified_in_batches migrations), in the changing
 * transaction, so it arrives at commit.
 */
export const KEY_EVENTS_CHANNEL = "keysmith_api_keys";
const EVERY_KEY = "*";

// sized once, at first import: a wrong value fails start-up through authEnv.check() before any request
export const keyCache = new KeyCache({ maxKnown: authEnv.keyCacheSize(), maxUnknown: authEnv.keyCacheSize() });

let subscription: Subscription | undefined;
let subscribedAt = 0;

/** How long a first connection may take and still be "connecting" (ready); past it, one that never came up is "reconnecting". */
const FIRST_CONNECT_GRACE_MS = 10_000;

function forgetAll(): void {
  changedOwners.clear();
  keyCache.clear();
  ownerCache.clear();
  forgetSessions("all");
}

/** Owners whose cached keys and sessions are still to be dropped, in one pass over each cache (forgetOwners). */
const changedOwners = new Set<number>();

/**
 * An owner changed (or was deleted): their cached row at once, and every key
 * and session cached with it. The change also NOTIFYs each of their keys'
 * hashes, first, but a key looked up after that notification could still
 * have taken the owner from the cache before this one arrived.
 */
function forgetOwner(userId: number): void {
  ownerCache.delete(String(userId));
  // at once, not with the batch: until then a request could join a read from before the change (readThroughShared)
  keyCache.abandonLookups();
  abandonSessionLookups();
  if (changedOwners.size === 0) setImmediate(forgetOwners);
  changedOwners.add(userId);
}

/**
 * The caches' passes for every owner changed since the last: each is a walk
 * over a whole cache, and one statement changing many users sends a
 * notification each, which pg hands over thousands to a read; a walk per
 * owner would hold the event loop (and every other invalidation) for as long
 * as the product of the two. deleteWhere also keeps lookups in flight from
 * caching what they read.
 */
function forgetOwners(): void {
  if (changedOwners.size === 0) return;
  const owners = new Set(changedOwners);
  changedOwners.clear();
  keyCache.deleteWhere((record) => owners.has(record.owner.id));
  forgetSessions({ userIds: owners });
}

function forget(payload: string): void {
  // "*": a TRUNCATE, which cannot name the rows it removed
  if (payload === EVERY_KEY) forgetAll();
  else if (payload.startsWith("s:")) forgetSessions({ sessionId: payload.slice(2) });
  else if (payload.startsWith("u:")) forgetOwner(Number(payload.slice(2)));
  else if (payload.startsWith("k:")) for (const hash of payload.slice(2).split(",")) keyCache.delete(hash);
  else keyCache.delete(payload);
}

/**
 * Starts listening for key changes (once per process, on first use). While
 * the listener is disconnected the cache is not used at all: verification
 * goes to the database, correct but slower, until it reconnects.
 */
export function cacheIsTrustworthy(): boolean {
  if (!subscription) {
    const current = subscribe(KEY_EVENTS_CHANNEL, {
      onMessage: forget,
      // a gap means notifications may have been missed
      onGap: forgetAll,
    });
    subscription = current;
    subscribedAt = Date.now();
    onDisconnect(async () => {
      subscription = undefined;
      forgetAll();
      await current.stop();
    });
  }
  return subscription.connected;
}

/**
 * For health checks: is this instance hearing about key changes? "idle"
 * before the first verification, "connecting" while the listener's first
 * connection comes up (for at most FIRST_CONNECT_GRACE_MS), "reconnecting"
 * while a lost one is replaced or a first one is overdue. The cache is
 * bypassed in both of the last two.
 */
export function keyEventsStatus(): { state: "listening" | "connecting" | "reconnecting" | "idle"; heartbeatAgeMs: number | null } {
  if (!subscription) return { state: "idle", heartbeatAgeMs: null };
  const heartbeatAgeMs = subscription.heartbeatAgeMs;
  // no heartbeat was ever heard: the first connection is not up yet
  const first = heartbeatAgeMs === null && Date.now() - subscribedAt < FIRST_CONNECT_GRACE_MS;
  const state = subscription.connected ? "listening" : first ? "connecting" : "reconnecting";
  return { state, heartbeatAgeMs };
}

/** The cache's name for a key's SHA-256: unpadded base64url, as the notifications carry hashes. */
export function hashKeyOf(hash: Uint8Array): string {
  // a view of the same bytes, not a copy
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("base64url");
}

/**
 * hashKeyOf(hashApiKey(key)) without a buffer: the digest comes out as the
 * string (a warm verification needs only this; the bytes only for a database
 * lookup), computed in JavaScript for a key's length (see short-sha256.ts).
 */
export function cacheKeyOfKey(key: string): string {
  return shortSha256Base64url(key);
}

/** This instance forgets a key at once, without waiting for its own notification. */
export function forgetKeyLocally(hash: Uint8Array): void {
  keyCache.delete(hashKeyOf(hash));
}
