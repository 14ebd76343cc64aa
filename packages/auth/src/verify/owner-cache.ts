import { getPool } from "@keysmith/db";

import { authEnv } from "../env.ts";
import { InvalidatedCache } from "../invalidated-cache.ts";
import { type SessionUser } from "../sessions.ts";

/**
 * Key owners by user id, so that a cold verification reads only its key's
 * row: an owner has many keys, and joining their row to every key lookup
 * made a cold verification a fifth slower (docs/performance.md, "Ninth
 * look"). Kept exact like the key cache: every change of an owner NOTIFYs
 * "u:" and their id (the session_change_triggers migration), which drops the
 * owner here and every cached key of theirs (key-events.ts); a lookup in
 * flight across it caches nothing.
 */
// sized like the key cache: there are never more owners to cache than keys
export const ownerCache = new InvalidatedCache<SessionUser>((_owner): _owner is SessionUser => true, {
  maxKnown: authEnv.keyCacheSize(),
  maxUnknown: 0,
  ttlMs: 30_000,
});

const OWNER = {
  name: "keysmith_key_owner",
  text: `SELECT id, username, email, name, is_staff AS "isStaff", is_active AS "isActive" FROM users WHERE id = $1`,
};

async function readOwner(userId: number): Promise<SessionUser | undefined> {
  const { rows } = await getPool().query<SessionUser>({ ...OWNER, values: [userId] });
  return rows[0];
}

/** When each cached owner was read (the `now` of the lookup that read them), by the object the cache holds. */
const readAt = new WeakMap<SessionUser, number>();

/**
 * When `owner` was read into the owner cache, if it was: a key cached with
 * them is as old as that (KeyCache dates its entry so), or a missed
 * notification could keep an owner's old state for the key cache's TTL on
 * top of the owner cache's.
 */
export function ownerReadAt(owner: SessionUser): number | undefined {
  return readAt.get(owner);
}

async function readOwnerAt(userId: number, now: number): Promise<SessionUser | undefined> {
  const owner = await readOwner(userId);
  if (owner) readAt.set(owner, now);
  return owner;
}

/**
 * The owner of a key just read, from the cache or the database (undefined:
 * deleted since, and their keys with them). `useCache` false while the
 * key-events listener is down: nothing cached is trusted then. An owner
 * cached `maxAgeMs` ago or earlier is read again (see lookup in
 * verify-key.ts).
 */
export function keyOwner(userId: number, now: number, useCache: boolean, maxAgeMs: number): SessionUser | Promise<SessionUser | undefined> {
  if (!useCache) return readOwner(userId);
  const name = String(userId);
  const cached = ownerCache.known.hasFresh(name, now, maxAgeMs) ? ownerCache.get(name, now) : undefined;
  // shared: the keys of one owner, renewed or first verified together, read them once
  return cached ?? ownerCache.readThroughShared(name, now, () => readOwnerAt(userId, now));
}
