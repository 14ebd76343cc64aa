import { type AuditEntry, auditSqlValues, forgetKeyLocally, hashApiKey, type RequestClient } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import { LEAK_LOCATION_MAX_LENGTH, LEAK_URL_MAX_LENGTH, type LeakSource } from "@keysmith/validators";

/** One key someone found in public, and where, as far as they said. */
export interface FoundKey {
  key: string;
  url?: string | null | undefined;
  /** GitHub's name for where (content, commit, npm, …). */
  location?: string | null | undefined;
}

/**
 * Distinct keys per statement. Each batch is one statement, so its own
 * transaction: a batch of 1,000 takes about 0.1 s, far inside the 5 s
 * statement timeout, and a call of 10,000 (GitHub's most) about 1.5 s in all.
 * Should a later batch fail, the earlier ones stay done, and the caller's
 * retry (GitHub retries) finds them already recorded and does the rest.
 */
const BATCH = 1_000;

// Per batch, ONE statement: the lookup by hash, the revocation of every live key found, and one audit event
// per key whose leak it records. One statement is one transaction, so a revocation and its event commit
// together (or neither); the api_keys trigger NOTIFYs each revoked key's hash at that commit.
// `leaked_at IS NULL` is re-checked after a concurrent report's commit (the UPDATE waits for that row), so
// each leak is recorded, and audited, once. A key already revoked keeps its revocation time.
// Prisma did this as findMany, $queryRaw and createMany in an interactive transaction: 10,000 keys took
// 16 s (12.6 s of it createMany of the audit rows), past the 5 s transaction limit, and nothing was revoked.
const REVOKE_LEAKED = {
  name: "keysmith_revoke_leaked_keys",
  text: `
  WITH found AS (
    SELECT k.id, k.key_hash, f.location, f.url
      FROM unnest($1::bytea[], $2::text[], $3::text[]) AS f(hash, location, url)
      JOIN api_keys k ON k.key_hash = f.hash
  ), leaked AS (
    UPDATE api_keys AS k SET
      revoked_at = CASE WHEN k.revoked_at IS NULL OR k.revoked_at > $4::timestamp THEN $4::timestamp ELSE k.revoked_at END,
      leaked_at = $4::timestamp, leak_source = $5::text, leak_location = found.location, leak_url = found.url
      FROM found
     WHERE k.id = found.id AND k.leaked_at IS NULL
    RETURNING k.id, k.user_id, k.name, found.location, found.url
  ), event AS (
    INSERT INTO audit_events (at, user_id, event, actor_type, actor_key_id, key_id, key_name, client_address, user_agent, details)
    SELECT $4::timestamp, leaked.user_id, $6, $7, NULL, leaked.id, leaked.name, $8, $9,
           jsonb_build_object('source', $5::text, 'location', leaked.location, 'url', leaked.url)
      FROM leaked
  )
  SELECT found.key_hash, leaked.id IS NOT NULL AS leaked_now FROM found LEFT JOIN leaked ON leaked.id = found.id`,
};

interface FoundRow {
  key_hash: Uint8Array;
  leaked_now: boolean;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A key's stored hash as lowercase hex: what GitHub's feedback calls token_hash. */
const keyHashHex = (key: string) => hex(hashApiKey(key));

/**
 * `value` cut to its first `max` characters, as PostgreSQL counts them (code
 * points: a UTF-16 cut could split an emoji into a lone surrogate). Where a
 * key was found is a hint for its owner, not a reason to leave it working: a
 * URL or location longer than its column is stored cut rather than refused.
 */
function forStorage(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  // at most `max` UTF-16 units is at most `max` code points: the common case costs nothing
  return value.length <= max ? value : Array.from(value).slice(0, max).join("");
}

/**
 * Revokes every live key among `found` and records, once per key, that it
 * leaked: where and how Keysmith learned of it, for the owner's list, key
 * page, banner and audit log. 1,000 distinct keys at a time, each thousand one
 * statement (see REVOKE_LEAKED): looked up by hash, the live ones revoked,
 * and their audit events written, on the raw pool.
 *
 * A key already revoked keeps its revocation time; a rolled key in its grace
 * stops now. Reporting a key again changes nothing. Returns the SHA-256 (hex)
 * of each entry of `found`, in its order (`hashes`), and of every reported
 * key that exists, leaked before or not (`existing`).
 */
export async function revokeLeakedKeys({
  source,
  found,
  now,
  client,
}: {
  source: LeakSource;
  found: readonly FoundKey[];
  now: Date;
  client?: RequestClient;
}): Promise<{ hashes: string[]; existing: Set<string> }> {
  const hashes = found.map((entry) => keyHashHex(entry.key));
  // the same key found twice in one batch is recorded with where it was first found
  const byHash = new Map<string, FoundKey>();
  found.forEach((entry, i) => {
    const hash = hashes[i] as string;
    if (!byHash.has(hash)) byHash.set(hash, entry);
  });
  const existing = new Set<string>();
  if (byHash.size === 0) return { hashes, existing };
  const actor: AuditEntry["actor"] = { type: source === "github" ? "github" : "anonymous" };
  // the columns every event shares (and the audit log's retention sweep started, as recordAudit does)
  const audit = auditSqlValues({ event: "key.leaked", at: now, userId: null, actor, client });
  const entries = [...byHash];
  for (let start = 0; start < entries.length; start += BATCH) {
    const batch = entries.slice(start, start + BATCH);
    const { rows } = await getPool().query<FoundRow>({
      ...REVOKE_LEAKED,
      values: [
        batch.map(([hash]) => Buffer.from(hash, "hex")),
        batch.map(([, entry]) => forStorage(entry.location, LEAK_LOCATION_MAX_LENGTH)),
        batch.map(([, entry]) => forStorage(entry.url, LEAK_URL_MAX_LENGTH)),
        audit.at,
        source,
        audit.event,
        audit.actorType,
        audit.clientAddress,
        audit.userAgent,
      ],
    });
    for (const row of rows) {
      existing.add(hex(row.key_hash));
      // after the commit, as revokeApiKey does: a lookup before it would cache the row as it was
      if (row.leaked_now) forgetKeyLocally(row.key_hash);
    }
  }
  return { hashes, existing };
}
