import { getPool } from "@keysmith/db";
import { IMPORTED_KEY_LENGTH, type Refill, type Scope, type VerifyCode, type VerifyResult } from "@keysmith/validators";

import { API_KEY_PREFIX, checkApiKeyFormat, hasApiKeyShape } from "../api-key-format.ts";
import { type SessionUser } from "../sessions.ts";
import { type KeyRecord } from "./key-cache.ts";
import { cacheIsTrustworthy, cacheKeyOfKey, keyCache } from "./key-events.ts";
import { spendCredits, spenderCredits } from "./credits.ts";
import { keyOwner } from "./owner-cache.ts";
import { keyRateLimiter, type RateLimitRefusal } from "./rate-limiter.ts";
import { usage } from "./usage.ts";
import { verifyStats } from "./verify-stats.ts";

/**
 * What a key may never exceed in the keys it issues or rolls: it stops
 * working at `endsAt` (its expiry, or a revocation already scheduled by a
 * roll, whichever is sooner; null: never), allows `rateLimitPerMinute`, and
 * has `remaining` credits (after this use; null: unlimited) put back to
 * `refill`'s amount each period.
 */
export interface KeyBounds {
  endsAt: Date | null;
  rateLimitPerMinute: number | null;
  remaining: number | null;
  refill: Refill | null;
}

export interface Verification {
  result: VerifyResult;
  /** The key's owner, when the key exists. */
  owner?: SessionUser;
  /** With VALID: the key's own limits. */
  bounds?: KeyBounds;
  /** With RATE_LIMITED: the key's limit. */
  rateLimitPerMinute?: number;
  /** With USAGE_EXCEEDED: the key's refill, if any. */
  refill?: Refill | null;
}

// The row as one text column, its fields joined by the unit separator (U+001F) and the name last, so
// that whatever the name holds, everything before it splits exactly (splitKeyRow). Not seventeen
// columns: for every execution pg builds a parser table and an empty-row template from each column of
// the result (Result.addFields; about 9.5 µs for 17 columns in a warm loop, up to 33 µs a cold
// verification on the slower machine). Not json_build_object either: PostgreSQL works out each
// argument's type on every call, which cost a cold verification more than the join to the owner did.
// And no join: the owner comes from its own cache (owner-cache.ts), since an owner has many keys
// (docs/performance.md, "Ninth look"). concat_ws leaves NULLs out, so every nullable field is coalesced.
const FIELD_SEPARATOR = "\u001f";
const SELECT_KEY = `SELECT concat_ws(chr(31), k."foreign", k.id, k.user_id, coalesce(array_to_string(k.scopes, ','), ''),
                         coalesce((extract(epoch FROM k.expires_at) * 1000)::float8::text, ''),
                         coalesce((extract(epoch FROM k.revoked_at) * 1000)::float8::text, ''),
                         coalesce(k.rate_limit_per_minute::text, ''), k.remaining IS NOT NULL,
                         coalesce(k.refill_amount::text, ''), coalesce(k.refill_interval, ''), k.rolled_at IS NOT NULL,
                         k.name) AS key
           FROM api_keys k
          WHERE k.key_hash = $1`;
/** The fields before the name in SELECT_KEY's column. */
const FIELDS_BEFORE_NAME = 11;

// A rolled key's credits moved to its successor, and during the grace it spends from the newest key of
// its lineage (credits.ts): whether it has credits, and its refill, are that key's. Asked in a statement of
// its own, for a rolled key only: in the lookup every key made, the lineage walk cost a cold verification
// a fifth more (measured), for the few keys in a grace period. A change of the newest key's credits, or its
// deletion, NOTIFYs the rolled keys' hashes too (a trigger), so their cached answers follow.

const LOOKUP = { name: "keysmith_verify_key", text: SELECT_KEY };
/** A value that is not a Keysmith key can only be a key imported in another format ("foreign" is a reserved word). */
const FOREIGN_LOOKUP = { name: "keysmith_verify_foreign_key", text: `${SELECT_KEY} AND k."foreign"` };

