import { auditedBy, auditSqlValues, auditWhoAndWhen, forgetKeyLocally, type Principal } from "@keysmith/auth";
import { ASYNC_COMMIT_CTE, flushWalOrRetry, getPool, walFlushAvailable } from "@keysmith/db";
import { type CreatedApiKey, KeysmithError, type ParsedCreateApiKeyInput, SCOPES } from "@keysmith/validators";

import { creditColumns, refillText } from "./credits.ts";
import { requireWithinBounds } from "./mint-bounds.ts";
import { mintKey } from "./mint-key.ts";
import { requireScope } from "./scopes.ts";
import { isStoredHash } from "./stored-hash.ts";

// The key and its audit event in ONE statement, prepared once per connection: a statement outside
// BEGIN is its own transaction, so both rows commit together (or neither), and the api_keys
// trigger's NOTIFY is delivered at that commit, one per key. One round trip where Prisma's
// interactive transaction took four (BEGIN, two INSERTs, COMMIT), each with Prisma's own work on
// top (in process: about 1 ms a creation instead of 6-7).
// The audit row's key_id and key_name come from the inserted row, as recordAudit's did.
const insertKeyAndEvent = (asyncCommit: boolean) => ({
  name: asyncCommit ? "keysmith_create_key_async_commit" : "keysmith_create_key",
  text: `
  WITH created AS (
    INSERT INTO api_keys (user_id, created_at, name, description, key_hash, prefix, "foreign", scopes, expires_at, rate_limit_per_minute,
                          remaining, refill_amount, refill_interval, refilled_at)
    VALUES ($1, $2::timestamp, $3, $4, $5, $6, false, $7::text[], $8::timestamp, $9::int, $10::int, $11::int, $12, $13::timestamp)
    RETURNING id, name, description
  ), event AS (
    INSERT INTO audit_events (at, user_id, event, actor_type, actor_key_id, key_id, key_name, client_address, user_agent, details)
    SELECT $14::timestamp, $15::int, $16, $17, $18::int, created.id, created.name, $19, $20, $21::jsonb FROM created
  )${asyncCommit ? `, ${ASYNC_COMMIT_CTE}` : ""}
  SELECT id, name, description FROM created${asyncCommit ? ", commit_mode" : ""}`,
});
// A transaction that NOTIFYs holds a database-wide lock from just before its commit until the commit
// is over: with a synchronous commit, that includes the WAL flush, so creations went one flush at a
// time. Where the database allows (wal-flush.ts in @keysmith/db), the statement commits asynchronously
// (set_config(…, true) lasts until that commit) and the answer waits for a WAL flush instead: still one
// transaction and one NOTIFY per key, durable before anyone is given the key, and the flushes of
// concurrent creations are shared.
const INSERT_ASYNC_COMMIT = insertKeyAndEvent(true);
const INSERT_SYNC_COMMIT = insertKeyAndEvent(false);

interface CreatedRow {
  id: number;
  name: string;
  description: string | null;
}

/**
 * Issues a key for the caller. The plaintext exists only in the value
 * returned here; the database keeps its SHA-256 and a 4-character prefix.
 * Left out, scopes are all of them and expiry, rate limit and credits are
 * none (the documented defaults), so a key with bounds of its own must state
 * them.
 *
 * One statement on the raw pool (see insertKeyAndEvent): the key, its
 * `key.created` event and the NOTIFY that makes every instance forget any
 * answer it holds for the new hash commit together, and the key is returned
 * only once that commit is durable.
 */
export async function createApiKey({ principal, input, now }: { principal: Principal; input: ParsedCreateApiKeyInput; now: Date }): Promise<CreatedApiKey> {
  requireScope(principal, "keys:write");
  if (input.expires_at && input.expires_at.getTime() <= now.getTime()) {
    throw new KeysmithError("BAD_REQUEST", "expires_at must be in the future.", { fields: { expires_at: ["expires_at must be in the future."] } });
  }
  const scopes = input.scopes ? [...new Set(input.scopes)] : [...SCOPES];
  const expiresAt = input.expires_at ?? null;
  const rateLimitPerMinute = input.rate_limit_per_minute ?? null;
  const remaining = input.remaining ?? null;
  const refill = input.refill ?? null;
  requireWithinBounds(principal, { scopes, expiresAt, rateLimitPerMinute, remaining, refill }, "issue");

  const { key, keyHash, prefix } = mintKey();
  const credits = creditColumns(remaining, refill, now);
  const details = { scopes, expires_at: expiresAt?.toISOString() ?? null, rate_limit_per_minute: rateLimitPerMinute, remaining, refill: refillText(refill) };
  // the event keyEvent would make, less key_id and key_name: the statement takes those from the inserted row
  const audit = auditSqlValues({ event: "key.created", at: now, ...auditedBy(principal), details });
  const values = [
    principal.user.id,
    // the moment of the write, not `now`, as Prisma's @default(now()) filled it in
    new Date().toISOString(),
    input.name,
    input.description,
    keyHash,
    prefix,
    scopes,
    expiresAt?.toISOString() ?? null,
    rateLimitPerMinute,
    credits.remaining,
    credits.refillAmount,
    credits.refillInterval,
    credits.refilledAt?.toISOString() ?? null,
    ...auditWhoAndWhen(audit),
    audit.details,
  ];

  const pool = getPool();
  const flushed = await walFlushAvailable(pool);
  let row: CreatedRow | undefined;
  try {
    row = (await pool.query<CreatedRow>({ ...(flushed ? INSERT_ASYNC_COMMIT : INSERT_SYNC_COMMIT), values })).rows[0];
  } catch (error) {
    // A fresh 224-bit key whose hash is already stored cannot happen in practice; should it, pg's
    // error carries the hash in its detail: replace it with one that names nothing (answered 500).
    if (isStoredHash(error)) throw new Error("A newly minted key collided with a stored one; nothing was created.");
    throw error;
  }
  if (!row) throw new Error("Creating a key returned no row.");
  // committed, not yet known to be on disk: nobody holds the key until this returns
  if (flushed) await flushWalOrRetry(pool);
  // this instance forgets any answer it held for the hash at once, before its own notification arrives
  forgetKeyLocally(keyHash);
  return { id: row.id, key, name: row.name, description: row.description };
}
