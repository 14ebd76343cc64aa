import { apiKeyDisplayPrefix, auditedBy, auditSqlValues, auditWhoAndWhen, checkApiKeyFormat, forgetKeyLocally, hashApiKeyHex, type Principal } from "@keysmith/auth";
import { getPool, isReplicaRoleRefusal, noteReplicaRoleRefused, replicaRoleRefused } from "@keysmith/db";
import {
  type FieldErrors,
  type ImportedApiKeys,
  isRefusedImportItem,
  KeysmithError,
  type ParsedImportApiKeyItem,
  type RefusedImportApiKeyItem,
  type Scope,
  SCOPES,
} from "@keysmith/validators";

import { creditColumns } from "./credits.ts";
import { requireWithinBounds } from "./mint-bounds.ts";
import { requireScope } from "./scopes.ts";
import { isStoredHash } from "./stored-hash.ts";

/** A foreign key this long shows 7 characters in lists (a vendor prefix like "sk_live"); a shorter one only 3. */
const LONG_FOREIGN_KEY = 32;

/** The first `units` UTF-16 units of `text`, one fewer when the last would be half of a surrogate pair (an emoji cut in two). */
function leadingUnits(text: string, units: number): string {
  const cut = text.slice(0, units);
  const last = cut.charCodeAt(cut.length - 1);
  return cut.length === units && text.length > units && last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * What lists show of an imported key, never enough to use it: a Keysmith key
 * its "ak_" and 4 characters, as a native one; another key its first 7
 * characters when it is at least 32 long (a fixed vendor prefix like
 * "sk_live_" is often most of that), else 3; a key imported by hash "#" and
 * the hash's first 6 hex digits, which are no part of the key. Lengths are
 * UTF-16 units, as the key's own are (IMPORTED_KEY_LENGTH), and an emoji is
 * never cut in two: the prefix ends before it instead.
 */
function importedKeyPrefix(item: { key?: string | undefined; key_hash?: string | undefined }, native: boolean): string {
  if (item.key === undefined) return `#${(item.key_hash ?? "").slice(0, 6)}`;
  if (native) return apiKeyDisplayPrefix(item.key);
  return leadingUnits(item.key, item.key.length >= LONG_FOREIGN_KEY ? 7 : 3);
}

/** One item, ready to store. */
interface Row {
  hashHex: string;
  prefix: string;
  foreign: boolean;
  scopes: Scope[];
}

// One statement for every row and its audit event, prepared once per connection; outside BEGIN it is
// its own transaction, so the keys, the event and the api_keys trigger's NOTIFY commit together or
// not at all. Ids are drawn in the order given (so they follow it, and the event lists them in
// ascending order), but the rows are inserted in the order of their hashes: two imports sharing keys
// then take the unique index's entries in the same order, so one waits for the other and fails on
// the first key it finds stored (a 409 below) rather than each holding a key the other needs (a
// deadlock). A plain INSERT, not ON CONFLICT DO NOTHING: ON CONFLICT's speculative insertion cost
// every row a second probe of the key-hash index (about a tenth of the call, measured), only for the
// rare call that conflicts, whose stored keys importApiKeys names after the statement has failed.
// Scopes travel comma-joined, since unnest flattens an array of arrays. The call's one `key.imported`
// event holds the count and the ids: an event per key would write a thousand more rows, each with
// its indexes, and cost the import a third of its rate (measured); a key's own history finds the
// event by its id (listAuditLog). The answer is one row, the count stored and the ids in the order
// given (each row's position), not a row per key with its hash in hex: a thousand rows encoded, sent,
// parsed and matched back to their items by hash cost the call a few percent.
//
// The owner is read FOR KEY SHARE, the lock a foreign-key check takes (nobody can delete the account
// until the import commits), and joined to every row: an owner gone before the call stores no row and
// no event, and the answer counts none stored. Unless the role was refused it before (see
// @keysmith/db's replica-role.ts), `replica` turns off, for this transaction, every trigger that is
// not ENABLE ALWAYS, so that PostgreSQL does not check the owner's foreign key once more per key: with
// a million keys in the table that check was about a fifth of a call (docs/performance.md, "Import").
// The lock above is that check, made once; every row and the event name that owner, and no imported
// row names a rolled key (replaces_id). Every other trigger an INSERT into api_keys or audit_events
// fires is ENABLE ALWAYS (the new keys' notification), which a test holds to. PostgreSQL decides
// whether a row's trigger fires when the row is inserted, and the role is set by the CTE joined into
// `given`, before `given` has a row (a test sees an origin-only trigger fire for none of them).
function insertKeysStatement(ownerCheckedOnce: boolean) {
  return {
    name: ownerCheckedOnce ? "keysmith_import_keys_owner_once" : "keysmith_import_keys",
    text: `
  WITH ${ownerCheckedOnce ? "replica AS (SELECT set_config('session_replication_role', 'replica', true)), " : ""}owner AS (
    SELECT id FROM users WHERE id = $1 FOR KEY SHARE
  ), given AS (
    SELECT i.*, decode(i.hash_hex, 'hex') AS key_hash, nextval('api_keys_id_seq') AS id
      FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::timestamp[], $10::int[],
                  $11::int[], $12::int[], $13::text[], $14::timestamp[])
           WITH ORDINALITY AS i(name, description, hash_hex, prefix, "foreign", scopes, expires_at, rate_limit_per_minute,
                                remaining, refill_amount, refill_interval, refilled_at, position)${ownerCheckedOnce ? " CROSS JOIN replica" : ""}
     ORDER BY i.position
  ), created AS (
    INSERT INTO api_keys (id, user_id, created_at, name, description, key_hash, prefix, "foreign", scopes, expires_at, rate_limit_per_minute,
                          remaining, refill_amount, refill_interval, refilled_at)
    SELECT g.id, o.id, $2::timestamp, g.name, g.description, g.key_hash, g.prefix, g."foreign", string_to_array(g.scopes, ','),
           g.expires_at, g.rate_limit_per_minute, g.remaining, g.refill_amount, g.refill_interval, g.refilled_at
      FROM given g CROSS JOIN owner o
     ORDER BY g.key_hash
    RETURNING id
  ), event AS (
    INSERT INTO audit_events (at, user_id, event, actor_type, actor_key_id, client_address, user_agent, details)
    SELECT $15::timestamp, $16::int, $17, $18, $19::int, $20, $21,
           jsonb_build_object('count', count(*), 'ids', coalesce(jsonb_agg(id::text ORDER BY id), '[]'::jsonb))
      FROM created
    HAVING count(*) > 0
  )
  SELECT (SELECT count(*) FROM created)::int AS stored, array_agg(id::int ORDER BY position) AS ids FROM given`,
  };
}
const INSERT_KEYS = insertKeysStatement(false);
const INSERT_KEYS_OWNER_CHECKED_ONCE = insertKeysStatement(true);

/** What a call acting for an account that is gone by the time it stores anything gets. */
function ownerGone(): KeysmithError {
  return new KeysmithError("UNAUTHORIZED", "No key was imported: the account this call acts for no longer exists.");
}

/** How many rows the statement stored (all or, with no owner, none), and the ids it drew, in the order the keys were given. */
type Created = { stored: number; ids: number[] | null };

/** An aggregate without GROUP BY answers one row, whatever it aggregated. */
function firstRow({ rows }: { rows: Created[] }): Created {
  return rows[0] ?? { stored: 0, ids: null };
}

/**
 * Sends the statement that checks the owner once, unless this pool's role was
 * refused the replication role before; refused now, it notes that and sends
 * the statement with the per-row checks, as every later call on the pool does.
 */
async function insertKeys(columns: unknown[]): Promise<Created> {
  const pool = getPool();
  if (!replicaRoleRefused(pool)) {
    try {
      return firstRow(await pool.query<Created>({ ...INSERT_KEYS_OWNER_CHECKED_ONCE, values: columns }));
    } catch (error) {
      if (!isReplicaRoleRefusal(error)) throw error;
      noteReplicaRoleRefused(pool);
    }
  }
  return firstRow(await pool.query<Created>({ ...INSERT_KEYS, values: columns }));
}

/** Of `hashesHex`, those already stored (by anyone), as hex. */
async function storedHashes(hashesHex: readonly string[]): Promise<Set<string>> {
  const { rows } = await getPool().query<{ hash_hex: string }>(
    "SELECT encode(key_hash, 'hex') AS hash_hex FROM api_keys WHERE key_hash = ANY (SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)",
    [hashesHex],
  );
  return new Set(rows.map((row) => row.hash_hex));
}

const where = (index: number, field?: string) => (field === undefined ? `keys[${index}]` : `keys[${index}].${field}`);
/** The item a field name is about (`keys[3].name`: 3), or undefined for the list itself (`keys`). */
const itemOf = (field: string) => {
  const index = /^keys\[(\d+)\]/.exec(field)?.[1];
  return index === undefined ? undefined : Number(index);
};

/** One failure for the whole call, naming each failing item; the message counts them and quotes the first. */
function itemsFailed(code: "BAD_REQUEST" | "FORBIDDEN" | "CONFLICT", fields: FieldErrors, total: number, why: (one: boolean) => string, together?: string): KeysmithError {
  const failing = new Set(Object.keys(fields).map(itemOf).filter((index) => index !== undefined)).size;
  const [field, reasons] = Object.entries(fields)[0] ?? [];
  const first = field === undefined ? "" : ` ${field}: ${reasons?.[0] ?? ""}`;
  const what = failing === 0 && together !== undefined ? together : `${failing} of ${total} ${why(failing === 1)}`;
  return new KeysmithError(code, `No key was imported: ${what}.${first}`, { fields });
}

/** `fields` in the order of the items they name (the list itself, `keys`, last), each item's fields in the order given. */
function byItem(...sources: FieldErrors[]): FieldErrors {
  const entries = sources.flatMap((fields) => Object.entries(fields));
  const order = (field: string) => itemOf(field) ?? Number.MAX_SAFE_INTEGER;
  entries.sort(([a], [b]) => order(a) - order(b));
  const merged: FieldErrors = {};
  for (const [field, reasons] of entries) (merged[field] ??= []).push(...reasons);
  return merged;
}

/**
 * What no single item shows: the bounds that add up over a whole call. An
 * API key may give the keys it imports, together, no more credits than it has
 * left, refills of no more than its own, and rate limits adding up to no more
 * than its own limit; otherwise one call could mint a thousand times what it
 * holds. Named `keys` (the list), each reason with its total. Items beyond
 * the caller's bounds on their own are named by requireWithinBounds; with one
 * item only, that says it all.
 */
function beyondAsAWhole(principal: Principal, items: readonly ParsedImportApiKeyItem[]): string[] {
  if (principal.via !== "key") return [];
  const { remaining, refill, rateLimitPerMinute } = principal.bounds;
  const reasons: string[] = [];
  const sum = (values: (number | null | undefined)[]) => {
    const given = values.filter((value) => value !== null && value !== undefined);
    return { total: given.reduce((a, b) => a + b, 0), several: given.length > 1 };
  };

  if (remaining !== null) {
    const credits = sum(items.map((item) => item.remaining));
    if (credits.several && credits.total > remaining) {
      reasons.push(`This API key has ${remaining} credits left, so the keys it imports can have at most ${remaining} credits in all (their remaining added up), not ${credits.total}.`);
    }
    // refills of another interval are refused item by item (requireWithinBounds)
    const refills = refill ? sum(items.map((item) => (item.refill?.interval === refill.interval ? item.refill.amount : null))) : undefined;
    if (refill && refills?.several && refills.total > refill.amount) {
      reasons.push(
        `This API key is refilled with ${refill.amount} credits a ${refill.interval}, so the keys it imports can be refilled with at most ` +
          `${refill.amount} credits a ${refill.interval} in all (their refill.amount added up), not ${refills.total}.`,
      );
    }
  }
  if (rateLimitPerMinute !== null) {
    const limits = sum(items.map((item) => item.rate_limit_per_minute));
    if (limits.several && limits.total > rateLimitPerMinute) {
      reasons.push(
        `This API key allows ${rateLimitPerMinute} verifications a minute, so the keys it imports can allow at most ${rateLimitPerMinute} a minute in all ` +
          `(their rate_limit_per_minute added up), not ${limits.total}.`,
      );
    }
  }
  return reasons;
}

/**
 * Imports existing keys for the caller, all or none, in one transaction:
 * one statement stores every row and the call's one `key.imported` event
 * (the count and the ids, in the order given), the owner's foreign key
 * checked once where the role may (see insertKeysStatement). The insert
 * NOTIFYs every instance of each new hash (the api_keys trigger), as a
 * creation does. A thousand keys take a few tens of milliseconds (`pnpm
 * bench`: "key import"). A call for an account that no longer exists is 401.
 *
 * A plaintext `ak_` key that passes the format check is stored as a native
 * key (it is one); any other plaintext, and every key given by hash only, is
 * `foreign`: verified by hash through the verify route and procedure, never
 * a Bearer credential for this API.
 *
 * `input` is ZImportApiKeysInput's output, or judgeImportApiKeysInput's,
 * whose refused items (with the schema's reasons in `invalid`) are still
 * checked for what needs no database, so the 400 names everything wrong at
 * once. One status for the call, whatever else is wrong: 400 when any item
 * is bad input (the schema's rules, an expiry already past, an `ak_` key
 * whose checksum fails, the same key twice in the call), else 403 when an
 * API-key caller asks for any key stronger than itself (the create bounds,
 * per item, and the credits, refills and rate limits of all the items added
 * up), else 409 when any key is already stored in Keysmith (by anyone: the
 * answer does not say whose). Each names every failing item: `keys[3].name`,
 * `keys[7]`; the sums name `keys`.
 */
export async function importApiKeys({
  principal,
  input,
  now,
}: {
  principal: Principal;
  input: { keys: readonly (ParsedImportApiKeyItem | RefusedImportApiKeyItem)[]; invalid?: FieldErrors };
  now: Date;
}): Promise<ImportedApiKeys> {
  requireScope(principal, "keys:write");
  const total = input.keys.length;

  // what needs no database, of every item, even of those the schema refused (as far as their fields allow)
  const invalid: FieldErrors = {};
  const firstIndexOf = new Map<string, number>();
  // each item's hash, and whether it is a Keysmith key (its format checked once: a checksum per key)
  const checked = input.keys.map((item, index) => {
    if (item.expires_at && item.expires_at.getTime() <= now.getTime()) (invalid[where(index, "expires_at")] ??= []).push("expires_at must be in the future.");
    // starts with ak_ yet is no Keysmith key: verification refuses such a value without a lookup, so it could never be used
    const problem = item.key === undefined ? "prefix" : checkApiKeyFormat(item.key);
    if (problem !== undefined && problem !== "prefix") {
      (invalid[where(index, "key")] ??= []).push("This key starts with ak_ but is not a Keysmith key (its length, characters or checksum are wrong): check that it was copied whole.");
    }
    const hashHex = (item.key !== undefined ? hashApiKeyHex(item.key) : item.key_hash) ?? "";
    if (hashHex !== "") {
      const first = firstIndexOf.get(hashHex);
      if (first === undefined) firstIndexOf.set(hashHex, index);
      else (invalid[where(index)] ??= []).push(`This is the same key as keys[${first}]: each key can be imported once.`);
    }
    return { hashHex, native: problem === undefined };
  });
  const bad = byItem(input.invalid ?? {}, invalid);
  if (Object.keys(bad).length > 0) throw itemsFailed("BAD_REQUEST", bad, total, () => "cannot be imported as given");
  const items = input.keys.filter((item): item is ParsedImportApiKeyItem => !isRefusedImportItem(item));
  // a refused item always brings its reasons in `invalid` (judgeImportApiKeysInput), so none is left here and
  // `items` lines up with `checked`; a caller breaking that would store keys under another item's hash
  if (items.length !== total) throw new Error("importApiKeys: an item the schema refused came without its reasons in `invalid`.");

  const rows: Row[] = items.map((item, index) => {
    const { hashHex, native } = checked[index] ?? { hashHex: "", native: false };
    return { hashHex, prefix: importedKeyPrefix(item, native), foreign: !native, scopes: item.scopes ? [...new Set(item.scopes)] : [...SCOPES] };
  });

  // the create bounds, item by item (a key may import nothing stronger than itself), and what adds up over the call
  const beyond: FieldErrors = {};
  items.forEach((item, index) => {
    try {
      requireWithinBounds(
        principal,
        {
          scopes: rows[index]?.scopes ?? [],
          expiresAt: item.expires_at ?? null,
          rateLimitPerMinute: item.rate_limit_per_minute ?? null,
          remaining: item.remaining ?? null,
          refill: item.refill ?? null,
        },
        "issue",
      );
    } catch (error) {
      if (!(error instanceof KeysmithError) || error.code !== "FORBIDDEN") throw error;
      for (const [field, reasons] of Object.entries(error.details.fields ?? {})) beyond[where(index, field)] = reasons;
    }
  });
  const together = beyondAsAWhole(principal, items);
  if (together.length > 0) beyond.keys = together;
  if (Object.keys(beyond).length > 0) {
    throw itemsFailed("FORBIDDEN", beyond, total, () => "would be stronger than the API key importing them", `together, these ${total} keys would be stronger than the API key importing them`);
  }

  const credits = items.map((item) => creditColumns(item.remaining ?? null, item.refill ?? null, now));
  const audit = auditSqlValues({ event: "key.imported", at: now, ...auditedBy(principal) });
  // the event's owner is checked with the keys' (one lock, on the keys' owner), so it must be the same account
  if (audit.userId !== principal.user.id) throw new Error("importApiKeys: the audit event names another account than the keys.");
  const columns = [
    principal.user.id,
    now.toISOString(),
    items.map((item) => item.name),
    items.map((item) => item.description),
    rows.map((row) => row.hashHex),
    rows.map((row) => row.prefix),
    rows.map((row) => row.foreign),
    rows.map((row) => row.scopes.join(",")),
    items.map((item) => item.expires_at?.toISOString() ?? null),
    items.map((item) => item.rate_limit_per_minute ?? null),
    credits.map((column) => column.remaining),
    credits.map((column) => column.refillAmount),
    credits.map((column) => column.refillInterval),
    credits.map((column) => column.refilledAt?.toISOString() ?? null),
    ...auditWhoAndWhen(audit),
  ];

  // The raw pool rather than Prisma: a thousand rows through Prisma's raw query cost a third more
  // (measured), which the import's rate needs. A key stored already fails the whole statement, which
  // then stores nothing; the stored ones are looked up afterwards, to name them all.
  let created: Created;
  try {
    created = await insertKeys(columns);
  } catch (error) {
    if (!isStoredHash(error)) throw error;
    const stored = await storedHashes(rows.map((row) => row.hashHex));
    const conflicts: FieldErrors = {};
    rows.forEach((row, index) => {
      if (stored.has(row.hashHex)) conflicts[where(index)] = ["This key is already stored in Keysmith."];
    });
    // none found: the key that failed the statement was deleted again since
    throw stored.size > 0
      ? itemsFailed("CONFLICT", conflicts, total, (one) => `${one ? "is" : "are"} already stored in Keysmith`)
      : new KeysmithError("CONFLICT", "No key was imported: one of these keys was stored by someone else and deleted again while the call ran. Send the call again.");
  }
  // no owner to join every row to (the account deleted since the call was authenticated): nothing was stored
  if (created.stored === 0 && total > 0) throw ownerGone();
  const ids = created.ids ?? [];
  if (created.stored !== total || ids.length !== total) throw new Error(`importApiKeys: the statement stored ${created.stored} of ${total} keys and drew ${ids.length} ids.`);

  // as createApiKey does: this instance forgets any answer it held for the new hashes at once
  for (const row of rows) forgetKeyLocally(Buffer.from(row.hashHex, "hex"));
  const keys = rows.map((row, index) => ({ id: ids[index] ?? 0, name: items[index]?.name ?? "", prefix: row.prefix }));
  return { imported: keys.length, keys };
}