type SuccessorCredits = Pick<FoundKey, "credited" | "refill">;

type FoundKey = Extract<KeyRecord, { found: true }>;

/**
 * A stored key as verification caches it, marked when it was imported in
 * another format (or by hash only): such a key answers the verify route and
 * procedure, but never authenticates a caller of Keysmith's own API.
 */
type LookedUpKey = (FoundKey & { foreign: boolean }) | Extract<KeyRecord, { found: false }>;

/** Whether a cached or looked-up key is one imported in another format (records cached by other code carry no mark: native). */
function isForeign(record: FoundKey): boolean {
  return "foreign" in record && record.foreign === true;
}

/** SELECT_KEY's fields in order, the name last. */
type KeyRowFields = [
  foreign: string,
  id: string,
  ownerId: string,
  scopes: string,
  expiresAt: string,
  revokedAt: string,
  rateLimitPerMinute: string,
  credited: string,
  refillAmount: string,
  refillInterval: string,
  rolled: string,
  name: string,
];

/** SELECT_KEY's column, split: the fields before the name at each separator; the rest is the name, whatever it holds. */
function splitKeyRow(text: string): KeyRowFields {
  const fields: string[] = [];
  let from = 0;
  for (let field = 0; field < FIELDS_BEFORE_NAME; field += 1) {
    const end = text.indexOf(FIELD_SEPARATOR, from);
    if (end === -1) throw new Error(`verifyApiKey: the key lookup answered ${field} fields before the name, not ${FIELDS_BEFORE_NAME}.`);
    fields.push(text.slice(from, end));
    from = end + 1;
  }
  fields.push(text.slice(from));
  return fields as KeyRowFields;
}

const numberOrNull = (field: string) => (field === "" ? null : Number(field));

/** A time as epoch milliseconds, or null for none; 'infinity' (set by SQL: never) is none, '-infinity' the earliest time there is. */
const timeOrNull = (field: string) => {
  const at = numberOrNull(field);
  if (at === Infinity) return null;
  return at === -Infinity ? -8.64e15 : at;
};

/** The record a looked-up key is cached as, made in one literal (object rest and spread cost a cold verification about 10 µs here). */
function keyRecord(fields: KeyRowFields, owner: SessionUser): FoundKey & { foreign: boolean } {
  const [foreign, id, , scopes, expiresAt, revokedAt, rateLimitPerMinute, credited, refillAmount, refillInterval, , name] = fields;
  return {
    found: true,
    foreign: foreign === "t",
    id: Number(id),
    name,
    // scopes are names from a fixed list (no commas), so the list round-trips through array_to_string
    scopes: scopes === "" ? [] : (scopes.split(",") as Scope[]),
    expiresAt: timeOrNull(expiresAt),
    revokedAt: timeOrNull(revokedAt),
    rateLimitPerMinute: numberOrNull(rateLimitPerMinute),
    credited: credited === "t",
    refill: refillAmount !== "" && refillInterval !== "" ? { amount: Number(refillAmount), interval: refillInterval as Refill["interval"] } : null,
    owner,
  };
}

/**
 * A key's row and its owner. An owner cached renewAfterMs ago or earlier is
 * read again (see keyOwner): the key's entry is dated from its owner's read
 * (key-cache.ts), so with that owner a key first looked up would be stored
 * already due for renewal, and a renewal would renew nothing.
 */
async function lookup(hash: Uint8Array, statement: typeof LOOKUP, now: number, useCache: boolean): Promise<LookedUpKey> {
  const { rows } = await getPool().query<{ key: string }>({ name: statement.name, text: statement.text, values: [hash] });
  const text = rows[0]?.key;
  if (text === undefined) return { found: false };
  const fields = splitKeyRow(text);
  // the listener may have dropped while the key was read: an owner cached since then may be stale
  const cachedOrRead = keyOwner(Number(fields[2]), now, useCache && cacheIsTrustworthy(), keyCache.renewAfterMs);
  const owner = cachedOrRead instanceof Promise ? await cachedOrRead : cachedOrRead;
  // deleted since the key was read: so is the key (the foreign key cascades)
  if (!owner) return { found: false };
  const found = keyRecord(fields, owner);
  // a rolled key only: a second statement, and a copy with its successor's credits
  return fields[10] === "t" ? { ...found, ...(await successorCredits(found.id, found)) } : found;
}

