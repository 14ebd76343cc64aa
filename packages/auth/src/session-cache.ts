import { getPool, onDisconnect, type Session } from "@keysmith/db";

import { authEnv } from "./env.ts";
import { InvalidatedCache } from "./invalidated-cache.ts";
import { type SessionUser } from "./sessions.ts";

/** A session or access token as validation needs it: the row and its user. */
export interface CachedSession {
  session: Session;
  user: SessionUser;
}

/**
 * Resolved sessions and access tokens by id, so a warm one costs no query.
 * Kept exact like the key cache, on the same channel: a logout's DELETE and a
 * user's change NOTIFY every instance at commit (the session_change_triggers
 * migration). Only rows that exist are cached: Bearer values naming nothing
 * are limited per address instead (throttle.ts).
 */
export class SessionCache extends InvalidatedCache<CachedSession> {
  constructor(maxEntries: number) {
    super((_value): _value is CachedSession => true, { maxKnown: maxEntries, maxUnknown: 0, ttlMs: 30_000 });
  }

  /** Drops every session of these users (deactivated, renamed, deleted), in one pass. */
  deleteUsers(userIds: ReadonlySet<number>): void {
    this.deleteWhere((entry) => userIds.has(entry.user.id));
  }
}

// undefined: not made yet; null: KEYSMITH_SESSION_CACHE_SIZE is 0
let cache: SessionCache | null | undefined;

/** This process's session cache, sized on first use; undefined when KEYSMITH_SESSION_CACHE_SIZE is 0. */
export function sessionCache(): SessionCache | undefined {
  if (cache === undefined) {
    const size = authEnv.sessionCacheSize();
    cache = size === 0 ? null : new SessionCache(size);
  }
  return cache ?? undefined;
}

/** For the key-events listener: lets no request join, or cache, a session read now in flight (see InvalidatedCache.abandonLookups). */
export function abandonSessionLookups(): void {
  if (cache) cache.abandonLookups();
}

/** For the key-events listener: forgets what changed, in whatever cache exists. */
export function forgetSessions(change: { sessionId: string } | { userIds: ReadonlySet<number> } | "all"): void {
  if (!cache) return;
  if (change === "all") cache.clear();
  else if ("sessionId" in change) cache.delete(change.sessionId);
  else cache.deleteUsers(change.userIds);
}

// Sliding renewals are written in batches, like last-used times: one
// statement for every session renewed since the last write. A renewal lost to
// a crash costs nothing but an earlier end: it happens with half the
// session's 30 days still left.
const RENEW = {
  name: "keysmith_renew_sessions",
  text: `UPDATE sessions SET expires_at = v.expires_at
           FROM unnest($1::text[], $2::timestamp[]) AS v(id, expires_at)
          WHERE sessions.id = v.id AND sessions.expires_at < v.expires_at`,
};

const renewals = new Map<string, Date>();
/** The batch being written: still the newest expiry of its sessions until the write is done. */
let writing = new Map<string, Date>();
let timer: NodeJS.Timeout | undefined;

/** A session's expiry as renewed here but not yet written (or being written), if it was: later than what its row says. */
export function queuedExpiry(sessionId: string): Date | undefined {
  return renewals.get(sessionId) ?? writing.get(sessionId);
}

/** Queues a session's new expiry; written within KEYSMITH_USAGE_FLUSH_MS, and at shutdown. */
export function queueRenewal(sessionId: string, expiresAt: Date): void {
  renewals.set(sessionId, expiresAt);
  scheduleWrite();
}

function scheduleWrite(): void {
  if (timer) return;
  timer = setTimeout(() => void writeRenewals().catch(() => undefined), authEnv.usageFlushMs());
  timer.unref();
  onDisconnect(closeRenewals);
}

// one function, so registering it again (onDisconnect keeps a set) adds nothing
const closeRenewals = async () => {
  await writeRenewals();
};

/** Writes the queued renewals now; returns how many. Kept for the next try when the write fails. */
export async function writeRenewals(): Promise<number> {
  clearTimeout(timer);
  timer = undefined;
  if (renewals.size === 0) return 0;
  const batch = [...renewals];
  writing = new Map(renewals);
  renewals.clear();
  try {
    await getPool().query({ ...RENEW, values: [batch.map(([id]) => id), batch.map(([, at]) => at.toISOString().replace("Z", ""))] });
    return batch.length;
  } catch (error) {
    for (const [id, at] of batch) if (!renewals.has(id)) renewals.set(id, at);
    scheduleWrite();
    throw error;
  } finally {
    writing = new Map();
  }
}
