import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { getDb, type Prisma, transactionTimeouts } from "@keysmith/db";
import { type ApiKeySummary, type AuditDetails, type FieldErrors, KeysmithError, type ParsedUpdateApiKeyFields, type Scope } from "@keysmith/validators";

import { creditColumns, refillOf, refillText, refillWithin } from "./credits.ts";
import { keyEvent } from "./key-event.ts";
import { statusOf } from "./key-status.ts";
import { type MintedPowers, requireWithinBounds } from "./mint-bounds.ts";
import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

const RACED = "This key was changed by another request a moment ago; load it again and repeat your change.";

/**
 * Changes a key's name, description, expiry, rate limit, credits, refill or scopes. Scopes only
 * narrow: an update never gives a key a scope it lacks (a wider key is a new
 * key). A key caller may lengthen a key's life or loosen its limit only when
 * the key ends up wholly within the caller's own bounds, as when it issues one. A revoked or expired key keeps its name and description
 * editable, but what it may do is settled. Every instance's cache drops the
 * key at commit (the change trigger), this one at once.
 */
export async function updateApiKey({
  principal,
  id,
  fields,
  now,
}: {
  principal: Principal;
  id: number;
  fields: ParsedUpdateApiKeyFields;
  now: Date;
}): Promise<ApiKeySummary> {
  requireScope(principal, "keys:write");
  const row = await findOwnedKey({ principal, id });
  const errors: FieldErrors = {};
  const powers: Partial<MintedPowers> = {};

  if (fields.scopes !== undefined) {
    const scopes = [...new Set(fields.scopes)];
    const wider = scopes.filter((scope) => !row.scopes.includes(scope));
    if (wider.length > 0) {
      errors.scopes = [`Scopes can only be narrowed: this key does not have ${wider.join(", ")}. Create a new key for wider access.`];
    }
    powers.scopes = scopes;
  }
  if (fields.expires_at !== undefined) {
    if (fields.expires_at && fields.expires_at.getTime() <= now.getTime()) errors.expires_at = ["expires_at must be in the future."];
    powers.expiresAt = fields.expires_at;
  }
  if (fields.rate_limit_per_minute !== undefined) powers.rateLimitPerMinute = fields.rate_limit_per_minute;
  if (fields.remaining !== undefined) powers.remaining = fields.remaining;
  if (fields.refill !== undefined) powers.refill = fields.refill;
  const remaining = powers.remaining === undefined ? row.remaining : powers.remaining;
  // unlimited use has nothing to refill: clearing the credits clears the refill
  const refill = remaining === null ? null : powers.refill === undefined ? refillOf(row) : powers.refill;
  if (powers.refill && remaining === null) errors.refill = ["A refill needs credits to refill: set remaining too."];
  if (Object.keys(errors).length > 0) {
    const reasons = Object.values(errors).flat().join(" ");
    throw new KeysmithError(errors.scopes ? "FORBIDDEN" : "BAD_REQUEST", reasons, { fields: errors });
  }
  // Lengthening a key's life or loosening its limit makes it stronger: a key caller may do
  // that only to a key that, afterwards, is wholly within its own bounds (as when it issues one).
  // Narrowing scopes, shortening life or tightening the limit only weakens, so needs no bounds.
  const expiresAt = powers.expiresAt === undefined ? row.expiresAt : powers.expiresAt;
  const rateLimitPerMinute = powers.rateLimitPerMinute === undefined ? row.rateLimitPerMinute : powers.rateLimitPerMinute;
  const livesLonger = powers.expiresAt !== undefined && row.expiresAt !== null && (expiresAt === null || expiresAt > row.expiresAt);
  const allowsMore = powers.rateLimitPerMinute !== undefined && row.rateLimitPerMinute !== null && (rateLimitPerMinute === null || rateLimitPerMinute > row.rateLimitPerMinute);
  const creditsMore = powers.remaining !== undefined && row.remaining !== null && (remaining === null || remaining > row.remaining);
  const refillsMore = powers.refill !== undefined && refill !== null && !refillWithin(refill, refillOf(row));
  if (livesLonger || allowsMore || creditsMore || refillsMore) {
    requireWithinBounds(principal, { scopes: powers.scopes ?? (row.scopes as Scope[]), expiresAt, rateLimitPerMinute, remaining, refill }, "change");
  }

  const status = statusOf(row, now);
  if ((status === "revoked" || status === "expired") && Object.keys(powers).length > 0) {
    throw new KeysmithError(
      "CONFLICT",
      `That key has ${status === "revoked" ? "been revoked" : "expired"}: only its name and description can change. Create a new key instead.`,
    );
  }
  const creditsChange = powers.remaining !== undefined || powers.refill !== undefined;
  if (status === "rolling" && creditsChange) await refuseCreditsOfRollingKey(row.id, fields);

  // only if nothing changed it since it was read: the scope check above was made against that row
  const updated = await getDb().$transaction(async (tx) => {
    const rows = await tx.apiKey.updateManyAndReturn({
      where: { id: row.id, userId: principal.user.id, scopes: { equals: row.scopes }, revokedAt: row.revokedAt, expiresAt: row.expiresAt },
      data: {
        ...(fields.name !== undefined ? { name: fields.name } : {}),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        ...(powers.scopes !== undefined ? { scopes: [...(powers.scopes as Scope[])] } : {}),
        ...(powers.expiresAt !== undefined ? { expiresAt: powers.expiresAt } : {}),
        ...(powers.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: powers.rateLimitPerMinute } : {}),
        ...(powers.remaining !== undefined || powers.refill !== undefined ? creditColumns(remaining, refill, now) : {}),
      },
    });
    const [first] = rows;
    if (!first) return { rows, spenders: [] };
    await recordAudit(keyEvent(principal, "key.updated", first, now, changeDetails(fields, powers)), tx);
    return { rows, spenders: creditsChange ? await rollingPredecessors(tx, first.id, now) : [] };
  }, transactionTimeouts());
  const [changed] = updated.rows;
  if (!changed) throw new KeysmithError("CONFLICT", RACED);
  forgetKeyLocally(row.keyHash);
  for (const hash of updated.spenders) forgetKeyLocally(hash);
  return toSummary(changed, now);
}