/**
 * A key in use is looked up again before its cache entry expires: an entry
 * read in the last third of its life (30 s) is renewed in the background,
 * once, with its owner when theirs is as old, while the verification that
 * noticed is answered from the cache. A key verified continually is then
 * not a cache miss on the request path every 30 s (only when its renewal
 * failed, or an invalidation of other entries, which discards the lookups in
 * flight, discarded it). Without this, every key in use
 * expired every 30 s, and those cached at the same moment (an instance's
 * hot keys, within a second of its start) expired together: a burst of
 * lookups each time, and on a machine busy with nothing else, a second or so
 * of CPU while V8 deoptimised and recompiled the verification path for the
 * miss it had not seen since (docs/performance.md, "Tenth look"). The TTL
 * still bounds what a missed notification can leave: an entry is never
 * answered from once it is 30 s old, renewed or not; a renewal that fails
 * (the database unreachable) leaves the entry to expire.
 */
keyCache.renewFoundInUse((cacheKey, _found, now) => lookup(Buffer.from(cacheKey, "base64url"), LOOKUP, now, true));

/** What a rolled key's answer takes from the newest key of its lineage (itself again once its successor is deleted); its own if it is gone. */
async function successorCredits(id: number, own: SuccessorCredits): Promise<SuccessorCredits> {
  const spender = await spenderCredits(id);
  if (!spender) return own;
  const { remaining, refill_amount: amount, refill_interval: interval } = spender;
  return { credited: remaining !== null, refill: amount !== null && interval !== null ? { amount, interval } : null };
}

function outcome(code: VerifyCode, record?: FoundKey, remaining: number | null = null, retryAfterSeconds: number | null = null): VerifyResult {
  return {
    valid: code === "VALID",
    code,
    id: record?.id ?? null,
    name: record?.name ?? null,
    owner_id: record?.owner.id ?? null,
    expires_at: record?.expiresAt != null ? new Date(record.expiresAt).toISOString() : null,
    scopes: record?.scopes ?? null,
    remaining,
    retry_after_seconds: retryAfterSeconds,
  };
}

/**
 * Whether verifying `key` now would be answered from the cache as a key that
 * exists (valid or not): no I/O. The Bearer-failure limit lets such keys
 * through, so an address shared with a flooder (a NAT, a proxy) keeps working
 * for keys in use.
 */
export function isCachedKnownKey(key: string, now: number): boolean {
  if (checkApiKeyFormat(key) || !cacheIsTrustworthy()) return false;
  const record = keyCache.known.get(cacheKeyOfKey(key), now);
  return record !== undefined && !isForeign(record);
}

/**
 * Verifies a presented API key: the one function behind the Bearer resolver,
 * apiKeys.verify and POST /api-keys/verify. A malformed key is answered
 * without touching the database; a warm key without any I/O.
 *
 * A value that is not a Keysmith key may be a key imported in another
 * format (see importApiKeys in @keysmith/core): it is looked up by hash among
 * those keys only, and answered MALFORMED when it is none of them. A value
 * starting with `ak_` is a mistyped Keysmith key, and one of a length no
 * imported key has could be nothing: both are refused without a lookup.
 *
 * Caching "not found" is safe: creation and import invalidate the new key's
 * hash on every instance, and unknown keys are kept apart from known ones
 * (see key-cache.ts), so invented keys and junk values cannot push real ones
 * out, and each costs at most one lookup per cache lifetime.
 */
