import { apiKeyDisplayPrefix, auditedBy, checkApiKeyFormat, cleanUserAgent, forgetKeyLocally, hashApiKey, type Principal } from "@keysmith/auth";
import { inPoolTransaction } from "@keysmith/db";
import { type AuditEventName, type FieldErrors, type ImportedApiKeys, KeysmithError, type ParsedImportApiKeysInput, type Scope, SCOPES } from "@keysmith/validators";

import { creditColumns } from "./credits.ts";
import { requireWithinBounds } from "./mint-bounds.ts";
import { requireScope } from "./scopes.ts";

/** A foreign key this long shows 7 characters in lists (a vendor prefix like "sk_live"); a shorter one only 3. */
const LONG_FOREIGN_KEY = 32;

/**
 * What lists show of an imported key, never enough to use it: a Keysmith key
 * its "ak_" and 4 characters, as a native one; another key its first 7
 * characters when it is at least 32 long (a fixed vendor prefix like
 * "sk_live_" is often most of that), else 3; a key imported by hash "#" and
 * the hash's first 6 hex digits, which are no part of the key.
 */
function importedKeyPrefix(item: { key?: string | undefined; key_hash?: string | undefined }, native: boolean): string {
  if (item.key === undefined) return `#${(item.key_hash ?? "").slice(0, 6)}`;
  if (native) return apiKeyDisplayPrefix(item.key);
  return item.key.slice(0, item.key.length >= LONG_FOREIGN_KEY ? 7 : 3);
}

/** One item, ready to store. */
interface Row {
  hashHex: string;
  prefix: string;
  foreign: boolean;
  scopes: Scope[];
}

interface StoredRow {
  id: number;
  name: string;
  prefix: string;
  hash_hex: string;
}

// One statement for every row, in the order given (so ids follow it), prepared once per connection.
// A hash already stored is skipped rather than failing the statement, so the answer can name every
// conflict; the call is then rolled back. Scopes travel comma-joined, since unnest flattens an
// array of arrays.
const INSERT_KEYS = {
  name: "keysmith_import_keys",
  text: `
  INSERT INTO api_keys (user_id, created_at, name, description, key_hash, prefix, "foreign", scopes, expires_at, rate_limit_per_minute,
                        remaining, refill_amount, refill_interval, refilled_at)
  SELECT $1, $2::timestamp, i.name, i.description, decode(i.hash_hex, 'hex'), i.prefix, i."foreign", string_to_array(i.scopes, ','),
         i.expires_at, i.rate_limit_per_minute, i.remaining, i.refill_amount, i.refill_interval, i.refilled_at
    FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::timestamp[], $10::int[],
                $11::int[], $12::int[], $13::text[], $14::timestamp[])
         WITH ORDINALITY AS i(name, description, hash_hex, prefix, "foreign", scopes, expires_at, rate_limit_per_minute,
                              remaining, refill_amount, refill_interval, refilled_at, position)
   ORDER BY i.position
  ON CONFLICT (key_hash) DO NOTHING
  RETURNING id, name, prefix, encode(key_hash, 'hex') AS hash_hex`,
};

// what recordAudit writes, for one event about the whole import rather than one key
const IMPORTED: AuditEventName = "key.imported";
const INSERT_AUDIT_EVENT = `
  INSERT INTO audit_events (at, user_id, event, actor_type, actor_key_id, client_address, user_agent, details)
  VALUES ($1::timestamp, $2, $3, $4, $5, $6, $7, $8::jsonb)`;

const where = (index: number, field?: string) => (field === undefined ? `keys[${index}]` : `keys[${index}].${field}`);

/** One failure for the whole call, naming each failing item; the message counts them and quotes the first. */
function itemsFailed(code: "BAD_REQUEST" | "FORBIDDEN" | "CONFLICT", fields: FieldErrors, total: number, why: (one: boolean) => string): KeysmithError {
  const failing = new Set(Object.keys(fields).map((field) => field.replace(/\].*$/, "]"))).size;
  const [field, reasons] = Object.entries(fields)[0] ?? [];
  const first = field === undefined ? "" : ` ${field}: ${reasons?.[0] ?? ""}`;
  return new KeysmithError(code, `No key was imported: ${failing} of ${total} ${why(failing === 1)}.${first}`, { fields });
}

/**
 * Imports existing keys for the caller, all or none, in one transaction:
 * one INSERT of every row and one audit event (`key.imported`, with the count
 * and the ids). The insert NOTIFYs every instance of each new hash (the
 * api_keys trigger), as a creation does. A thousand keys take a few tens of
 * milliseconds (`pnpm bench`: "key import").
 *
 * A plaintext `ak_` key that passes the format check is stored as a native
 * key (it is one); any other plaintext, and every key given by hash only, is
 * `foreign`: verified by hash through the verify route and procedure, never
 * a Bearer credential for this API.
 *
 * One status for the call, whatever else is wrong: 400 when any item is bad
 * input (the schema's rules, an expiry already past, an `ak_` key whose
 * checksum fails, the same key twice in the call), else 403 when an API-key
 * caller asks for any key stronger than itself (the create bounds, per item),
 * else 409 when any key is already stored in Keysmith (by anyone: the answer
 * does not say whose). Each names every failing item: `keys[3].name`,
 * `keys[7]`.
 */
