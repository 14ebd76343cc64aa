import { getDb, getPool, SessionKind, type Session, type User } from "@keysmith/db";

import { secureRandomString, sha256 } from "./random.ts";
import { runPeriodically } from "./periodic.ts";
import { type CachedSession, queuedExpiry, queueRenewal, type SessionCache, sessionCache } from "./session-cache.ts";
import { cacheIsTrustworthy } from "./verify/key-events.ts";
import { shortSha256Equals } from "./verify/short-sha256.ts";

/**
 * Sessions and access tokens, following Lucia's guide (lucia-auth.com): the
 * token is `<id>.<secret>`, only SHA-256(secret) is stored, and the secret is
 * compared in constant time. Web sessions slide; access tokens do not.
 */
export const WEB_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A web session used with less than this left is extended to a full TTL. */
const WEB_SESSION_RENEW_MS = 15 * 24 * 60 * 60 * 1000;
/** Access tokens from POST /api/v1/login live 2 hours, as documented. */
export const ACCESS_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;

export type SessionUser = Pick<User, "id" | "username" | "email" | "name" | "isStaff" | "isActive">;

export interface ValidatedSession {
  session: Session;
  user: SessionUser;
  /** The web session's expiry moved forward: re-send its cookie. */
  renewed: boolean;
}


export async function createSession(userId: number, kind: SessionKind, now: Date): Promise<{ token: string; session: Session }> {
  startSweeping();
  const id = secureRandomString();
  const secret = secureRandomString();
  const ttl = kind === SessionKind.WEB ? WEB_SESSION_TTL_MS : ACCESS_TOKEN_TTL_MS;
  const session = await getDb().session.create({
    data: { id, userId, kind, secretHash: sha256(secret), expiresAt: new Date(now.getTime() + ttl) },
  });
  return { token: `${id}.${secret}`, session };
}

/** Splits a token without touching the database; undefined when malformed. */
export function parseSessionToken(token: string): { id: string; secret: string } | undefined {
  const parts = token.split(".");
  if (parts.length !== 2) return undefined;
  const [id, secret] = parts as [string, string];
  if (!/^[a-z2-9]{24}$/.test(id) || !/^[a-z2-9]{24}$/.test(secret)) return undefined;
  return { id, secret };
}

export type SessionCheck = { ok: true; value: ValidatedSession } | { ok: false; reason: "malformed" | "unknown" | "expired" | "inactive" };

/**
 * Checks a token. A web session used with less than half its life left is
 * extended, but only when `renew` is set: the caller must then send the new
 * cookie (renewed: true), because a session whose row slides while the
 * browser's cookie does not ends at the cookie's old expiry anyway. Server
 * renders, which cannot set cookies, pass renew: false.
 *
 * A warm session costs no query (session-cache.ts); the renewal's write is
 * batched. A cached session whose expiry has passed is read again, since
 * another instance may have renewed it.
 */
export function validateSessionToken(token: string, kind: SessionKind, now: Date, { renew }: { renew: boolean }): SessionCheck | Promise<SessionCheck> {
  startSweeping();
  const parsed = parseSessionToken(token);
  if (!parsed) return { ok: false, reason: "malformed" };
  const at = now.getTime();
  // a warm session is checked and answered as a value: no promise, no turn of the event loop
  const warm = findSession(parsed.id, at);
  if (warm instanceof Promise) return warm.then((found) => checkSession(found, parsed.secret, kind, at, renew));
  return checkSession(warm, parsed.secret, kind, at, renew);
}

function checkSession(found: CachedSession | undefined, secret: string, kind: SessionKind, at: number, renew: boolean): SessionCheck | Promise<SessionCheck> {
  // hashed and compared in JavaScript, in constant time (a secret is 24 ASCII characters: one SHA-256 block)
  if (!found || found.session.kind !== kind || !shortSha256Equals(secret, found.session.secretHash)) {
    return { ok: false, reason: "unknown" };
  }
  const { session, user } = found;
  if (session.expiresAt.getTime() <= at) {
    return getDb()
      .session.deleteMany({ where: { id: session.id } })
      .then((): SessionCheck => ({ ok: false, reason: "expired" }));
  }
  if (!user.isActive) return { ok: false, reason: "inactive" };

  let renewed = false;
  if (renew && kind === SessionKind.WEB && session.expiresAt.getTime() - at < WEB_SESSION_RENEW_MS) {
    // the cached entry is this object: later requests here see the new expiry at once
    session.expiresAt = new Date(at + WEB_SESSION_TTL_MS);
    queueRenewal(session.id, session.expiresAt);
    renewed = true;
  }
  return { ok: true, value: { session: { ...session }, user, renewed } };
}