export interface VerifyOptions {
  now?: Date;
  requiredScopes?: readonly Scope[];
  /** Credits a VALID verification spends, when the key has credits; 1 by default. */
  cost?: number;
  /**
   * For a Bearer credential: only Keysmith-format keys that were not imported
   * as foreign may pass; a foreign key answers NOT_FOUND, before its limits,
   * credits or usage are touched.
   */
  nativeOnly?: boolean;
}

/**
 * A warm key's answer comes back as a value, not a promise (so a caller
 * already holding everything answers without waiting a turn); a cache miss,
 * a rate limit's round trip or credits make it a promise. `await` takes both.
 */
export function verifyApiKey(key: string, options: VerifyOptions = {}): Verification | Promise<Verification> {
  const started = performance.now();
  const verification = verify(key, options);
  if (verification instanceof Promise) return verification.then((done) => counted(done, started));
  return counted(verification, started);
}

function counted(verification: Verification, started: number): Verification {
  verifyStats.count(verification.result.code, (performance.now() - started) / 1000);
  return verification;
}

/** Could `key`, which is not a Keysmith key, be a key imported in another format? Else it is refused without a lookup. */
function mayBeForeign(key: string): boolean {
  return !key.startsWith(API_KEY_PREFIX) && key.length >= IMPORTED_KEY_LENGTH.min && key.length <= IMPORTED_KEY_LENGTH.max;
}

function verify(key: string, options: VerifyOptions): Verification | Promise<Verification> {
  const now = (options.now ?? new Date()).getTime();
  const useCache = cacheIsTrustworthy();
  // A key of the right shape is hashed first: when the cache knows it as a native key, it passed the format
  // check when it was stored (a hash names one plaintext), so its checksum need not be computed again.
  const shaped = hasApiKeyShape(key);
  let cacheKey = shaped ? cacheKeyOfKey(key) : undefined;
  let record: KeyRecord | undefined = cacheKey && useCache ? keyCache.get(cacheKey, now) : undefined;
  const knownNative = record?.found === true && !isForeign(record);

  const foreignOnly = !knownNative && checkApiKeyFormat(key) !== undefined;
  if (foreignOnly && (options.nativeOnly || !mayBeForeign(key))) return { result: outcome("MALFORMED") };
  cacheKey ??= cacheKeyOfKey(key);
  if (!shaped && useCache) record = keyCache.get(cacheKey, now);
  if (record) {
    verifyStats.cacheHits++;
    return answerFor(record, now, foreignOnly, options);
  }
  verifyStats.cacheMisses++;
  // one cache for both lookups: a hash is one plaintext's, so it names a native key or a foreign one, never both
  const statement = foreignOnly ? FOREIGN_LOOKUP : LOOKUP;
  // the digest's bytes, for the database, only on a miss
  const hash = Buffer.from(cacheKey, "base64url");
  // Shared: verifications of one key that miss together (a hot key after its change, an instance's first
  // seconds) make one lookup, not one each. Only with each other: a value names one plaintext, so they ask
  // with the same statement, where a renewal (readThrough, unshared) reads by hash alone.
  const looked = useCache ? keyCache.readThroughShared(cacheKey, now, () => lookup(hash, statement, now, true)) : lookup(hash, statement, now, false);
  return looked.then((found) => answerFor(found, now, foreignOnly, options));
}

/** What a stored key (or its absence) answers at `now`, its verification counted for usage. */
function answerFor(record: KeyRecord, now: number, foreignOnly: boolean, options: VerifyOptions): Verification | Promise<Verification> {
  if (!record.found) return { result: outcome(foreignOnly ? "MALFORMED" : "NOT_FOUND") };
  // a value that is no Keysmith key matches foreign keys only (FOREIGN_LOOKUP); a native record cached for its hash
  // (a renewal reads by hash alone) is not one of them
  if (foreignOnly && !isForeign(record)) return { result: outcome("MALFORMED") };
  if (options.nativeOnly && isForeign(record)) return { result: outcome("NOT_FOUND") };
  const judged = judge(record, now, options.requiredScopes ?? [], options.cost ?? 1);
  // counted in memory, written in batches: no I/O here (usage.ts)
  if (judged instanceof Promise) return judged.then((verification) => recorded(record, now, verification));
  return recorded(record, now, judged);
}

