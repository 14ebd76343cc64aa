import { type AuditEntry, forgetKeyLocally, hashApiKey, recordAuditEvents, type RequestClient } from "@keysmith/auth";
import { getDb, transactionTimeouts } from "@keysmith/db";
import { type LeakSource } from "@keysmith/validators";

/** One key someone found in public, and where, as far as they said. */
export interface FoundKey {
  key: string;
  url?: string | null | undefined;
  /** GitHub's name for where (content, commit, npm, …). */
  location?: string | null | undefined;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A key's stored hash as lowercase hex: what GitHub's feedback calls token_hash. */
const keyHashHex = (key: string) => hex(hashApiKey(key));

/**
 * Revokes every live key among `found` and records, once per key, that it
 * leaked: where and how Keysmith learned of it, for the owner's list, key
 * page, banner and audit log. One lookup by hash for the whole batch, one
 * UPDATE, one INSERT of audit events, in one transaction; the UPDATE NOTIFYs
 * every instance at commit (the api_keys trigger), as a revocation does.
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
  if (byHash.size === 0) return { hashes, existing: new Set() };
  const { existing, leaked } = await getDb().$transaction(async (tx) => {
    const rows = await tx.apiKey.findMany({
      where: { keyHash: { in: [...byHash.keys()].map((hash) => new Uint8Array(Buffer.from(hash, "hex"))) } },
      select: { id: true, keyHash: true },
    });
    const existing = new Set(rows.map((row) => hex(row.keyHash)));
    if (rows.length === 0) return { existing, leaked: [] };
    const ids = rows.map((row) => row.id);
    const where = rows.map((row) => byHash.get(hex(row.keyHash)));
    const at = now.toISOString();
    // `leaked_at IS NULL` is re-checked after a concurrent report's commit, so each leak is recorded (and audited) once
    const leaked = await tx.$queryRaw<{ id: number; user_id: number; name: string; key_hash: Uint8Array; location: string | null; url: string | null }[]>`
      UPDATE api_keys AS k SET
        revoked_at = CASE WHEN k.revoked_at IS NULL OR k.revoked_at > ${at}::timestamp THEN ${at}::timestamp ELSE k.revoked_at END,
        leaked_at = ${at}::timestamp, leak_source = ${source}, leak_location = found.location, leak_url = found.url
      FROM unnest(${ids}::int[], ${where.map((entry) => entry?.location ?? null)}::text[], ${where.map((entry) => entry?.url ?? null)}::text[]) AS found(id, location, url)
      WHERE k.id = found.id AND k.leaked_at IS NULL
      RETURNING k.id, k.user_id, k.name, k.key_hash, found.location, found.url`;
    const actor: AuditEntry["actor"] = { type: source === "github" ? "github" : "anonymous" };
    await recordAuditEvents(
      leaked.map((row) => ({
        event: "key.leaked",
        at: now,
        userId: row.user_id,
        actor,
        key: { id: row.id, name: row.name },
        client,
        details: { source, location: row.location, url: row.url },
      })),
      tx,
    );
    return { existing, leaked };
  }, transactionTimeouts());
  // after the commit, as revokeApiKey does: a lookup before it would cache the row as it was
  for (const row of leaked) forgetKeyLocally(row.key_hash);
  return { hashes, existing };
}