// A named statement on the raw pool, like the key lookup: a cold session is one
// indexed read (Prisma's findUnique cost several times as much per call).
const LOOKUP = {
  name: "keysmith_find_session",
  text: `SELECT s.id, s.user_id, s.secret_hash, s.kind,
                (extract(epoch FROM s.expires_at) * 1000)::float8 AS expires_ms,
                (extract(epoch FROM s.created_at) * 1000)::float8 AS created_ms,
                u.username, u.email, u.name, u.is_staff, u.is_active
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = $1`,
};

interface LookupRow {
  id: string;
  user_id: number;
  secret_hash: Buffer;
  kind: SessionKind;
  expires_ms: number;
  created_ms: number;
  username: string;
  email: string;
  name: string;
  is_staff: boolean;
  is_active: boolean;
}

async function lookup(id: string): Promise<CachedSession | undefined> {
  const { rows } = await getPool().query<LookupRow>({ ...LOOKUP, values: [id] });
  const row = rows[0];
  if (!row) return undefined;
  // a sliding renewal made here and not yet written: the row's expiry is the older one
  const queued = queuedExpiry(row.id);
  const expiresAt = queued && queued.getTime() > row.expires_ms ? queued : new Date(row.expires_ms);
  return {
    session: { id: row.id, userId: row.user_id, secretHash: new Uint8Array(row.secret_hash), kind: row.kind, expiresAt, createdAt: new Date(row.created_ms) },
    user: { id: row.user_id, username: row.username, email: row.email, name: row.name, isStaff: row.is_staff, isActive: row.is_active },
  };
}

/**
 * The session cache, its entries in use read again before they expire, as
 * the key cache's are (see verify-key.ts): one used in the last third of its
 * life is read again in the background, once, while the request that
 * noticed is answered from the cache. (Not the session's sliding renewal,
 * which moves its expiry in the database.) An entry is still never answered
 * from once it is 30 s old; a read that fails leaves it to expire.
 */
function refreshedSessionCache(): SessionCache | undefined {
  const cache = sessionCache();
  if (cache && !cache.known.aging) {
    cache.renewFoundInUse(async (id, entry) => {
      const found = await lookup(id);
      // renewed here (the cached entry is the object a sliding renewal moves on) and written between the read
      // and now, so no longer queued for lookup to see: the later expiry stands
      if (found && entry.session.expiresAt > found.session.expiresAt) found.session.expiresAt = entry.session.expiresAt;
      return found;
    });
  }
  return cache;
}

/**
 * The session with id `id`, from the cache when it holds a live one (at
 * once: no promise to wait for on the hot path), else from the database
 * (and then cached).
 */
function findSession(id: string, at: number): CachedSession | Promise<CachedSession | undefined> {
  const cache = refreshedSessionCache();
  const useCache = cache !== undefined && cacheIsTrustworthy();
  const cached = useCache ? cache.get(id, at) : undefined;
  if (cached && cached.session.expiresAt.getTime() > at) return cached;

  // shared: the requests of one session that miss together (its entry just dropped) read it once
  return useCache ? cache.readThroughShared(id, at, () => lookup(id)) : lookup(id);
}

export async function invalidateSession(sessionId: string): Promise<void> {
  await getDb().session.deleteMany({ where: { id: sessionId } });
  // every other instance hears of it at commit (the sessions trigger); this one forgets at once
  sessionCache()?.delete(sessionId);
}

/** Rows deleted per statement: each stays well inside the statement timeout, however large the backlog. */
const SWEEP_BATCH = 5_000;

/**
 * Deletes sessions and access tokens that expired before `now`, in batches;
 * returns how many. Safe on every instance at once (a row is deleted once).
 */
export async function sweepExpiredSessions(now: Date): Promise<number> {
  const db = getDb();
  let total = 0;
  for (;;) {
    const batch = await db.session.findMany({ where: { expiresAt: { lt: now } }, select: { id: true }, take: SWEEP_BATCH });
    if (batch.length === 0) return total;
    const { count } = await db.session.deleteMany({ where: { id: { in: batch.map((row) => row.id) }, expiresAt: { lt: now } } });
    total += count;
    if (batch.length < SWEEP_BATCH) return total;
  }
}

/** How often each process sweeps; expired rows are refused anyway, this only reclaims them. */
export const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** Starts the hourly sweep on first use of sessions (a login, a validation); see runPeriodically. */
function startSweeping(): void {
  runPeriodically("sweeping expired sessions", SWEEP_EVERY_MS, () => sweepExpiredSessions(new Date()));
}