function recorded(record: FoundKey, now: number, verification: Verification): Verification {
  usage.record(record.id, now, verification.result.code);
  return verification;
}

/**
 * What verifying a key that exists answers at `now`. The rate limit is
 * checked before credits, so a refused verification spends none; a warm key
 * without credits is answered with no I/O, and synchronously: no promise to
 * make and wait for on the hot path.
 */
function judge(record: FoundKey, now: number, requiredScopes: readonly Scope[], cost: number): Verification | Promise<Verification> {
  const owner = record.owner;
  if (record.revokedAt !== null && record.revokedAt <= now) return { result: outcome("REVOKED", record), owner };
  if (record.expiresAt !== null && record.expiresAt <= now) return { result: outcome("EXPIRED", record), owner };
  // a deactivated owner's keys stop working like revoked ones
  if (!owner.isActive) return { result: outcome("REVOKED", record), owner };
  const missing = requiredScopes.filter((scope) => !record.scopes.includes(scope));
  if (missing.length > 0) return { result: outcome("INSUFFICIENT_SCOPE", record), owner };

  const limit = record.rateLimitPerMinute;
  if (limit === null) return spendAndAnswer(record, now, cost);
  const answer = (refusal: RateLimitRefusal | undefined): Verification | Promise<Verification> =>
    refusal ? { result: outcome("RATE_LIMITED", record, null, refusal.retryAfterSeconds), owner, rateLimitPerMinute: limit } : spendAndAnswer(record, now, cost);
  const taken = keyRateLimiter.take(record.id, limit, now);
  return taken instanceof Promise ? taken.then(answer) : answer(taken);
}

/** The rest of judge() once the rate limit, if any, has admitted the key: its credits (a round trip), then VALID. */
function spendAndAnswer(record: FoundKey, now: number, cost: number): Verification | Promise<Verification> {
  if (record.credited) {
    return spendCredits(record.id, cost, now).then((spend) =>
      spend.spent ? valid(record, spend.remaining) : { result: outcome("USAGE_EXCEEDED", record, spend.remaining), owner: record.owner, refill: record.refill },
    );
  }
  return valid(record, null);
}

/**
 * The VALID verification of each cached record without credits, made once:
 * until the record is replaced (an invalidation, a new lookup), every warm
 * verification of its key answers exactly this, so it is handed out again,
 * frozen, and whatever a surface makes of it can be kept as long as it lives
 * (the REST route's serialised envelope: `isRepeatedResult`).
 */
const repeatedValid = new WeakMap<FoundKey, Verification>();
const repeatedResults = new WeakSet<VerifyResult>();

/** Whether `result` is one verifyApiKey hands out again, unchanged (frozen), for later verifications of the same key: see repeatedValid. */
export function isRepeatedResult(result: VerifyResult): boolean {
  return repeatedResults.has(result);
}

function valid(record: FoundKey, remaining: number | null): Verification {
  if (remaining !== null) return validNow(record, remaining);
  let verification = repeatedValid.get(record);
  if (!verification) {
    verification = validNow(record, null);
    Object.freeze(verification.result);
    repeatedResults.add(verification.result);
    repeatedValid.set(record, Object.freeze(verification));
  }
  return verification;
}

function validNow(record: FoundKey, remaining: number | null): Verification {
  const ends = Math.min(record.expiresAt ?? Infinity, record.revokedAt ?? Infinity);
  const bounds = { endsAt: Number.isFinite(ends) ? new Date(ends) : null, rateLimitPerMinute: record.rateLimitPerMinute, remaining, refill: record.refill };
  return { result: outcome("VALID", record, remaining), owner: record.owner, bounds };
}