export async function importApiKeys({ principal, input, now }: { principal: Principal; input: ParsedImportApiKeysInput; now: Date }): Promise<ImportedApiKeys> {
  requireScope(principal, "keys:write");
  const total = input.keys.length;

  const invalid: FieldErrors = {};
  const firstIndexOf = new Map<string, number>();
  const rows: Row[] = input.keys.map((item, index) => {
    if (item.expires_at && item.expires_at.getTime() <= now.getTime()) (invalid[where(index, "expires_at")] ??= []).push("expires_at must be in the future.");
    const problem = item.key === undefined ? "prefix" : checkApiKeyFormat(item.key);
    const native = problem === undefined;
    // starts with ak_ yet is no Keysmith key: verification refuses such a value without a lookup, so it could never be used
    if (problem !== undefined && problem !== "prefix") {
      (invalid[where(index, "key")] ??= []).push("This key starts with ak_ but is not a Keysmith key (its length, characters or checksum are wrong): check that it was copied whole.");
    }
    const hashHex = item.key !== undefined ? Buffer.from(hashApiKey(item.key)).toString("hex") : (item.key_hash ?? "");
    const first = firstIndexOf.get(hashHex);
    if (first === undefined) firstIndexOf.set(hashHex, index);
    else (invalid[where(index)] ??= []).push(`This is the same key as keys[${first}]: each key can be imported once.`);
    return { hashHex, prefix: importedKeyPrefix(item, native), foreign: !native, scopes: item.scopes ? [...new Set(item.scopes)] : [...SCOPES] };
  });
  if (Object.keys(invalid).length > 0) throw itemsFailed("BAD_REQUEST", invalid, total, () => "cannot be imported as given");

  // the create bounds, item by item: a key may import nothing stronger than itself
  const beyond: FieldErrors = {};
  input.keys.forEach((item, index) => {
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
  if (Object.keys(beyond).length > 0) throw itemsFailed("FORBIDDEN", beyond, total, () => "would be stronger than the API key importing them");

  const credits = input.keys.map((item) => creditColumns(item.remaining ?? null, item.refill ?? null, now));
  const columns = [
    principal.user.id,
    now.toISOString(),
    input.keys.map((item) => item.name),
    input.keys.map((item) => item.description),
    rows.map((row) => row.hashHex),
    rows.map((row) => row.prefix),
    rows.map((row) => row.foreign),
    rows.map((row) => row.scopes.join(",")),
    input.keys.map((item) => item.expires_at?.toISOString() ?? null),
    input.keys.map((item) => item.rate_limit_per_minute ?? null),
    credits.map((column) => column.remaining),
    credits.map((column) => column.refillAmount),
    credits.map((column) => column.refillInterval),
    credits.map((column) => column.refilledAt?.toISOString() ?? null),
  ];

  // The raw pool rather than Prisma: a thousand rows through Prisma's raw query cost a third more
  // (measured), which the import's rate needs. The audit event is written here too, in the same
  // transaction, as the usage flush writes key.first_used.
  // each stored key, in the order given
  const stored = await inPoolTransaction(async (client) => {
    const byHash = new Map((await client.query<StoredRow>({ ...INSERT_KEYS, values: columns })).rows.map((row) => [row.hash_hex, row]));
    if (byHash.size < rows.length) {
      const conflicts: FieldErrors = {};
      rows.forEach((row, index) => {
        if (!byHash.has(row.hashHex)) conflicts[where(index)] = ["This key is already stored in Keysmith."];
      });
      // rolled back: every row inserted above is undone
      throw itemsFailed("CONFLICT", conflicts, total, (one) => `${one ? "is" : "are"} already stored in Keysmith`);
    }
    const inOrder = rows.map((row) => byHash.get(row.hashHex)).filter((row) => row !== undefined);
    const { userId, actor, client: caller } = auditedBy(principal);
    const details = { count: inOrder.length, ids: inOrder.map((row) => String(row.id)) };
    await client.query(INSERT_AUDIT_EVENT, [now.toISOString(), userId, IMPORTED, actor.type, actor.keyId ?? null, caller?.address ?? null, cleanUserAgent(caller?.userAgent), JSON.stringify(details)]);
    return inOrder;
  });

  // as createApiKey does: this instance forgets any answer it held for the new hashes at once
  for (const row of stored) forgetKeyLocally(Buffer.from(row.hash_hex, "hex"));
  return { imported: stored.length, keys: stored.map(({ id, name, prefix }) => ({ id, name, prefix })) };
}