/**
 * A key rolled with a grace spends its successor's credits until the grace ends (the roll moved them
 * there, and verification follows the lineage to its newest key): changing its own would change
 * nothing it spends, so the change is refused, naming the key whose credits to change instead. A
 * rolling key whose successor was deleted spends its own credits again, and may change them.
 */
async function refuseCreditsOfRollingKey(id: number, fields: ParsedUpdateApiKeyFields): Promise<void> {
  const successor = await getDb().apiKey.findUnique({ where: { replacesId: id }, select: { id: true } });
  if (!successor) return;
  const reason = (field: string) =>
    `Key ${id} is rolling: until its grace period ends it spends the credits of its successor, key ${successor.id}, so change ${field} on key ${successor.id} instead.`;
  const errors: FieldErrors = {};
  if (fields.remaining !== undefined) errors.remaining = [reason("remaining")];
  if (fields.refill !== undefined) errors.refill = [reason("refill")];
  throw new KeysmithError("CONFLICT", reason(Object.keys(errors).join(" and ")), { fields: errors });
}

/**
 * The keys still in a roll's grace that spend `id`'s credits: its predecessors (the lineage back
 * through replaces_id) not yet revoked at `now`. Verification caches whether a key has credits, and a
 * rolled key's answer is its newest successor's: a trigger NOTIFYs these keys' hashes at commit when
 * that key's credits change (every instance drops them then); their hashes are returned for this
 * instance to forget at once, as it forgets the key changed.
 */
async function rollingPredecessors(tx: Prisma.TransactionClient, id: number, now: Date): Promise<Uint8Array[]> {
  const rolling = await tx.$queryRaw<{ keyHash: Uint8Array }[]>`
    WITH RECURSIVE line(id, replaces_id) AS (
      SELECT id, replaces_id FROM api_keys WHERE id = ${id}
      UNION ALL
      SELECT k.id, k.replaces_id FROM api_keys k JOIN line ON k.id = line.replaces_id
    )
    SELECT k.key_hash AS "keyHash" FROM api_keys k JOIN line ON k.id = line.id
     WHERE k.id <> ${id} AND k.revoked_at > ${now.toISOString()}::timestamp`;
  return rolling.map((key) => key.keyHash);
}

/** What an update changed, for the audit log: the fields named, and the new powers (never the description's text). */
function changeDetails(fields: ParsedUpdateApiKeyFields, powers: Partial<MintedPowers>): AuditDetails {
  return {
    changed: Object.keys(fields).filter((field) => fields[field as keyof ParsedUpdateApiKeyFields] !== undefined),
    ...(powers.scopes !== undefined ? { scopes: [...powers.scopes] } : {}),
    ...(powers.expiresAt !== undefined ? { expires_at: powers.expiresAt?.toISOString() ?? null } : {}),
    ...(powers.rateLimitPerMinute !== undefined ? { rate_limit_per_minute: powers.rateLimitPerMinute } : {}),
    ...(powers.remaining !== undefined ? { remaining: powers.remaining } : {}),
    ...(powers.refill !== undefined ? { refill: refillText(powers.refill) } : {}),
  };
}
